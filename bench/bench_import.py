# SPDX-License-Identifier: Apache-2.0
"""Import time of ``import cornu`` (and its packages) beside ``import keras`` on each backend.

Each figure is the median wall time of a fresh ``python -c "import X"`` subprocess minus the
median of a bare interpreter start, so only the import itself is compared.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import time

from harness import Row

TITLE = "import time (fresh subprocess, median, interpreter start subtracted)"


def _median_ms(code: str, env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def run(args, rest) -> list[Row]:
    runs = 3 if args.quick else 7
    env = dict(os.environ)
    base = _median_ms("pass", env, runs)
    rows = []
    cornu_ms = {}
    for module in ("cornu", "cornu_config", "cornu_device", "cornu_utils", "cornu_data", "cornu_parallel"):
        cornu_ms[module] = _median_ms(f"import {module}", env, runs) - base
    have_keras = importlib.util.find_spec("keras") is not None
    for backend in ("numpy", "torch", "jax", "tensorflow"):
        mod = "tensorflow" if backend == "tensorflow" else backend
        if backend != "numpy" and importlib.util.find_spec(mod) is None:
            continue
        benv = dict(env, KERAS_BACKEND=backend, CORNU_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
        c = _median_ms("import cornu; cornu.config.backend()", benv, runs) - base
        k = (_median_ms("import keras", benv, runs) - base) if have_keras else float("nan")
        rows.append(Row(f"import cornu (+backend()) [{backend}]", c, k, "import keras", "ms"))
    for module, ms in cornu_ms.items():
        rows.append(Row(f"import {module}", ms, base, "bare interpreter start", "ms"))
    return rows
