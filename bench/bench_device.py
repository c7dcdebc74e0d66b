# SPDX-License-Identifier: Apache-2.0
"""Enter+exit cost of ``device("cpu:0")`` and ``name_scope`` beside ``keras.device`` and
``keras.name_scope``, on each backend.

Keras picks its backend from ``KERAS_BACKEND`` when imported, so each backend runs in its own
subprocess, where cornu and Keras are timed side by side: repeats interleave the two (taking
turns at running first) and each keeps its best repeat, the least disturbed by other load.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

from harness import Row

TITLE = "device / name_scope enter+exit (µs per with-block, best of interleaved repeats)"

_CHILD = r"""
import gc, json, sys, time, warnings
warnings.simplefilter("ignore")
import cornu_device as cd
import keras

number, repeat = int(sys.argv[1]), int(sys.argv[2])

def cornu_device():
    with cd.device("cpu:0"):
        pass

def keras_device():
    with keras.device("cpu:0"):
        pass

def cornu_scope():
    with cd.name_scope("block"):
        pass

def keras_scope():
    with keras.name_scope("block"):
        pass

def cornu_nested():
    with cd.name_scope("outer"):
        with cd.name_scope("inner"):
            pass

def keras_nested():
    with keras.name_scope("outer"):
        with keras.name_scope("inner"):
            pass

pairs = {
    "device": (cornu_device, keras_device),
    "name_scope": (cornu_scope, keras_scope),
    "name_scope nested x2": (cornu_nested, keras_nested),
}
out = {}
for case, fns in pairs.items():
    for fn in fns:
        for _ in range(number // 10):
            fn()
    times = ([], [])
    for r in range(repeat):
        order = [(0, fns[0]), (1, fns[1])]
        for slot, fn in (order if r % 2 == 0 else order[::-1]):  # no first-runner bias
            gc.collect()
            start = time.perf_counter()
            for _ in range(number):
                fn()
            times[slot].append((time.perf_counter() - start) / number * 1e6)
    out[case] = [min(t) for t in times]
print("RESULT" + json.dumps(out))
"""


def _run_backend(backend: str, number: int, repeat: int) -> dict[str, list[float]]:
    env = dict(os.environ, KERAS_BACKEND=backend, CORNU_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(number), str(repeat)],
        env=env, capture_output=True, text=True, check=True,
    )
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT"))
    return json.loads(line[len("RESULT"):])


def run(args, rest) -> list[Row]:
    number, repeat = (2000, 10) if args.quick else (4000, 40)
    rows = []
    if importlib.util.find_spec("keras") is None:
        print("keras is not installed: nothing to compare with", file=sys.stderr)
        return rows
    for backend in ("numpy", "torch", "jax", "tensorflow"):
        if backend != "numpy" and importlib.util.find_spec(backend) is None:
            continue
        result = _run_backend(backend, number, repeat)
        for case, (cornu_us, keras_us) in result.items():
            name = "keras.device" if case == "device" else "keras.name_scope"
            rows.append(Row(f"{case} [{backend}]", cornu_us, keras_us, name, "µs"))
    return rows
