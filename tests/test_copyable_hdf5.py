# SPDX-License-Identifier: Apache-2.0
"""``cornu_data/hdf5.py`` stands alone: copied into an empty folder, it imports and works in a
fresh interpreter where every ``cornu`` / ``cornu_*`` import fails (a project that copied the
file and never installed cornu), with only numpy and h5py beside the standard library.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import textwrap

import pytest
from cornu_testing import ROOT

SOURCE = ROOT / "packages" / "data" / "src" / "cornu_data" / "hdf5.py"

_SMOKE = """
import importlib.abc, sys
class _NoCornu(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "cornu" or name.startswith("cornu_"):
            raise ImportError(f"{name} is not installed in this test")
        return None
sys.meta_path.insert(0, _NoCornu())
sys.path.insert(0, sys.argv[1])

import multiprocessing, os, pickle, tempfile
import hdf5
assert hdf5.__all__ == ["HDF5Matrix"]
loaded = sorted(m for m in sys.modules if m.startswith("cornu") or m in ("numpy", "h5py"))
assert loaded == [], loaded  # numpy and h5py are imported on first use only
from hdf5 import HDF5Matrix
import numpy as np, h5py

work = tempfile.mkdtemp()
path = os.path.join(work, "d.h5")
data = np.arange(60, dtype="float32").reshape(20, 3)
m = HDF5Matrix.create(path, "x", (data[i:i + 6] for i in range(0, 20, 6)), chunks=None, length=20)
w = HDF5Matrix(path, "x", start=5, end=15)
assert w.shape == (10, 3) and len(w) == 10 and w.size == 30
assert np.array_equal(w[[9, 0, 9]], data[5:15][[9, 0, 9]])
assert np.array_equal(w[-3::-2, 1], data[5:15][-3::-2, 1])
try:
    w[10]
except IndexError as e:
    assert "[5, 15)" in str(e)
else:
    raise AssertionError("no IndexError")
clone = pickle.loads(pickle.dumps(w))
assert np.array_equal(clone[:], data[5:15])
links = os.path.join(work, "links.h5")
with h5py.File(links, "w") as f:
    f["ext"] = h5py.ExternalLink(path, "/x")
try:
    HDF5Matrix(links, "ext")
except ValueError as e:
    assert "external link" in str(e)
else:
    raise AssertionError("external link followed")
if __name__ == "__main__":
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert np.array_equal(pool.apply(w.__getitem__, ([2, 1],)), data[5:15][[2, 1]])
    print("ok")
"""


def test_hdf5_copied_alone_works(tmp_path):
    for module in ("numpy", "h5py"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed")
    head = SOURCE.read_text().splitlines()[:5]
    assert head[0] == "# SPDX-License-Identifier: Apache-2.0"
    about = (ROOT / "packages" / "data" / "src" / "cornu_data" / "__about__.py").read_text()
    version = re.search(r'__version__ = "([^"]+)"', about).group(1)
    assert any("cornu-data" in line and f"version {version}" in line for line in head), head
    assert any(line.startswith("# Source:") and line.endswith("cornu_data/hdf5.py") for line in head)
    text = SOURCE.read_text()
    assert not re.search(
        r"^\s*(from|import)\s+(numpy|h5py)\b", text.split('"""', 2)[2].split("\ndef ", 1)[0], re.M
    )
    folder = tmp_path / "vendored"
    folder.mkdir()
    shutil.copy(SOURCE, folder / "hdf5.py")
    script = tmp_path / "smoke.py"
    script.write_text(textwrap.dedent(_SMOKE))
    proc = subprocess.run(
        [sys.executable, "-I", str(script), str(folder)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "ok"
