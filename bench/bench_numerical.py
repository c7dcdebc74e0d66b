# SPDX-License-Identifier: Apache-2.0
"""``to_categorical`` and ``normalize`` beside ``keras.utils`` and plain NumPy, at issue 4's sizes.

Sizes: 1,000,000 labels x 100 classes, 10,000,000 x 10, and an 8192 x 4096 float32 array. One
subprocess per Keras backend (``KERAS_BACKEND`` set): NumPy input beside Keras (on its numpy
backend and on jax, where Keras runs its own NumPy code) and plain NumPy; torch, JAX and
TensorFlow tensors beside Keras on that framework's backend. Calls are interleaved (cornu, Keras,
NumPy, cornu, ...) so a busy machine slows them alike. Peak memory of one call: the rise of the
process's resident-set high-water mark (reset through ``/proc/self/clear_refs`` before the call,
read while the result is still alive), so torch allocations count too; JAX and TensorFlow keep
freed buffers in their own allocators, so no peak is shown for them.

Run: ``python bench/run.py numerical`` (``--quick``: 3 repeats instead of 5).
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


def _status_mib(key: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    return float("nan")


def _dtype(out) -> str:
    return str(out.dtype).replace("torch.", "").replace("<dtype: '", "").replace("'>", "")


def _peaks(fns: dict) -> tuple[dict[str, float], dict[str, str]]:
    """Warm each function up (noting its output dtype), then the extra peak resident memory
    (MiB) of one call of each."""
    import gc

    dtypes = {name: _dtype(fn()) for name, fn in fns.items()}  # compilation, allocator warm-up
    peaks = {}
    for name, fn in fns.items():
        gc.collect()
        try:
            with open("/proc/self/clear_refs", "w") as clear:
                clear.write("5")  # reset VmHWM to the current RSS
        except OSError:
            peaks[name] = float("nan")
            continue
        base = _status_mib("VmRSS")
        out = fn()
        _block(out)
        peaks[name] = _status_mib("VmHWM") - base
        del out
    return peaks, dtypes


def _block(out) -> None:
    """Wait for asynchronous frameworks (JAX dispatches before computing)."""
    if hasattr(out, "block_until_ready"):
        out.block_until_ready()


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
        peaks, dtypes = _peaks(fns)
        times = _interleaved(fns, repeat)
        result[f"to_categorical {case}"] = {"time": times, "peak": peaks, "dtype": dtypes}
        del y
    x = np.random.default_rng(1).standard_normal(NORM_SHAPE, dtype=np.float32)
    fns = {
        "cornu": lambda: normalize(x),
        "keras": lambda: keras.utils.normalize(x),
        "numpy": lambda: _numpy_normalize(x),
    }
    peaks, dtypes = _peaks(fns)
    result["normalize 8192x4096 f32"] = {"time": _interleaved(fns, repeat), "peak": peaks, "dtype": dtypes}
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
        peaks, dtypes = _peaks(fns)
        result[case] = {"time": _interleaved(fns, repeat), "peak": peaks, "dtype": dtypes}
    return result


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
    repeat = 3 if args.quick else 5
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
            label = case if case != "normalize" else "normalize 8192x4096 f32"
            if case != "normalize":
                label = f"to_categorical {case}"
            t = res["time"]
            # XLA's and TensorFlow's CPU allocators keep freed buffers, so the resident high-water
            # mark of one call says nothing there; both sides run the same one-hot op anyway.
            peaks = res["peak"] if framework == "torch" else {}
            rows.append(
                Row(f"{label} [{framework}]", t["cornu"] * 1e3, t["keras"] * 1e3, f"keras.utils ({framework} backend)", "ms",
                    extra=_extra(peaks, res["dtype"], "keras"))
            )
    return rows


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    framework, repeat = sys.argv[2], int(sys.argv[3])  # --worker <framework> <repeat>
    out = _worker_numpy(repeat) if framework == "numpy" else _worker_tensor(framework, repeat)
    print(json.dumps(out))
