# SPDX-License-Identifier: Apache-2.0
"""``cornu_utils/numerical.py`` stands alone: copied into an empty folder, it imports and works in a
fresh interpreter where no cornu package can be imported, with NumPy as its only third-party need."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys

from cornu_testing import ROOT

SOURCE = ROOT / "packages" / "utils" / "src" / "cornu_utils" / "numerical.py"

SMOKE = r"""
import importlib.abc, json, sys

class NoCornu(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "cornu" or name.startswith("cornu_"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, NoCornu())
sys.path.insert(0, ".")
import numerical
heavy = sorted(m for m in ("numpy", "torch", "jax", "tensorflow") if m in sys.modules)
import numpy as np

out = numerical.to_categorical([[1], [0], [2]], dtype="uint8")
try:
    numerical.to_categorical([0, -1], 3)
    error = None
except ValueError as exc:
    error = str(exc)
norm = numerical.normalize(np.array([[3.0, 4.0], [0.0, 0.0]]), axis=-1)
print(json.dumps({
    "all": sorted(numerical.__all__),
    "heavy_at_import": heavy,
    "cornu_loaded": sorted(m for m in sys.modules if m == "cornu" or m.startswith("cornu_")),
    "onehot": out.tolist(),
    "dtype": str(out.dtype),
    "error": error,
    "norm": norm.tolist(),
    "norm_dtype": str(numerical.normalize([[3, 4]]).dtype),
    "file": numerical.__file__,
}))
"""


def test_numerical_runs_alone_from_an_empty_folder(tmp_path):
    shutil.copy(SOURCE, tmp_path / "numerical.py")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["numerical.py"]
    run = subprocess.run(
        [sys.executable, "-I", "-c", SMOKE], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["file"].startswith(str(tmp_path))
    assert result["all"] == ["normalize", "to_categorical"]
    assert result["heavy_at_import"] == []
    assert result["cornu_loaded"] == []
    assert result["onehot"] == [[0, 1, 0], [1, 0, 0], [0, 0, 1]]
    assert result["dtype"] == "uint8"
    assert result["error"].endswith("Received: y[1]=-1")
    assert result["norm"] == [[0.6, 0.8], [0.0, 0.0]]
    assert result["norm_dtype"] == "float32"  # the fallback floatx


def test_numerical_imports_only_the_standard_library_at_the_top():
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    top = []
    guarded = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            top.extend(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            top.append((node.module or "").split(".")[0])
        elif isinstance(node, ast.Try):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom):
                    guarded.append(inner.module)
            assert any(
                isinstance(h.type, ast.Name) and h.type.id == "ImportError" for h in node.handlers
            ), "a guarded import must fall back on ImportError"
    assert all(name in sys.stdlib_module_names or name == "__future__" for name in top), top
    assert set(guarded) <= {"cornu_config"}, guarded
    assert not any(
        isinstance(n, ast.ImportFrom) and (n.level or (n.module or "").startswith("cornu_utils")) for n in ast.walk(tree)
    ), "a copyable file never imports a sibling"


def test_numerical_header_names_license_package_version_and_source():
    head = SOURCE.read_text(encoding="utf-8").splitlines()[:6]
    about = (ROOT / "packages" / "utils" / "src" / "cornu_utils" / "__about__.py").read_text(encoding="utf-8")
    version = about.split('__version__ = "')[1].split('"')[0]
    assert head[0] == "# SPDX-License-Identifier: Apache-2.0"
    assert any(line.startswith("# Package: cornu-utils " + version) for line in head), head
    assert any(line.startswith("# Source: https://") and line.endswith("cornu_utils/numerical.py") for line in head)
