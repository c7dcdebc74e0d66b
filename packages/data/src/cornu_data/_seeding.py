# SPDX-License-Identifier: Apache-2.0
"""Per-worker, per-epoch seeds, and what a worker knows about itself (``get_worker_info``)."""

from __future__ import annotations

import hashlib
import importlib.abc
import random
import sys
import threading
from typing import Any, NamedTuple

__all__ = ["WorkerInfo", "derive_seed", "get_worker_info", "seed_worker", "set_worker_info"]


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

    Worker processes seed ``random``, NumPy's global RNG and torch's / TensorFlow's (also
    when ``__getitem__`` imports them later) from ``info.seed`` at every epoch. Threads share
    the process's global RNGs, so they are not reseeded; inside a thread worker (and for JAX,
    which has no global RNG) build a generator from ``info.seed``.

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
_epoch_seed: int | None = None


def _seed_framework(module: Any, name: str, seed: int) -> None:
    if name == "torch":
        module.manual_seed(seed)
    elif hasattr(module, "random"):
        module.random.set_seed(seed % 2**31)


class _SeedingLoader(importlib.abc.Loader):
    """Runs a framework's real loader, then seeds the framework with this epoch's seed."""

    def __init__(self, name: str, loader: Any) -> None:
        self._name, self._loader = name, loader

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        if _epoch_seed is not None:
            _seed_framework(module, self._name, _epoch_seed)


class _SeedOnImport(importlib.abc.MetaPathFinder):
    """Seeds torch / TensorFlow when a worker imports them mid-epoch (lazily, in a task)."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name not in _FRAMEWORKS:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _SeedingLoader(name, spec.loader)
                return spec
        return None


def seed_worker(seed: int) -> None:
    """Seed ``random``, NumPy and torch / TensorFlow in a worker process.

    A framework imported later (by ``__getitem__`` itself) is seeded right after its import:
    torch's default seed is a constant, so unseeded workers would all draw the same numbers.
    Nothing is imported here that the worker does not import itself.
    """
    global _epoch_seed
    _epoch_seed = seed
    random.seed(seed)
    np = sys.modules.get("numpy")
    if np is not None:
        np.random.seed(seed % 2**32)
    for name in _FRAMEWORKS:
        module = sys.modules.get(name)
        if module is not None:
            _seed_framework(module, name, seed)
    if not any(isinstance(f, _SeedOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _SeedOnImport())
