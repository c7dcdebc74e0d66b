# SPDX-License-Identifier: Apache-2.0
"""``to_tf_dataset``: a PyDataset as a ``tf.data.Dataset`` (TensorFlow imported on first call)."""

from __future__ import annotations

import itertools
import weakref
from typing import Any

from cornu_config import filter_traceback
from cornu_data._feed import Feeder, map_structure

__all__ = ["to_tf_dataset"]


def _tuples(batch: Any) -> Any:
    """tf.data wants tuples, not lists, for positional structures."""
    if isinstance(batch, list):
        return tuple(_tuples(x) for x in batch)
    if isinstance(batch, tuple) and not hasattr(batch, "_fields"):
        return tuple(_tuples(x) for x in batch)
    if isinstance(batch, dict):
        return {k: _tuples(v) for k, v in batch.items()}
    return batch


def _spec(tf: Any, leaf: Any) -> Any:
    import numpy as np

    arr = np.asarray(leaf)
    if arr.dtype.kind in "USO":
        dtype = tf.string
    else:
        dtype = tf.as_dtype(arr.dtype)
    shape = (None, *arr.shape[1:]) if arr.ndim else ()
    return tf.TensorSpec(shape=shape, dtype=dtype)


@filter_traceback
def to_tf_dataset(ds: Any, *, shuffle: bool = False, seed: int | None = None,
                  batch_size: int | None = None, start_method: str | None = None) -> Any:
    """A ``tf.data.Dataset`` of the batches of a PyDataset (or arrays / a generator).

    The element spec is inferred from the first batch: each array leaf becomes a
    ``TensorSpec`` with an unknown batch dimension (the last batch may be smaller) and the
    other dimensions and dtype of that batch; lists become tuples. Each pass over the dataset
    is one epoch made by cornu_data's workers (persistent, ordered, seeded; they stop when the
    dataset object is garbage-collected, or at exit); with workers, tf.data's own autotuning
    is switched off as Keras does. A finite dataset reports its cardinality.

    Args:
        ds: a PyDataset (or arrays / a generator of batches).
        shuffle: shuffle the batch order of every epoch (reproducibly from the epoch).
        seed: base seed of the shuffle order and of the worker seeds.
        batch_size: rows per batch when ``ds`` is arrays.
        start_method: start method of worker processes (see ``OrderedEnqueuer``).

    Raises:
        ValueError: when the data has no batch to infer the spec from.

    Example:
        >>> import tensorflow as tf
        >>> import numpy as np
        >>> from cornu_data import to_tf_dataset
        >>> tfds = to_tf_dataset((np.zeros((5, 2)), np.arange(5)), batch_size=2)
        >>> tfds.element_spec[0].shape.as_list()
        [None, 2]
    """
    try:
        import tensorflow as tf
    except ImportError as e:
        msg = "to_tf_dataset needs TensorFlow: pip install 'cornu-data[tensorflow]'. Received: tensorflow not installed"
        raise ImportError(msg) from e
    feeder = Feeder(ds, batch_size=batch_size, shuffle=shuffle, seed=seed, start_method=start_method, arg="ds")
    first = _first_batch(feeder)
    signature = map_structure(lambda leaf: _spec(tf, leaf), _tuples(first))
    epochs = itertools.count()

    def generate() -> Any:
        for batch in feeder.epoch(next(epochs)):
            yield _tuples(batch)

    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
    weakref.finalize(dataset, feeder.close)  # the workers stop with the dataset (or at exit)
    if feeder.num_batches is not None:
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(feeder.num_batches))
    if feeder.enqueuer is not None:
        options = tf.data.Options()
        options.autotune.enabled = False
        options.threading.private_threadpool_size = 1
        dataset = dataset.with_options(options)
    else:
        dataset = dataset.prefetch(tf.data.AUTOTUNE)
    return dataset


def _first_batch(feeder: Feeder) -> Any:
    if feeder.kind == "pydataset":
        if feeder.num_batches == 0:
            raise ValueError("The PyDataset has length 0: no batch to infer the element spec from. Received: num_batches=0")
        return feeder.data[0]
    if feeder.kind == "arrays":
        return next(feeder._array_epoch(0))
    iterator = feeder._iterator
    try:
        first = next(iterator)  # type: ignore[arg-type]
    except StopIteration:
        raise ValueError("The generator is empty: no batch to infer the element spec from. Received: an exhausted generator") from None
    feeder._iterator = itertools.chain([first], iterator)  # type: ignore[arg-type]
    return first
