# SPDX-License-Identifier: Apache-2.0
"""Per-worker, per-epoch seeds, and what a worker knows about itself (``get_worker_info``)."""

from __future__ import annotations

import hashlib
import random
import sys
import threading
from typing import NamedTuple

__all__ = [
    "WorkerInfo",
    "derive_seed",
    "get_worker_info",
    "loaded_frameworks",
    "seed_late_imports",
    "seed_worker",
    "set_worker_info",
]


class WorkerInfo(NamedTuple):
    """Who is running ``__getitem__``: worker ``id`` of ``num_workers``, this epoch's seed."""

    id: int
    num_workers: int
    seed: int
    epoch: int


_process_info: WorkerInfo | None = None
_thread_info = threading.local()


def get_worker_info() -> WorkerInfo | None:
    """The :class:`WorkerInfo` of the loader worker calling this, or ``None`` outside one.

    Worker processes seed ``random``, NumPy's global RNG and torch's / TensorFlow's (those
    imported by the worker or by the consuming process) from ``info.seed`` at every epoch. Threads share the process's global RNGs, so they are not reseeded; inside a thread
    worker (and for JAX, which has no global RNG) build a generator from ``info.seed``.

    Example:
        >>> from cornu_data import get_worker_info
        >>> get_worker_info() is None
        True
    """
    info = getattr(_thread_info, "info", None)
    return info if info is not None else _process_info


def set_worker_info(info: WorkerInfo, *, thread: bool) -> None:
    global _process_info
    if thread:
        _thread_info.info = info
    else:
        _process_info = info


def derive_seed(base: int, epoch: int, worker: int) -> int:
    """A 63-bit seed that differs for every (base, epoch, worker)."""
    digest = hashlib.blake2b(f"{base}:{epoch}:{worker}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


_FRAMEWORKS = ("torch", "tensorflow")


def loaded_frameworks() -> tuple[str, ...]:
    """The frameworks with a global RNG that this process has imported."""
    return tuple(name for name in _FRAMEWORKS if name in sys.modules)


def _seed_framework(name: str, seed: int) -> None:
    module = sys.modules.get(name)
    if module is None:
        try:
            module = __import__(name)
        except ImportError:  # pragma: no cover - the consumer had it, so it is installed
            return
    if name == "torch":
        module.manual_seed(seed)
    elif hasattr(module, "random"):
        module.random.set_seed(seed % 2**31)


def seed_worker(seed: int, frameworks: tuple[str, ...] = ()) -> set[str]:
    """Seed ``random``, NumPy and the frameworks a worker process uses; returns those seeded.

    ``frameworks`` are the ones the consumer process had imported: they are imported here too
    (a spawned worker starts without them, and torch's default seed is a constant, so unseeded
    workers would all draw the same numbers).
    """
    random.seed(seed)
    np = sys.modules.get("numpy")
    if np is not None:
        np.random.seed(seed % 2**32)
    seeded = set()
    for name in _FRAMEWORKS:
        if name in frameworks or name in sys.modules:
            _seed_framework(name, seed)
            seeded.add(name)
    return seeded


def seed_late_imports(seed: int, seeded: set[str]) -> None:
    """Seed a framework that a task imported after the epoch began (once per epoch)."""
    for name in _FRAMEWORKS:
        if name not in seeded and name in sys.modules:
            _seed_framework(name, seed ^ 0x5EED)
            seeded.add(name)
