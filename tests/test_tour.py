# SPDX-License-Identifier: Apache-2.0
"""The tour (the README's first command) runs end to end and reaches a real accuracy."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from cornu_testing import ROOT


def test_tour_runs_and_learns(tmp_path):
    for name in ("torch", "h5py", "requests"):
        pytest.importorskip(name)
    if os.environ.get("CORNU_BACKEND", "torch") != "torch":
        pytest.skip("the tour runs on the torch backend; checked in the torch environment")
    env = dict(os.environ, CORNU_HOME=str(tmp_path))
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "tour.py")],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    match = re.search(r"test accuracy (\d+\.\d)%", out.stdout)
    assert match, out.stdout[-2000:]
    assert float(match.group(1)) > 70.0
    assert "Total params: 676" in out.stdout
    assert (ROOT / "examples" / "out" / "model.dot").read_text().startswith("digraph")
