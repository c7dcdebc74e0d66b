# SPDX-License-Identifier: Apache-2.0
"""Importing any cornu package loads no framework, no h5py, no requests, no NumPy, and reads or
writes no file: checked in a fresh interpreter for each."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from cornu_testing import PACKAGES

HEAVY = ("torch", "jax", "jaxlib", "tensorflow", "keras", "h5py", "requests", "numpy", "flax", "pydot")


@pytest.mark.parametrize("module", sorted(PACKAGES.values()))
def test_import_loads_nothing_heavy(module, tmp_path):
    code = (
        f"import sys, json; import {module}; "
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    env = dict(os.environ, HOME=str(tmp_path / "home"), CORNU_HOME=str(tmp_path / "cornu"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert json.loads(out.stdout) == [], f"import {module} loaded {out.stdout.strip()}"
    assert not (tmp_path / "home").exists(), "import wrote into $HOME"
    assert not (tmp_path / "cornu").exists(), "import wrote into $CORNU_HOME"


def test_import_cornu_loads_no_subpackage_until_used():
    code = (
        "import sys, cornu; before = sorted(m for m in sys.modules if m.startswith('cornu_'));"
        "cornu.config.floatx(); after = 'cornu_config' in sys.modules; print(before, after)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] True"
