# SPDX-License-Identifier: Apache-2.0
"""``cornu_data/sequence.py`` stands alone: copied into an empty folder, it imports and works in
a fresh interpreter where every ``cornu`` / ``cornu_*`` import fails (a project that copied the
file and never installed cornu).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

from cornu_testing import ROOT

SOURCE = ROOT / "packages" / "data" / "src" / "cornu_data" / "sequence.py"

_CHILD = """
import importlib.abc, sys, warnings
class _NoCornu(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "cornu" or name.startswith("cornu_"):
            raise ImportError(f"{name} is not installed in this test")
        return None
sys.meta_path.insert(0, _NoCornu())
sys.path.insert(0, sys.argv[1])

import sequence
assert sorted(sequence.__all__) == ["PyDataset", "Sequence"]
assert sequence.Sequence is sequence.PyDataset
loaded = sorted(m for m in sys.modules if m.startswith("cornu") or m == "numpy")
assert loaded == [], loaded  # standard library only

class Squares(sequence.PyDataset):
    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n
    def __len__(self):
        return self.n
    def __getitem__(self, i):
        return i * i

ds = Squares(4, workers=3, use_multiprocessing=True)
assert (ds.workers, ds.use_multiprocessing, ds.max_queue_size) == (3, True, 10)
assert ds.num_batches == 4 and list(ds) == [0, 1, 4, 9]

class Forgot(sequence.PyDataset):
    def __init__(self):
        pass
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    assert Forgot().workers == 1
assert len(caught) == 1 and "super().__init__" in str(caught[0].message)

class Endless(sequence.PyDataset):
    def __getitem__(self, i):
        return -i
it = iter(Endless())
assert [next(it) for _ in range(5)] == [0, -1, -2, -3, -4]
print("ok")
"""


def test_sequence_py_alone_in_an_empty_folder(tmp_path):
    folder = tmp_path / "vendored"
    folder.mkdir()
    shutil.copy(SOURCE, folder / "sequence.py")
    head = SOURCE.read_text().splitlines()[:4]
    assert head[0] == "# SPDX-License-Identifier: Apache-2.0"
    about = (ROOT / "packages" / "data" / "src" / "cornu_data" / "__about__.py").read_text()
    version = about.split('__version__ = "')[1].split('"')[0]
    assert any("cornu-data" in line and f"version {version}" in line for line in head), "header names package and version"
    assert any(line.startswith("# Source:") for line in head), "header names the source"
    proc = subprocess.run(
        [sys.executable, "-I", "-c", textwrap.dedent(_CHILD), str(folder)],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "ok"
