# SPDX-License-Identifier: Apache-2.0
"""Datasets for the PyDataset / enqueuer tests.

They live in a module of their own (imported by name, its folder put on ``sys.path``) so that
worker processes started with ``spawn`` or ``forkserver`` can import them.
"""

from __future__ import annotations

import contextvars
import os
import random
import signal
import threading
import time

import numpy as np

from cornu_data import PyDataset, get_worker_info

SCOPE: contextvars.ContextVar[str] = contextvars.ContextVar("cornu_data_test_scope", default="none")


class Indexed(PyDataset):
    """Batch ``i`` is ``(full((rows, 3), i * mult), i)``; ``on_epoch_end`` multiplies ``mult``."""

    def __init__(self, n: int = 10, rows: int = 4, delay: float = 0.0, factor: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.n, self.rows, self.delay, self.factor, self.mult = n, rows, delay, factor, 1

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int):
        if self.delay:
            time.sleep(random.Random(index).random() * self.delay)
        return np.full((self.rows, 3), index * self.mult, dtype=np.float32), index

    def on_epoch_end(self) -> None:
        self.mult *= self.factor


class Who(PyDataset):
    """Reports which worker (pid, thread) made each batch, its info, and random draws."""

    def __init__(self, n: int = 8, **kwargs):
        super().__init__(**kwargs)
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int):
        time.sleep(0.01)
        info = get_worker_info()
        return {
            "index": index,
            "pid": os.getpid(),
            "thread": threading.get_ident(),
            "worker": None if info is None else info.id,
            "seed": None if info is None else info.seed,
            "epoch": None if info is None else info.epoch,
            "random": random.random(),
            "numpy": float(np.random.rand()),
            "scope": SCOPE.get(),
        }


class FailsAt(PyDataset):
    """Raises ``IndexError`` (or ``kind``) at ``bad``."""

    def __init__(self, bad: int = 2, kind: str = "index", n: int = 6, **kwargs):
        super().__init__(**kwargs)
        self.bad, self.kind, self.n = bad, kind, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int):
        if index == self.bad:
            if self.kind == "index":
                raise IndexError(f"no batch {index} here")
            if self.kind == "unpicklable":
                raise Unpicklable(index, "needs two arguments")
            if self.kind == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if self.kind == "exit":
                os._exit(3)
            if self.kind == "hang":
                time.sleep(60)
        return np.arange(3) + index


class Unpicklable(Exception):
    def __init__(self, index, why):
        super().__init__(f"batch {index}: {why}")


class Infinite(PyDataset):
    """``num_batches`` is None: batches 0, 1, 2, … forever."""

    @property
    def num_batches(self):
        return None

    def __getitem__(self, index: int):
        return np.array([index])


class NoneEvery(PyDataset):
    """Every third batch is ``None`` (skipped by enqueuers)."""

    def __len__(self) -> int:
        return 9

    def __getitem__(self, index: int):
        return None if index % 3 == 2 else index


class Structured(PyDataset):
    """Nested batches with arrays of several dtypes and non-array leaves."""

    def __len__(self) -> int:
        return 3

    def __getitem__(self, index: int):
        return {
            "x": np.arange(12, dtype=np.float64).reshape(3, 4) + index,
            "pair": (np.array([True, False]), np.zeros((0, 2), np.int16)),
            "big": np.full((300, 300), index, dtype=np.float32),  # 360 kB: makes slots grow
            "name": f"batch-{index}",
            "strings": np.array(["a", "bc"]),
        }


def counting_generator(n: int = 6):
    yield from range(n)


def slow_generator(n: int = 50):
    for i in range(n):
        time.sleep(0.002)
        yield i


class TorchDraw(PyDataset):
    """Each batch: the worker's seed and a draw from torch's global RNG."""

    def __len__(self) -> int:
        return 6

    def __getitem__(self, index: int):
        import torch

        time.sleep(0.01)
        info = get_worker_info()
        return {"worker": info.id, "seed": info.seed, "draw": float(torch.rand(1))}


class Shrinking(PyDataset):
    """``on_epoch_end`` halves the number of batches (Keras 2's T-ENQ-06)."""

    def __init__(self, n: int = 8, **kwargs):
        super().__init__(**kwargs)
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int):
        if index >= self.n:
            raise IndexError(f"batch {index} of {self.n}")
        return index

    def on_epoch_end(self) -> None:
        self.n //= 2


class Logged(PyDataset):
    """Batch i is [i]; records indices and epoch hooks (in the process that runs them)."""

    def __init__(self, n=10, **kwargs):
        super().__init__(**kwargs)
        self.n, self.log = n, []

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        self.log.append(index)
        return np.array([index])

    def on_epoch_begin(self):
        self.log.append("begin")

    def on_epoch_end(self):
        self.log.append("end")
