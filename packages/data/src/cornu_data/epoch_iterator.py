# SPDX-License-Identifier: Apache-2.0
"""``EpochIterator``: epochs × steps over a PyDataset, arrays or a generator, with Keras's caps."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

from cornu_config import filter_traceback
from cornu_data._feed import Feeder

__all__ = ["EpochIterator"]

_RAN_OUT = (
    "Your input ran out of data; interrupting training. Make sure that your dataset or "
    "generator can generate at least `steps_per_epoch * epochs` batches."
)


def _positive_int(name: str, value: Any, allow_none: bool) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        allowed = "a positive integer or None" if allow_none else "a positive integer"
        msg = f"`{name}` must be {allowed}. Received: {name}={value!r}"
        raise ValueError(msg)
    return value


class EpochIterator:
    """Iterate ``(epoch, step, batch)`` over ``epochs`` epochs of ``data``.

    ``data`` is a ``PyDataset`` (its ``workers``/``use_multiprocessing``/``max_queue_size``
    decide the workers, which persist across epochs and stop when iteration ends), an array or
    a tuple/list/dict of arrays (sliced into ``batch_size`` rows), or a generator of batches
    (one stream shared by all epochs). The PyDataset's ``on_epoch_begin``/``on_epoch_end`` run
    around every epoch, also one cut short by ``steps_per_epoch``.

    ``cornu_config.max_epochs()`` and ``max_steps_per_epoch()`` cap the run as in Keras: a cap
    below the request (or a step cap when ``steps_per_epoch`` is ``None``) warns
    ``"Limiting epochs to N"`` / ``"Limiting steps_per_epoch to N"``; a cap of 0 means none.
    When the data runs out before ``steps_per_epoch`` steps, a warning says so and the
    iteration ends.

    Args:
        data: a PyDataset, arrays, or a generator/iterator of batches.
        epochs: number of epochs (>= 1).
        steps_per_epoch: batches per epoch; default: one pass over the data.
        shuffle: shuffle the batch order (PyDataset) or the rows (arrays) of every epoch,
            reproducibly from the epoch number (and ``seed``).
        batch_size: rows per batch for arrays (default 32).
        initial_epoch: the epoch to start at (for resuming).
        verbose: 0 silent, 1 a progress bar per epoch, 2 one line per epoch
            (``cornu_utils.Progbar``).
        seed: base seed of the shuffle order and of the worker seeds.
        start_method: start method of worker processes (see ``OrderedEnqueuer``).

    Example:
        >>> import numpy as np
        >>> from cornu_data import EpochIterator
        >>> x = np.arange(10)
        >>> [(e, s, b.tolist()) for e, s, b in EpochIterator(x, epochs=2, batch_size=4, steps_per_epoch=2)]
        [(0, 0, [0, 1, 2, 3]), (0, 1, [4, 5, 6, 7]), (1, 0, [0, 1, 2, 3]), (1, 1, [4, 5, 6, 7])]
    """

    @filter_traceback
    def __init__(self, data: Any, epochs: int = 1, steps_per_epoch: int | None = None, shuffle: bool = False,
                 *, batch_size: int | None = None, initial_epoch: int = 0, verbose: int = 0,
                 seed: int | None = None, start_method: str | None = None) -> None:
        import cornu_config

        epochs = _positive_int("epochs", epochs, allow_none=False)  # type: ignore[assignment]
        steps_per_epoch = _positive_int("steps_per_epoch", steps_per_epoch, allow_none=True)
        if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, int) or initial_epoch < 0:
            msg = f"`initial_epoch` must be a non-negative integer. Received: initial_epoch={initial_epoch!r}"
            raise ValueError(msg)
        if verbose not in (0, 1, 2):
            msg = f"`verbose` must be 0, 1 or 2. Received: verbose={verbose!r}"
            raise ValueError(msg)
        cap = cornu_config.max_epochs()
        if cap and cap < epochs:
            warnings.warn(f"Limiting epochs to {cap}", UserWarning, stacklevel=3)
            epochs = cap
        step_cap = cornu_config.max_steps_per_epoch()
        if step_cap and (not steps_per_epoch or step_cap < steps_per_epoch):
            warnings.warn(f"Limiting steps_per_epoch to {step_cap}", UserWarning, stacklevel=3)
            steps_per_epoch = step_cap
        self.epochs = epochs
        self.steps_per_epoch = steps_per_epoch
        self.initial_epoch = initial_epoch
        self.verbose = verbose
        self._progbar_class = _progbar_class() if verbose else None
        self._feeder = Feeder(data, batch_size=batch_size, shuffle=shuffle, seed=seed, start_method=start_method)
        self._exhausted = False

    @property
    def num_batches(self) -> int | None:
        """Steps per epoch: ``steps_per_epoch`` when set, else the data's batch count (or None)."""
        return self.steps_per_epoch or self._feeder.num_batches

    def __iter__(self) -> Iterator[tuple[int, int, Any]]:
        try:
            for epoch in range(self.initial_epoch, self.epochs):
                if self._exhausted:
                    return
                yield from self._one_epoch(epoch)
        finally:
            self.close()

    def _one_epoch(self, epoch: int) -> Iterator[tuple[int, int, Any]]:
        target = self.num_batches
        bar = None
        if self._progbar_class is not None:
            from cornu_config import print_msg

            print_msg(f"Epoch {epoch + 1}/{self.epochs}")
            bar = self._progbar_class(target, verbose=self.verbose)
        batches = self._feeder.epoch(epoch)
        step = 0
        try:
            while self.steps_per_epoch is None or step < self.steps_per_epoch:
                try:
                    batch = next(batches)
                except StopIteration:
                    break
                yield epoch, step, batch
                step += 1
                if bar is not None:
                    bar.update(step)
        finally:
            batches.close()
        if bar is not None and (target is None or step < target):
            bar.update(step, finalize=True)  # reaching the target finalized it already
        ran_short = self.steps_per_epoch is not None and step < self.steps_per_epoch
        if ran_short or (step == 0 and self._feeder.kind == "iterator"):
            warnings.warn(_RAN_OUT, UserWarning, stacklevel=3)
            self._exhausted = True

    def close(self) -> None:
        """Stop the workers of a PyDataset (also done when iteration ends or is abandoned).

        Example:
            >>> from cornu_data import EpochIterator
            >>> it = EpochIterator([[1, 2], [3, 4]], epochs=1)
            >>> it.close()
        """
        self._feeder.close()

    def __enter__(self) -> EpochIterator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _progbar_class() -> Any:
    try:
        from cornu_utils import Progbar
    except ImportError as e:
        msg = "A progress bar (verbose=1 or 2) needs cornu_utils.Progbar: pip install cornu-utils. Received: verbose>0"
        raise ImportError(msg) from e
    return Progbar
