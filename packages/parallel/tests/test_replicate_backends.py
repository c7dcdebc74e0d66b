# SPDX-License-Identifier: Apache-2.0
"""replicate on the configured backend over 2, 3 and 4 (virtual) CPU devices.

The cases run in one fresh process (scripts/replicate_cases.py) because JAX's device count
flag and TensorFlow's logical devices must be set before the framework starts; each case is
one test here. Outputs equal the single-device model's (rtol = atol = 1e-6) for batch sizes
that divide, do not divide, and are smaller than the device count (and empty); multi-input
and multi-output models; a training step equal to the single-device step; checkpoints from
the replicated model loading into the single-device model; Keras 2's per-device split.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

import cornu_config

BACKEND = cornu_config.backend()
SCRIPT = pathlib.Path(__file__).parent / "scripts" / "replicate_cases.py"
FRAMEWORK = {"torch": "torch", "jax": "jax", "tensorflow": "tensorflow"}


def _cases() -> list[str]:
    names = []
    for n in (2, 3, 4):
        names += [f"outputs/n={n}/batch={b}" for b in sorted({0, 1, n - 1, 7, 4 * n})]
        names += [f"{c}/n={n}" for c in ("multi_io", "train_step", "save_load", "split_per_device", "merge_device", "relocate")]
    return [*names, "keras_model/save_weights"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    if BACKEND in FRAMEWORK:
        pytest.importorskip(FRAMEWORK[BACKEND])
    out = tmp_path_factory.mktemp("replicate") / f"{BACKEND}.json"
    env = dict(os.environ, CORNU_BACKEND=BACKEND, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), BACKEND, str(out)],
        env=env, capture_output=True, text=True, timeout=280, check=False,
    )
    if proc.returncode != 0 or not out.exists():
        pytest.fail(f"case runner failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return json.loads(out.read_text())


@pytest.mark.parametrize("case", _cases())
def test_replicate_case(results, case):
    outcome = results.get(case)
    assert outcome is not None, f"case {case} did not run; ran: {sorted(results)}"
    if outcome.startswith("skip:"):
        pytest.skip(outcome)
    assert outcome == "ok", outcome


def test_every_case_ran_is_listed(results):
    assert sorted(results) == sorted(_cases())
