# SPDX-License-Identifier: Apache-2.0
"""Per-rank views of data: every ``world_size``-th batch starting at ``rank``.

Across ranks ``0..world_size-1`` the views cover every batch exactly once (no duplicate, no
drop); when the count does not divide, the first ranks hold one batch more.
"""

from __future__ import annotations

import collections.abc
import itertools
from collections.abc import Iterator
from typing import Any

from cornu_parallel._split import is_batch_leaf, map_structure

__all__ = ["shard_data", "shard_length"]


def shard_length(total: int, rank: int, world_size: int) -> int:
    """How many of ``total`` items rank ``rank`` gets (``rank, rank + n, ...``)."""
    return max(0, (total - rank + world_size - 1) // world_size)


def _sharded_dataset_class() -> type:
    from cornu_data.sequence import PyDataset

    class ShardedPyDataset(PyDataset):
        """Batches ``rank, rank + world_size, ...`` of a PyDataset (or any batch sequence)."""

        def __init__(self, dataset: Any, rank: int, world_size: int) -> None:
            super().__init__(
                workers=getattr(dataset, "workers", 1),
                use_multiprocessing=getattr(dataset, "use_multiprocessing", False),
                max_queue_size=getattr(dataset, "max_queue_size", 10),
            )
            self.dataset = dataset
            self.rank = rank
            self.world_size = world_size

        def _total(self) -> int | None:
            count = getattr(self.dataset, "num_batches", None)
            if count is None and not isinstance(self.dataset, PyDataset):
                count = len(self.dataset)
            return count

        @property
        def num_batches(self) -> int | None:
            total = self._total()
            return None if total is None else shard_length(total, self.rank, self.world_size)

        def __len__(self) -> int:
            count = self.num_batches
            if count is None:
                msg = "This shard of an infinite dataset has no length (num_batches is None)."
                raise TypeError(msg)
            return count

        def __getitem__(self, index: int) -> Any:
            count = self.num_batches
            if count is not None:
                if index < 0:
                    index += count
                if not 0 <= index < count:
                    msg = f"Shard index out of range: this shard has {count} batches. Received: index={index}"
                    raise IndexError(msg)
            elif index < 0:
                msg = f"A shard of an infinite dataset takes indices >= 0. Received: index={index}"
                raise IndexError(msg)
            return self.dataset[self.rank + index * self.world_size]

        def on_epoch_begin(self) -> None:
            hook = getattr(self.dataset, "on_epoch_begin", None)
            if hook is not None:
                hook()

        def on_epoch_end(self) -> None:
            hook = getattr(self.dataset, "on_epoch_end", None)
            if hook is not None:
                hook()

    return ShardedPyDataset


class ShardedIterable:
    """Items ``rank, rank + world_size, ...`` of an iterable, re-iterable when the source is.

    A generator is consumed once, as usual; a re-iterable source (a ``DataLoader``, a list)
    gives a fresh shard on every ``iter()``, so one object serves every epoch.
    """

    def __init__(self, iterable: Any, rank: int, world_size: int) -> None:
        self.iterable = iterable
        self.rank = rank
        self.world_size = world_size
        self._stream: Iterator[Any] | None = None

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.iterable, collections.abc.Iterator):  # one-shot: one shared stream
            if self._stream is None:
                self._stream = itertools.islice(self.iterable, self.rank, None, self.world_size)
            return self._stream
        return itertools.islice(iter(self.iterable), self.rank, None, self.world_size)

    def __next__(self) -> Any:  # a generator in gives an iterator out
        if self._stream is None:
            self._stream = itertools.islice(iter(self.iterable), self.rank, None, self.world_size)
        return next(self._stream)


_CLASS: list[type] = []


def shard_data(dataset: Any, rank: int, world_size: int) -> Any:
    """The part of ``dataset`` rank ``rank`` of ``world_size`` sees; see ``distributed.shard``."""
    if world_size == 1:
        return dataset
    if is_batch_leaf(dataset):
        return dataset[rank::world_size]
    if isinstance(dataset, (dict, tuple)) and dataset:
        leaves: list[Any] = []
        map_structure(leaves.append, dataset)
        if all(is_batch_leaf(leaf) for leaf in leaves):
            return map_structure(lambda a: a[rank::world_size], dataset)
    shard_method = getattr(dataset, "shard", None)
    if callable(shard_method) and type(dataset).__module__.startswith("tensorflow"):
        return dataset.shard(world_size, rank)  # tf.data.Dataset
    if hasattr(dataset, "__getitem__") and (hasattr(dataset, "__len__") or hasattr(dataset, "num_batches")):
        if isinstance(dataset, list):
            return dataset[rank::world_size]
        if not _CLASS:
            _CLASS.append(_sharded_dataset_class())
        return _CLASS[0](dataset, rank, world_size)
    if hasattr(dataset, "__iter__"):
        return ShardedIterable(dataset, rank, world_size)
    msg = (
        "`dataset` must be a PyDataset (or any sequence of batches), an array or a dict/tuple "
        f"of arrays, a tf.data.Dataset, or an iterable/generator of batches. Received: dataset={dataset!r}"
    )
    raise ValueError(msg)
