# SPDX-License-Identifier: Apache-2.0
"""Batches from worker processes through shared memory instead of pickles.

A worker owns a few reusable *slots* (one ``multiprocessing.shared_memory`` segment each,
grown when a batch does not fit). It copies every NumPy array (and CPU torch tensor) of a
batch into the slot the consumer assigned, and sends only a small description: the batch's
structure with the arrays replaced by references, and the segment's name. The consumer maps
the segment once and hands out views of it; the slot goes back to the worker when the
consumer has dropped every array of that batch. Array data is never pickled, and copied
once: by the worker, into the slot.

Segment names are ``cnd<token>_<worker>_<slot>_<generation>``: ``token`` is random per pool,
so :func:`unlink_all` can find every segment a pool made (even one a killed worker never
reported) by listing ``/dev/shm``.
"""

from __future__ import annotations

import os
import secrets
import weakref
from multiprocessing import resource_tracker, shared_memory
from typing import Any

__all__ = ["ShmReader", "ShmWriter", "new_token", "unlink_all"]

_ALIGN = 64
_SHM_DIR = "/dev/shm"


def new_token() -> str:
    """A random name prefix for the segments of one pool."""
    return "cnd" + secrets.token_hex(4)


class _Ref:
    """Stands for the ``i``-th array of a batch in the pickled structure."""

    __slots__ = ("i",)

    def __init__(self, i: int) -> None:
        self.i = i

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Ref, (self.i,))


def _is_torch_cpu(x: Any) -> bool:
    mod = type(x).__module__
    if not mod.startswith("torch") or not hasattr(x, "detach"):
        return False
    try:
        return x.device.type == "cpu" and x.layout.__repr__() == "torch.strided"
    except Exception:
        return False


def _strip(obj: Any, arrays: list[tuple[Any, str]]) -> Any:
    """Replace arrays by ``_Ref`` in nested tuples, lists and dicts; collect the arrays."""
    import numpy as np

    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            return obj
        arrays.append((obj, "numpy"))
        return _Ref(len(arrays) - 1)
    if _is_torch_cpu(obj):
        try:
            view = obj.detach().numpy()
        except Exception:
            return obj
        arrays.append((view, "torch"))
        return _Ref(len(arrays) - 1)
    if isinstance(obj, tuple):
        items = [_strip(x, arrays) for x in obj]
        return type(obj)(*items) if hasattr(obj, "_fields") else type(obj)(items)
    if isinstance(obj, list):
        return [_strip(x, arrays) for x in obj]
    if isinstance(obj, dict):
        stripped = {k: _strip(v, arrays) for k, v in obj.items()}
        return stripped if type(obj) is dict else type(obj)(stripped)
    return obj


def _fill(obj: Any, arrays: list[Any]) -> Any:
    if isinstance(obj, _Ref):
        return arrays[obj.i]
    if isinstance(obj, tuple):
        items = [_fill(x, arrays) for x in obj]
        return type(obj)(*items) if hasattr(obj, "_fields") else type(obj)(items)
    if isinstance(obj, list):
        return [_fill(x, arrays) for x in obj]
    if isinstance(obj, dict):
        filled = {k: _fill(v, arrays) for k, v in obj.items()}
        return filled if type(obj) is dict else type(obj)(filled)
    return obj


