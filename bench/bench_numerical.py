# SPDX-License-Identifier: Apache-2.0
"""``to_categorical`` and ``normalize`` beside ``keras.utils`` and plain NumPy, at issue 4's sizes.

NumPy input: 1,000,000 labels x 100 classes, 10,000,000 x 10, and an 8192 x 4096 float32 array,
timed in one process with the calls interleaved (cornu, Keras, NumPy, cornu, ...) so a busy
machine slows them alike; peak memory is traced with ``tracemalloc`` (NumPy reports to it).
Tensor input: one subprocess per framework with ``KERAS_BACKEND`` set to it; peak memory there is
the rise of the process's peak RSS over one call, each in a fresh subprocess.

Run: ``python bench/run.py numerical`` (``--quick``: fewer repeats, no tensor memory runs).
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time

from harness import Row

TITLE = "to_categorical / normalize (median of interleaved runs; peak = extra memory of one call)"
CASES = {"1Mx100": (1_000_000, 100), "10Mx10": (10_000_000, 10)}
NORM_SHAPE = (8192, 4096)
MIB = 1 << 20


def _labels(n: int, classes: int):
    import numpy as np

    return np.random.default_rng(0).integers(0, classes, size=n)


def _numpy_one_hot(y, classes):
    import numpy as np

    out = np.zeros((y.size, classes), np.float32)
    out[np.arange(y.size), y] = 1
    return out


def _numpy_normalize(x):
    import numpy as np

    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    norm[norm == 0] = 1
    return x / norm


def _interleaved(fns: dict, repeat: int) -> dict[str, float]:
    """Median seconds per call of each function, calls interleaved round by round."""
    import gc

    for fn in fns.values():
        fn()  # warm up (JIT compilation, first-touch of the allocator)
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            out = fn()
            _block(out)
            times[name].append(time.perf_counter() - start)
            del out
    return {name: statistics.median(t) for name, t in times.items()}


def _block(out) -> None:
    """Wait for asynchronous frameworks (JAX dispatches before computing)."""
    if hasattr(out, "block_until_ready"):
        out.block_until_ready()


def _traced_peak(fn) -> float:
    import tracemalloc

    tracemalloc.start()
    try:
        out = fn()
        _, peak = tracemalloc.get_traced_memory()
        del out
    finally:
        tracemalloc.stop()
    return peak / MIB


def _worker_numpy(repeat: int) -> dict:
    import keras
    import numpy as np

    from cornu_utils import normalize, to_categorical

    result = {}
    for case, (n, classes) in CASES.items():
        y = _labels(n, classes)
        fns = {
            "cornu": lambda y=y, c=classes: to_categorical(y, c),
            "keras": lambda y=y, c=classes: keras.utils.to_categorical(y, c),
            "numpy": lambda y=y, c=classes: _numpy_one_hot(y, c),
        }
        times = _interleaved(fns, repeat)
        peaks = {name: _traced_peak(fn) for name, fn in fns.items()}
        dtypes = {name: str(fn().dtype) for name, fn in fns.items()}
        result[f"to_categorical {case}"] = {"time": times, "peak": peaks, "dtype": dtypes}
        del y
    x = np.random.default_rng(1).standard_normal(NORM_SHAPE, dtype=np.float32)
    fns = {
        "cornu": lambda: normalize(x),
        "keras": lambda: keras.utils.normalize(x),
        "numpy": lambda: _numpy_normalize(x),
    }
    times = _interleaved(fns, repeat)
    peaks = {name: _traced_peak(fn) for name, fn in fns.items()}
    result["normalize 8192x4096 f32"] = {"time": times, "peak": peaks, "dtype": {k: str(f().dtype) for k, f in fns.items()}}
    return result


def _tensor(framework: str, array):
    if framework == "torch":
        import torch

        return torch.from_numpy(array)
    if framework == "jax":
        import jax.numpy as jnp

        return jnp.asarray(array)
    import tensorflow as tf

    return tf.constant(array)


def _tensor_fns(framework: str, case: str):
    import keras
    import numpy as np

    from cornu_utils import normalize, to_categorical

    if case == "normalize":
        x = _tensor(framework, np.random.default_rng(1).standard_normal(NORM_SHAPE, dtype=np.float32))
        return {"cornu": lambda: normalize(x), "keras": lambda: keras.utils.normalize(x)}
    n, classes = CASES[case]
    y = _tensor(framework, _labels(n, classes))
    return {
        "cornu": lambda: to_categorical(y, classes),
        "keras": lambda: keras.utils.to_categorical(y, classes),
    }


def _worker_tensor(framework: str, repeat: int) -> dict:
    result = {}
    for case in (*CASES, "normalize"):
        fns = _tensor_fns(framework, case)
        times = _interleaved(fns, repeat)
        dtypes = {name: str(fn().dtype).replace("torch.", "").replace("<dtype: '", "").replace("'>", "") for name, fn in fns.items()}
        result[case] = {"time": times, "dtype": dtypes}
    return result


def _worker_memory(framework: str, case: str, impl: str) -> dict:
    import resource

    fn = _tensor_fns(framework, case)[impl]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _block(fn())
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"peak": (after - before) / 1024}  # ru_maxrss is in KiB on Linux


def _spawn(args: list[str], backend: str) -> dict:
    env = dict(os.environ, KERAS_BACKEND=backend, CORNU_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    env.setdefault("JAX_PLATFORMS", "cpu")
    run = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )
    if run.returncode != 0:
        raise RuntimeError(f"bench worker {args} failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def _extra(peaks: dict, dtypes: dict, ref: str) -> dict[str, str]:
    extra = {}
    if peaks:
        extra["peak_MiB"] = f"{peaks['cornu']:.0f}/{peaks[ref]:.0f}"
    extra["dtype"] = f"{dtypes['cornu']}/{dtypes[ref]}"
    return extra


def run(args, rest) -> list[Row]:
    if importlib.util.find_spec("keras") is None:
        raise RuntimeError("bench_numerical compares with keras.utils: install keras")
    repeat = 3 if args.quick else 7
    rows: list[Row] = []
    # Keras treats a NumPy array as a backend tensor on its numpy backend (float32 one-hot) and
    # runs its own NumPy code on the others (float64): compare with both.
    for backend in ("numpy", "jax"):
        if backend == "jax" and importlib.util.find_spec("jax") is None:
            continue
        for case, res in _spawn(["--worker", "numpy", str(repeat)], backend).items():
            t, p, d = res["time"], res["peak"], res["dtype"]
            refs = [("keras", f"keras.utils, NumPy in ({backend} backend)")]
            if backend == "numpy":
                refs.append(("numpy", "plain NumPy"))
            for ref, name in refs:
                rows.append(Row(f"{case} [numpy]", t["cornu"] * 1e3, t[ref] * 1e3, name, "ms", extra=_extra(p, d, ref)))
    for framework in ("torch", "jax", "tensorflow"):
        if importlib.util.find_spec(framework) is None:
            continue
        result = _spawn(["--worker", framework, str(repeat)], framework)
        for case, res in result.items():
            peaks = {}
            if not args.quick:
                for impl in ("cornu", "keras"):
                    peaks[impl] = _spawn(["--memory", framework, case, impl], framework)["peak"]
            label = case if case != "normalize" else "normalize 8192x4096 f32"
            if case != "normalize":
                label = f"to_categorical {case}"
            t = res["time"]
            rows.append(
                Row(f"{label} [{framework}]", t["cornu"] * 1e3, t["keras"] * 1e3, f"keras.utils ({framework} backend)", "ms",
                    extra=_extra(peaks, res["dtype"], "keras"))
            )
    return rows


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if sys.argv[1] == "--worker":
        framework, repeat = sys.argv[2], int(sys.argv[3])
        out = _worker_numpy(repeat) if framework == "numpy" else _worker_tensor(framework, repeat)
    else:
        out = _worker_memory(*sys.argv[2:5])
    print(json.dumps(out))
