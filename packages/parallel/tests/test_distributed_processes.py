# SPDX-License-Identifier: Apache-2.0
"""Two real worker processes on 127.0.0.1 per backend train a few steps through
cornu_parallel.distributed (torch gloo, jax.distributed with gloo CPU collectives,
TensorFlow MultiWorkerMirroredStrategy); both ranks must end with identical weights, equal to a
single process trained on the full batch."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import cornu_config
from cornu_parallel._launch import free_port

BACKEND = cornu_config.backend()
WORKER = pathlib.Path(__file__).parent / "scripts" / "dist_worker.py"

pytestmark = pytest.mark.network_free


def _run_world(tmp_path, backend):
    ports = f"{free_port()},{free_port()}"
    env = dict(os.environ, CORNU_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2")
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "TF_CONFIG", "XLA_FLAGS"):
        env.pop(name, None)
    procs = []
    try:
        for rank in (0, 1):
            log = open(tmp_path / f"rank{rank}.log", "w")  # noqa: SIM115 - closed below
            cmd = [sys.executable, str(WORKER), backend, str(rank), "2", ports, str(tmp_path / f"rank{rank}.npz")]
            procs.append((subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT), log))
        single = subprocess.run(
            [sys.executable, str(WORKER), backend, "-1", "1", "0", str(tmp_path / "single.npz")],
            env=env, capture_output=True, text=True, timeout=200, check=False,
        )
        assert single.returncode == 0, single.stdout[-2000:] + single.stderr[-2000:]
        for proc, log in procs:
            proc.wait(timeout=200)
            log.close()
        for rank, (proc, _) in enumerate(procs):
            text = (tmp_path / f"rank{rank}.log").read_text()[-3000:]
            assert proc.returncode == 0, f"rank {rank} failed:\n{text}"
    finally:
        for proc, log in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()
    return [np.load(tmp_path / f) for f in ("rank0.npz", "rank1.npz", "single.npz")]


@pytest.mark.skipif(BACKEND == "numpy", reason="NumPy has no multi-process engine (see test_launch)")
def test_two_workers_match_one_process_on_the_full_batch(tmp_path):
    module = {"torch": "torch", "jax": "jax", "tensorflow": "tensorflow"}[BACKEND]
    pytest.importorskip(module)
    rank0, rank1, single = _run_world(tmp_path, BACKEND)
    for i in range(4):
        a, b, ref = rank0[f"arr_{i}"], rank1[f"arr_{i}"], single[f"arr_{i}"]
        np.testing.assert_array_equal(a, b)  # the ranks hold identical weights
        np.testing.assert_allclose(a, ref, rtol=1e-5, atol=1e-6)
        assert not np.allclose(ref, 0)
    if BACKEND == "torch":  # the wrapped model saves the template: no "module." prefix
        assert rank0["keys"].tolist() == ["0.bias", "0.weight", "2.bias", "2.weight"]
    if BACKEND == "jax":
        assert rank0["keys"].tolist() == ["b1", "b2", "w1", "w2"]
    if BACKEND == "tensorflow":
        assert int(rank0["n_weights"]) == 4
