# SPDX-License-Identifier: Apache-2.0
"""torch tensors for :mod:`cornu_utils._serialization_tensors` (loaded on first use)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["from_values", "to_numpy"]


def to_numpy(obj: Any) -> tuple[Any, str] | None:
    """``(values as a NumPy array, dtype name)`` of a torch tensor, else ``None``."""
    if not isinstance(obj, torch.Tensor):
        return None
    t = obj.detach().cpu()
    dtype = str(t.dtype).removeprefix("torch.")
    if t.dtype == torch.bfloat16:
        t = t.float()
    return t.resolve_conj().resolve_neg().numpy(), dtype


def from_values(value: Any, dtype: str, shape: list[int] | None) -> Any:
    """A CPU torch tensor of ``dtype`` holding ``value`` (nested lists, or real/imag parts)."""
    target = getattr(torch, dtype, None)
    if not isinstance(target, torch.dtype):
        msg = f"torch has no dtype {dtype!r}"
        raise ValueError(msg)
    if isinstance(value, dict):
        array = np.array(value.get("real")) + 1j * np.array(value.get("imag"))
    else:
        array = np.array(value, dtype="float32" if dtype == "bfloat16" else dtype)
    if shape is not None:
        array = array.reshape(shape)
    return torch.as_tensor(array).to(target)
