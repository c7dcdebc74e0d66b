# SPDX-License-Identifier: Apache-2.0
"""``to_jax``: batches put on a JAX device ahead of use (double-buffered); JAX imported on first use."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator
from typing import Any

from cornu_config import filter_traceback
from cornu_data._feed import Feeder, map_structure

__all__ = ["JaxLoader", "to_jax"]


def _jax() -> Any:
    try:
        import jax
    except ImportError as e:
        msg = "to_jax needs JAX: pip install 'cornu-data[jax]'. Received: jax not installed"
        raise ImportError(msg) from e
    return jax


def _resolve_device(device: Any) -> Any:
    jax = _jax()
    if device is None:
        import cornu_device

        current = cornu_device.current_device()
        if current is None:
            return jax.local_devices()[0]
        device = current
    if isinstance(device, str):
        import cornu_device

        return cornu_device.to_native(device, backend="jax")
    return device  # a jax.Device or a Sharding


class JaxLoader:
    """Iterable of batches on a JAX device; each ``iter()`` is one epoch.

    While the consumer works on batch ``k``, batches ``k+1 … k+buffer_size-1`` are already
    being copied (``jax.device_put`` is asynchronous), so the device is never waiting for the
    host copy. Array and number leaves are moved; other leaves (strings) are left as they are.
    """

    def __init__(self, feeder: Feeder, device: Any, buffer_size: int) -> None:
        self._feeder = feeder
        self.device = device
        self.buffer_size = buffer_size
        self._epochs = itertools.count()

    def __len__(self) -> int:
        n = self._feeder.num_batches
        if n is None:
            raise TypeError("This loader is infinite or of unknown length: it has no len().")
        return n

    def _put(self, batch: Any) -> Any:
        import numpy as np

        jax = _jax()

        def move(leaf: Any) -> Any:
            if isinstance(leaf, (np.ndarray, np.generic, int, float, bool)) and not isinstance(leaf, (str, bytes)):
                if getattr(leaf, "dtype", None) is not None and leaf.dtype.kind in "USO":
                    return leaf
                return jax.device_put(leaf, self.device)
            if isinstance(leaf, jax.Array):
                return jax.device_put(leaf, self.device)
            return leaf

        return map_structure(move, batch)

    def __iter__(self) -> Iterator[Any]:
        ready: deque[Any] = deque()
        batches = self._feeder.epoch(next(self._epochs))
        try:
            for batch in batches:
                ready.append(self._put(batch))
                if len(ready) >= self.buffer_size:
                    yield ready.popleft()
            while ready:
                yield ready.popleft()
        finally:
            batches.close()

    def close(self) -> None:
        """Stop the workers, if any."""
        self._feeder.close()


@filter_traceback
def to_jax(ds: Any, device: Any = None, *, buffer_size: int = 2, shuffle: bool = False,
           seed: int | None = None, batch_size: int | None = None, start_method: str | None = None) -> JaxLoader:
    """An iterable of batches placed on a JAX device, prefetched ``buffer_size`` deep.

    Batches come from cornu_data's workers (the PyDataset's settings) and are put on
    ``device`` with ``jax.device_put`` one batch ahead (double-buffered with the default
    ``buffer_size=2``). Each pass is one epoch.

    Args:
        ds: a PyDataset (or arrays / a generator of batches).
        device: a cornu device string (``"cpu:0"``, ``"gpu:1"``), a ``jax.Device`` or a
            ``jax.sharding.Sharding``; default: the ``cornu_device.device()`` scope, else the
            first local device.
        buffer_size: batches in flight to the device (>= 1; 2 is double buffering).
        shuffle: shuffle the batch order of every epoch (reproducibly from the epoch).
        seed: base seed of the shuffle order and of the worker seeds.
        batch_size: rows per batch when ``ds`` is arrays.
        start_method: start method of worker processes (see ``OrderedEnqueuer``).

    Raises:
        ValueError: an unknown device or a bad ``buffer_size``.

    Example:
        >>> import jax
        >>> import numpy as np
        >>> from cornu_data import to_jax
        >>> batches = to_jax(np.arange(6.0), "cpu:0", batch_size=4)
        >>> [b.tolist() for b in batches]
        [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0]]
    """
    if isinstance(buffer_size, bool) or not isinstance(buffer_size, int) or buffer_size < 1:
        msg = f"`buffer_size` must be a positive integer. Received: buffer_size={buffer_size!r}"
        raise ValueError(msg)
    target = _resolve_device(device)
    feeder = Feeder(ds, batch_size=batch_size, shuffle=shuffle, seed=seed, start_method=start_method, arg="ds")
    return JaxLoader(feeder, target, buffer_size)
