# SPDX-License-Identifier: Apache-2.0
# Package: cornu-data (module cornu_data.sequence), version 0.1.0
# Source: https://github.com/cornu-dev/cornu/blob/main/packages/data/src/cornu_data/sequence.py
# Copyable: this file imports only the standard library, so it can be copied alone into
# another project (keep this header). Parallel loading lives in cornu_data's enqueuers.
"""``PyDataset`` (Keras 3) and ``Sequence`` (the same class): a dataset of whole batches.

A subclass implements ``__getitem__(index)`` returning one complete batch and either
``__len__`` (the number of batches) or a ``num_batches`` property (``None`` for an infinite
dataset). ``workers``, ``use_multiprocessing`` and ``max_queue_size`` tell loaders (the
enqueuers, ``EpochIterator`` and the framework adapters) how to run ``__getitem__`` in
parallel; iterating the dataset directly is always sequential, as in Keras.

Example:
    >>> class Squares(PyDataset):
    ...     def __init__(self, n, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.n = n
    ...     def __len__(self):
    ...         return self.n
    ...     def __getitem__(self, index):
    ...         return index * index
    >>> list(Squares(4))
    [0, 1, 4, 9]
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from typing import Any

__all__ = ["PyDataset", "Sequence"]

_DEFAULTS = (("_workers", 1), ("_use_multiprocessing", False), ("_max_queue_size", 10))
_SUPER_NOT_CALLED = (
    "Your `PyDataset` class should call `super().__init__(**kwargs)` in its constructor. "
    "`**kwargs` can include `workers`, `use_multiprocessing`, `max_queue_size`. Do not pass "
    "these arguments to `fit()`, as they will be ignored."
)


class PyDataset:
    """Base class of a dataset whose ``__getitem__`` returns a whole batch.

    ``keras.utils.PyDataset`` semantics (``Sequence`` is the same class object): the three
    arguments configure how loaders parallelise ``__getitem__``; they are stored unvalidated,
    as Keras does, and read back through properties with setters. A subclass that forgets
    ``super().__init__(**kwargs)`` still works: the first property read fills in the defaults
    (1, False, 10) and emits one ``UserWarning``.

    Args:
        workers: how many threads or processes run ``__getitem__`` in a loader. Loaders use
            workers when ``workers > 1``, or ``workers > 0`` with ``use_multiprocessing``.
        use_multiprocessing: processes instead of threads (the dataset must then be picklable
            under the ``spawn`` and ``forkserver`` start methods).
        max_queue_size: how many batches a loader prepares ahead.

    Example:
        >>> ds = PyDataset(workers=2, use_multiprocessing=True)
        >>> ds.workers, ds.use_multiprocessing, ds.max_queue_size
        (2, True, 10)
        >>> Sequence is PyDataset
        True
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10) -> None:
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _warn_if_super_not_called(self) -> None:
        missing = False
        for attr, default in _DEFAULTS:
            if not hasattr(self, attr):
                setattr(self, attr, default)
                missing = True
        if missing:
            warnings.warn(_SUPER_NOT_CALLED, UserWarning, stacklevel=3)

    @property
    def workers(self) -> int:
        """Number of worker threads or processes a loader uses."""
        self._warn_if_super_not_called()
        return self._workers

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        """Whether loaders use processes (``True``) or threads (``False``)."""
        self._warn_if_super_not_called()
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = value

    @property
    def max_queue_size(self) -> int:
        """How many batches a loader prepares ahead of the consumer."""
        self._warn_if_super_not_called()
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = value

    def __getitem__(self, index: int) -> Any:
        """The batch at position ``index``; subclasses implement it.

        Raises:
            NotImplementedError: always, in the base class.
        """
        del index
        raise NotImplementedError

    @property
    def num_batches(self) -> int | None:
        """Number of batches, ``len(self)`` by default; ``None`` means infinite.

        Raises:
            NotImplementedError: when the class has neither ``__len__`` nor this property.

        Example:
            >>> class Three(PyDataset):
            ...     def __len__(self):
            ...         return 3
            >>> Three().num_batches
            3
        """
        if hasattr(self, "__len__"):
            return len(self)  # type: ignore[arg-type]
        raise NotImplementedError(
            "You need to implement the `num_batches` property:\n\n"
            "@property\ndef num_batches(self):\n  return ..."
        )

    def __iter__(self) -> Iterator[Any]:
        """Yield ``self[0]``, ``self[1]``, … : ``num_batches`` of them, forever if unknown."""
        indices: Any = None
        try:
            count = self.num_batches
            if count is not None:
                indices = range(count)
        except NotImplementedError:
            pass
        if indices is None:
            indices = itertools.count()
        for index in indices:
            yield self[index]

    def on_epoch_begin(self) -> None:
        """Called by loaders before the first batch of every epoch (no-op here)."""

    def on_epoch_end(self) -> None:
        """Called by loaders after the last batch of every epoch (no-op here)."""


Sequence = PyDataset
