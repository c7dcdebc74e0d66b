# SPDX-License-Identifier: Apache-2.0
"""``to_torch``: a PyDataset as a torch ``Dataset``/``IterableDataset`` and a ready ``DataLoader``.

torch is imported on the first call, never when cornu_data is imported.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

from cornu_config import filter_traceback
from cornu_data._feed import Feeder

__all__ = ["to_torch"]


def _torch() -> Any:
    try:
        import torch
    except ImportError as e:
        msg = "to_torch needs PyTorch: pip install 'cornu-data[torch]'. Received: torch not installed"
        raise ImportError(msg) from e
    return torch


@functools.lru_cache(maxsize=1)
def _classes() -> tuple[type, type]:
    torch = _torch()
    from torch.utils.data import Dataset, IterableDataset, default_convert

    class PyDatasetTorch(Dataset):
        """Map-style view of a finite PyDataset: item ``i`` is batch ``i`` as tensors.

        For torch's own ``DataLoader`` (with ``batch_size=None``) or samplers such as
        ``DistributedSampler``; torch's workers then run ``__getitem__``.
        """

        def __init__(self, py_dataset: Any) -> None:
            self.py_dataset = py_dataset

        def __len__(self) -> int:
            return int(self.py_dataset.num_batches)

        def __getitem__(self, index: int) -> Any:
            return default_convert(self.py_dataset[index])

    class PyDatasetTorchStream(IterableDataset):
        """Each ``iter()`` is one epoch, made by cornu_data's persistent workers, as tensors."""

        def __init__(self, feeder: Feeder) -> None:
            self.feeder = feeder
            self._epochs = itertools.count()

        def __len__(self) -> int:
            n = self.feeder.num_batches
            if n is None:
                raise TypeError("This dataset is infinite or of unknown length: it has no len().")
            return n

        def __iter__(self) -> Any:
            for batch in self.feeder.epoch(next(self._epochs)):
                yield default_convert(batch)

        def close(self) -> None:
            """Stop the workers."""
            self.feeder.close()

    del torch
    return PyDatasetTorch, PyDatasetTorchStream


@filter_traceback
def to_torch(ds: Any, *, loader: bool = True, shuffle: bool = False, pin_memory: bool | None = None,
             seed: int | None = None, batch_size: int | None = None, start_method: str | None = None) -> Any:
    """A torch ``DataLoader`` (or ``Dataset``) over a PyDataset, arrays or a generator.

    The loader (``loader=True``) iterates an ``IterableDataset`` whose batches come from
    cornu_data's own workers (the PyDataset's ``workers``/``use_multiprocessing``: persistent,
    ordered, seeded, shared memory), so torch runs no workers of its own
    (``num_workers=0``, ``batch_size=None``); NumPy arrays become tensors; each pass over the
    loader is one epoch with ``on_epoch_begin``/``on_epoch_end``. ``pin_memory`` defaults to
    whether CUDA is available.

    With ``loader=False`` a finite PyDataset comes back as a map-style ``Dataset`` (item ``i`` =
    batch ``i`` as tensors) for torch's own ``DataLoader`` and samplers; anything else as the
    ``IterableDataset``.

    Args:
        ds: a PyDataset (or arrays / a generator of batches).
        loader: return a ``DataLoader`` (default) or the dataset.
        shuffle: shuffle the batch order of every epoch (reproducibly from the epoch).
        pin_memory: pin batches in page-locked memory for faster host-to-GPU copies.
        seed: base seed of the shuffle order and of the worker seeds.
        batch_size: rows per batch when ``ds`` is arrays.
        start_method: start method of worker processes (see ``OrderedEnqueuer``).

    Returns:
        A ``torch.utils.data.DataLoader``, or a ``Dataset``/``IterableDataset``.

    Example:
        >>> import torch
        >>> import numpy as np
        >>> from cornu_data import to_torch
        >>> loader = to_torch(np.arange(6.0), batch_size=4)
        >>> [b.tolist() for b in loader]
        [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0]]
    """
    torch = _torch()
    map_style, stream = _classes()
    feeder = Feeder(ds, batch_size=batch_size, shuffle=shuffle, seed=seed, start_method=start_method, arg="ds")
    if not loader:
        if feeder.kind == "pydataset" and feeder.num_batches is not None and not shuffle:
            feeder.close()
            return map_style(ds)
        return stream(feeder)
    if pin_memory is None:
        pin_memory = bool(torch.cuda.is_available())
    return torch.utils.data.DataLoader(stream(feeder), batch_size=None, num_workers=0, pin_memory=pin_memory)