class ShmWriter:
    """Worker side: writes batches into this worker's slots."""

    def __init__(self, token: str, worker: int) -> None:
        self.token = token
        self.worker = worker
        self._slots: dict[int, tuple[shared_memory.SharedMemory, int]] = {}

    def _segment(self, slot: int, size: int) -> shared_memory.SharedMemory:
        current = self._slots.get(slot)
        if current is not None and current[0].size >= size:
            return current[0]
        generation = 0
        if current is not None:
            old, generation = current
            generation += 1
            old.close()
            old.unlink()  # the consumer copied everything out of it before reassigning the slot
            size = max(size, old.size + old.size // 4)
        size = max(size, 4096)
        name = f"{self.token}_{self.worker}_{slot}_{generation}"
        shm = shared_memory.SharedMemory(name=name, create=True, size=size)
        self._slots[slot] = (shm, generation)
        return shm

    def encode(self, batch: Any, slot: int) -> tuple[Any, str | None, list[tuple[int, tuple[int, ...], Any, str]]]:
        """Copy the arrays of ``batch`` into ``slot``; return ``(structure, segment, metas)``."""
        import numpy as np

        arrays: list[tuple[Any, str]] = []
        skeleton = _strip(batch, arrays)
        if not arrays:
            return skeleton, None, []
        metas = []
        offset = 0
        for arr, kind in arrays:
            metas.append((offset, arr.shape, arr.dtype, kind))
            offset += -(-arr.nbytes // _ALIGN) * _ALIGN
        shm = self._segment(slot, offset)
        for (arr, _), (off, shape, dtype, _) in zip(arrays, metas):
            if arr.nbytes:
                dst = np.ndarray(shape, dtype=dtype, buffer=shm.buf, offset=off)
                np.copyto(dst, arr, casting="no")
                del dst
        return skeleton, shm.name, metas

    def close(self) -> None:
        """Unmap the slots; the consumer unlinks them."""
        for shm, _ in self._slots.values():
            try:
                shm.close()
            except BufferError:  # pragma: no cover - no views are kept
                pass
        self._slots.clear()


class ShmReader:
    """Consumer side: maps each worker slot once and hands out batches without copying them.

    The arrays of a delivered batch are views of the slot's mapping. The slot goes back to
    its worker (``release`` is called) only when every array of that batch has been garbage
    collected, so a batch the consumer keeps is never overwritten. The mapping itself is a
    plain ``mmap`` that the views keep alive: closing the reader while the consumer still
    holds batches is safe (the memory is unmapped when the last view goes).
    """

    def __init__(self) -> None:
        self._mapped: dict[tuple[int, int], tuple[str, Any]] = {}
        self._names: set[str] = set()

    def _map(self, worker: int, slot: int, name: str) -> Any:
        current = self._mapped.get((worker, slot))
        if current is not None and current[0] == name:
            return current[1]
        mapping = _attach(name)
        self._mapped[(worker, slot)] = (name, mapping)  # a grown slot replaces the old mapping
        self._names.add(name)
        return mapping

    def decode(self, worker: int, slot: int, payload: tuple[Any, str | None, list[Any]], release: Any) -> Any:
        """The batch described by ``payload``; ``release()`` runs once its arrays are gone."""
        skeleton, name, metas = payload
        if name is None:
            release()
            return skeleton
        import numpy as np

        mapping = self._map(worker, slot, name)
        total = max(off + int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
                    for off, shape, dtype, _ in metas)
        base = np.frombuffer(mapping, dtype=np.uint8, count=total) if total else None
        arrays = []
        for off, shape, dtype, kind in metas:
            nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
            if nbytes and base is not None:
                out = base[off : off + nbytes].view(dtype).reshape(shape)
            else:
                out = np.empty(shape, dtype=dtype)
            if kind == "torch":
                import torch

                out = torch.from_numpy(out)
            arrays.append(out)
        if base is None:
            release()
        else:
            weakref.finalize(base, release)
        return _fill(skeleton, arrays)

    def close(self) -> None:
        """Forget the mappings (views still held keep theirs) and unlink every segment seen."""
        self._mapped.clear()
        for name in self._names:
            _unlink(name)
        self._names.clear()


def _attach(name: str) -> Any:
    """A read-write ``mmap`` of an existing segment (not registered with the resource tracker)."""
    import mmap

    try:
        from _posixshmem import shm_open
    except ImportError:  # pragma: no cover - Windows: named mappings close with their handles
        shm = shared_memory.SharedMemory(name=name)
        _KEEP.append(shm)
        return shm.buf
    fd = shm_open("/" + name, os.O_RDWR, 0o600)
    try:
        return mmap.mmap(fd, os.fstat(fd).st_size)
    finally:
        os.close(fd)


_KEEP: list[Any] = []


def _unlink(name: str) -> bool:
    """Unlink a segment a worker created (and registered with the resource tracker)."""
    try:
        from _posixshmem import shm_unlink
    except ImportError:  # pragma: no cover - Windows
        return False
    try:
        shm_unlink("/" + name)
    except FileNotFoundError:
        return False
    try:
        resource_tracker.unregister("/" + name, "shared_memory")
    except Exception:
        pass
    return True


def unlink_all(token: str) -> list[str]:
    """Unlink every segment whose name starts with ``token``; return the names removed."""
    if not os.path.isdir(_SHM_DIR):  # pragma: no cover - macOS has no listing
        return []
    return [entry for entry in os.listdir(_SHM_DIR) if entry.startswith(token + "_") and _unlink(entry)]
