# SPDX-License-Identifier: Apache-2.0
"""TensorFlow tensors for :mod:`cornu_utils._serialization_tensors` (loaded on first use)."""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

__all__ = ["from_values", "to_numpy"]


def to_numpy(obj: Any) -> tuple[Any, str] | None:
    """``(values as a NumPy array, dtype name)`` of an eager tensor or variable, else ``None``."""
    if not isinstance(obj, (tf.Tensor, tf.Variable)) or not hasattr(obj, "numpy"):
        return None
    return np.asarray(obj.numpy()), obj.dtype.name


def from_values(value: Any, dtype: str, shape: list[int] | None) -> Any:
    """A TensorFlow tensor of ``dtype`` holding ``value`` (nested lists, or real/imag parts)."""
    if isinstance(value, dict):
        array = np.array(value.get("real")) + 1j * np.array(value.get("imag"))
    else:
        array = np.array(value, dtype="float32" if dtype == "bfloat16" else dtype)
    if shape is not None:
        array = array.reshape(shape)
    return tf.cast(tf.constant(array), tf.as_dtype(dtype))
