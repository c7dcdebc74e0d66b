# SPDX-License-Identifier: Apache-2.0
"""JAX arrays for :mod:`cornu_utils._serialization_tensors` (loaded on first use)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["from_values", "to_numpy"]


def to_numpy(obj: Any) -> tuple[Any, str] | None:
    """``(values as a NumPy array, dtype name)`` of a JAX array, else ``None``."""
    if not isinstance(obj, jax.Array):
        return None
    return np.asarray(obj), obj.dtype.name


def from_values(value: Any, dtype: str, shape: list[int] | None) -> Any:
    """A JAX array of ``dtype`` holding ``value`` (nested lists, or real/imag parts)."""
    if isinstance(value, dict):
        array = np.array(value.get("real")) + 1j * np.array(value.get("imag"))
    else:
        array = np.array(value, dtype="float32" if dtype == "bfloat16" else dtype)
    if shape is not None:
        array = array.reshape(shape)
    return jnp.asarray(array, dtype=jnp.dtype(dtype))
