# SPDX-License-Identifier: Apache-2.0
"""One epoch of batches at a time from a PyDataset (with its workers), arrays or a generator.

``EpochIterator`` and the framework adapters share this. A PyDataset uses an
:class:`OrderedEnqueuer` when Keras 3 would (``workers > 1``, or ``workers > 0`` with
``use_multiprocessing``); the enqueuer, and so its workers, lives until :meth:`Feeder.close`.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from typing import Any

__all__ = ["Feeder", "map_structure"]


def map_structure(fn: Any, obj: Any) -> Any:
    """Apply ``fn`` to every leaf of nested tuples, lists and dicts."""
    if isinstance(obj, tuple):
        items = [map_structure(fn, x) for x in obj]
        return type(obj)(*items) if hasattr(obj, "_fields") else tuple(items)
    if isinstance(obj, list):
        return [map_structure(fn, x) for x in obj]
    if isinstance(obj, dict):
        return {k: map_structure(fn, v) for k, v in obj.items()}
    return fn(obj)


def _leaves(obj: Any) -> list[Any]:
    out: list[Any] = []
    map_structure(out.append, obj)
    return out


def _is_pydataset(data: Any) -> bool:
    from cornu_data.sequence import PyDataset

    return isinstance(data, PyDataset)


def _is_array(x: Any) -> bool:
    return hasattr(x, "shape") and hasattr(x, "__getitem__") and hasattr(x, "__len__") and len(getattr(x, "shape", ())) > 0


def _is_arrays(data: Any) -> bool:
    if _is_array(data):
        return True
    if isinstance(data, (tuple, list, dict)) and data:
        leaves = _leaves(data)
        return bool(leaves) and all(_is_array(x) for x in leaves)
    return False


class Feeder:
    """Batches of one epoch at a time; see the module docstring."""

    def __init__(self, data: Any, *, batch_size: int | None = None, shuffle: bool = False,
                 seed: int | None = None, start_method: str | None = None, arg: str = "data") -> None:
        self.data = data
        self.shuffle = bool(shuffle)
        self.seed = seed
        self.enqueuer: Any = None
        self._iterator: Iterator[Any] | None = None
        self._counter: Iterator[int] | None = None
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1):
            msg = f"`batch_size` must be a positive integer or None. Received: batch_size={batch_size!r}"
            raise ValueError(msg)
        if _is_pydataset(data):
            self.kind = "pydataset"
            if batch_size is not None:
                msg = f"`batch_size` is only for arrays: a PyDataset makes whole batches. Received: batch_size={batch_size}"
                raise ValueError(msg)
            workers, use_mp = data.workers, data.use_multiprocessing
            if workers > 1 or (workers > 0 and use_mp):
                from cornu_data.enqueuers import OrderedEnqueuer

                self.enqueuer = OrderedEnqueuer(data, workers=workers, use_multiprocessing=use_mp,
                                                max_queue_size=max(1, data.max_queue_size),
                                                shuffle=self.shuffle, seed=seed, start_method=start_method)
            if self._dataset_batches() is None:
                self._counter = itertools.count()
        elif _is_arrays(data):
            self.kind = "arrays"
            self.batch_size = 32 if batch_size is None else batch_size
            leaves = _leaves(data)
            sizes = {len(x) for x in leaves}
            if len(sizes) != 1:
                msg = f"All arrays in `{arg}` must have the same length (first dimension). Received lengths: {sorted(sizes)}"
                raise ValueError(msg)
            self.size = sizes.pop()
        elif hasattr(data, "__next__") or hasattr(data, "__iter__"):
            self.kind = "iterator"
            if batch_size is not None:
                msg = f"`batch_size` is only for arrays: a generator yields whole batches. Received: batch_size={batch_size}"
                raise ValueError(msg)
            self._iterator = iter(data)
        else:
            msg = (
                f"`{arg}` must be a PyDataset, an array (or a tuple/list/dict of arrays of equal "
                f"length) or a generator/iterator of batches. Received: {arg}={type(data).__name__}"
            )
            raise TypeError(msg)

    def _dataset_batches(self) -> int | None:
        try:
            return self.data.num_batches
        except NotImplementedError:
            return None

    @property
    def num_batches(self) -> int | None:
        """Batches per epoch, or ``None`` when unknown (infinite dataset, generator)."""
        if self.kind == "pydataset":
            return self._dataset_batches()
        if self.kind == "arrays":
            return -(-self.size // self.batch_size)
        return None

    def _indices(self, epoch: int) -> Iterator[int]:
        if self._counter is not None:
            return self._counter
        order = list(range(self._dataset_batches() or 0))
        if self.shuffle:
            random.Random(epoch if self.seed is None else f"{self.seed}:{epoch}").shuffle(order)
        return iter(order)

    def epoch(self, epoch: int) -> Iterator[Any]:
        """Yield the batches of ``epoch``; a PyDataset's hooks run around them.

        ``on_epoch_end`` runs when the epoch is exhausted or when this generator is closed
        early (``close()``), so a loop that stops after ``steps_per_epoch`` still ends the epoch.
        """
        if self.kind == "arrays":
            yield from self._array_epoch(epoch)
            return
        if self.kind == "iterator":
            # A plain loop, not ``yield from``: closing this epoch must not close the generator.
            for batch in self._iterator:  # type: ignore[union-attr]  # noqa: UP028
                yield batch
            return
        self.data.on_epoch_begin()
        try:
            if self.enqueuer is not None:
                self.enqueuer.start(epoch)
                yield from self.enqueuer.get()
            else:
                for index in self._indices(epoch):
                    yield self.data[index]
        finally:
            self.data.on_epoch_end()

    def _array_epoch(self, epoch: int) -> Iterator[Any]:
        import numpy as np

        n, size = self.num_batches or 0, self.batch_size
        order = None
        if self.shuffle:
            seed = [epoch] if self.seed is None else [self.seed, epoch]
            order = np.random.default_rng(seed).permutation(self.size)
        for b in range(n):
            if order is None:
                where: Any = slice(b * size, (b + 1) * size)
            else:
                where = order[b * size : (b + 1) * size]
            yield map_structure(lambda x, where=where: x[where], self.data)

    def close(self) -> None:
        """Stop the workers, if any."""
        if self.enqueuer is not None:
            self.enqueuer.stop()
