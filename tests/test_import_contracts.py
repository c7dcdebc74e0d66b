# SPDX-License-Identifier: Apache-2.0
"""The import-linter contracts in .importlinter hold (layers, independence, forbidden)."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest


def test_import_linter_contracts_hold(root):
    pytest.importorskip("importlinter")
    beside = pathlib.Path(sys.executable).with_name("lint-imports")
    exe = str(beside) if beside.exists() else shutil.which("lint-imports")
    if exe is None:
        pytest.skip("lint-imports is not on PATH")
    out = subprocess.run([exe, "--no-cache"], cwd=root, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout
