# SPDX-License-Identifier: Apache-2.0
"""PyDataset throughput: cornu's workers beside ``keras.utils.PyDataset`` and torch's ``DataLoader``.

One dataset object, one run. ``__getitem__`` gathers 64 random rows of a float32 memmap of
64×64×3 images (3 MiB per batch), flips, scales and clips them (a few passes of NumPy work,
a light augmentation). Each case iterates ``EPOCHS`` epochs of ``BATCHES`` batches, worker
start-up included, and reports batches per second:

- cornu: ``cornu_data.EpochIterator`` (the PyDataset's ``workers``/``use_multiprocessing``;
  persistent workers, batches from processes through shared memory);
- Keras: ``PyDatasetAdapter`` (what ``fit()`` uses: ``on_epoch_begin``, the numpy iterator,
  ``on_epoch_end``; a new pool every epoch, batches pickled through a pipe);
- torch: ``DataLoader(ds, batch_size=None, num_workers=2)`` on the same object;
- a plain ``for i in range(len(ds))`` loop.

``ratio`` = reference rate / cornu rate (below 1.00: cornu is faster). ``cpu/batch`` is the CPU
time per batch of the consumer and its workers together (cornu's vs the reference's): on a
shared, loaded machine it says more about overhead than the wall-clock rate does.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import types

import numpy as np
from harness import Row

from cornu_data import PyDataset

TITLE = "PyDataset batches/s (64 × 64×64×3 float32 from a memmap + CPU work)"
EPOCHS = 3
BATCHES = 64
ROWS = 2048


class MemmapBatches(PyDataset):
    """``BATCHES`` batches of 64 random rows of a memmap; the memmap opens lazily per process."""

    def __init__(self, path: str, **kwargs):
        super().__init__(**kwargs)
        self.path = path
        self._mm = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_mm"] = None  # never pickle the mapped data, only where it is
        return state

    def __len__(self):
        return BATCHES

    def __getitem__(self, index):
        if self._mm is None:
            self._mm = np.memmap(self.path, dtype=np.float32, mode="r", shape=(ROWS, 64, 64, 3))
        rows = np.sort(np.random.default_rng(index).choice(ROWS, 64, replace=False))
        x = self._mm[rows]  # gather: one 3 MiB copy
        x = x[:, :, ::-1] * np.float32(2.0)  # horizontal flip, scale to [0, 2)
        x -= np.float32(1.0)
        np.clip(x, -0.9, 0.9, out=x)  # a light augmentation: a few passes over the batch
        return x, rows.astype(np.int64)


# Worker processes started by spawn/forkserver import this file by its name: make the name
# resolve to this very module so the dataset pickles by reference.
if __name__ not in sys.modules:
    _self = types.ModuleType(__name__)
    _self.__dict__.update(globals())
    sys.modules[__name__] = _self
    MemmapBatches.__module__ = __name__


def _cpu_seconds() -> float:
    """CPU time of this process and of its reaped children (the workers)."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _measure(run) -> tuple[float, float]:
    """(batches per second, CPU milliseconds per batch, workers included) of one run."""
    import gc
    import multiprocessing

    cpu, start = _cpu_seconds(), time.perf_counter()
    count = run()
    elapsed = time.perf_counter() - start
    gc.collect()  # pools left to their finalizers (Keras's) exit and are reaped here
    multiprocessing.active_children()
    time.sleep(0.05)
    multiprocessing.active_children()
    return count / elapsed, 1000 * (_cpu_seconds() - cpu) / count


def _cornu(ds) -> int:
    import multiprocessing

    from cornu_data import EpochIterator

    start = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    return sum(1 for _ in EpochIterator(ds, epochs=EPOCHS, start_method=start))


def _keras(ds) -> int:
    from keras.src.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter

    adapter = PyDatasetAdapter(ds, shuffle=False)
    count = 0
    for _ in range(EPOCHS):
        adapter.on_epoch_begin()
        for _ in adapter.get_numpy_iterator():
            count += 1
        adapter.on_epoch_end()
    return count


def _torch(ds) -> int:
    import torch

    loader = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=2)
    return sum(1 for _ in range(EPOCHS) for _ in loader)


def _torch_persistent(ds) -> int:
    import torch

    loader = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=2, persistent_workers=True)
    return sum(1 for _ in range(EPOCHS) for _ in loader)


def _plain(ds) -> int:
    return sum(1 for _ in range(EPOCHS) for i in range(len(ds)) if ds[i] is not None)


def _interleaved(methods: dict, ds, repeat: int) -> dict:
    """Best rate and least CPU per batch of each method, runs interleaved so that the load of a
    shared machine hits every method alike."""
    for fn in methods.values():
        fn(ds)  # warm-up: page cache, fork server, imports
    best = {name: (0.0, float("inf")) for name in methods}
    for _ in range(repeat):
        for name, fn in methods.items():
            rate, cpu = _measure(lambda fn=fn: fn(ds))
            best[name] = (max(best[name][0], rate), min(best[name][1], cpu))
    return best


def run(args, rest) -> list[Row]:
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    import importlib.util
    import warnings

    # Keras's pool and DataLoader fork; cornu is told to as well (Keras imports JAX, after which
    # cornu would pick forkserver by itself).
    warnings.filterwarnings("ignore", message="Forking worker processes")
    warnings.filterwarnings("ignore", message=r"os.fork\(\) was called")

    have_keras = importlib.util.find_spec("keras") is not None
    have_torch = importlib.util.find_spec("torch") is not None
    repeat = 1 if args.quick else 3
    folder = tempfile.mkdtemp(prefix="cornu-bench-")
    path = os.path.join(folder, "images.f32")
    np.random.default_rng(0).random((ROWS, 64, 64, 3), dtype=np.float32).tofile(path)
    rows = []
    try:
        configs = [("workers=0", 0, False), ("2 threads", 2, False), ("2 processes", 2, True)]
        for label, workers, use_mp in configs:
            ds = MemmapBatches(path, workers=workers, use_multiprocessing=use_mp)
            methods = {"cornu": _cornu, "plain": _plain}
            if have_keras:
                methods["keras"] = _keras
            if use_mp and have_torch:
                methods["torch"] = _torch
                methods["torch_persistent"] = _torch_persistent
            rate = _interleaved(methods, ds, repeat)
            refs = [("keras", "keras PyDatasetAdapter", "Keras"), ("plain", "plain loop", "plain loop"),
                    ("torch", "DataLoader(num_workers=2)", "DataLoader"),
                    ("torch_persistent", "DataLoader(persistent_workers)", "DataLoader persistent")]
            for key, name, short in refs:
                if key in rate:
                    cpu = f"{rate['cornu'][1]:.1f}ms vs {rate[key][1]:.1f}ms"
                    rows.append(Row(f"{label}: cornu vs {short}", rate["cornu"][0], rate[key][0], name, "/s",
                                    higher_is_better=True, extra={"cpu/batch": cpu}))
    finally:
        os.remove(path)
        os.rmdir(folder)
    return rows
