# SPDX-License-Identifier: Apache-2.0
"""Framework tensors in serialized data: ``{"class_name": "__tensor__", "config": {...}}``.

A torch, JAX or TensorFlow tensor is written as its values, dtype and shape (Keras 3's
``__tensor__`` entry plus ``shape``); it is read back as a tensor of the *configured* backend
(``cornu_config.backend()``: a NumPy array on ``numpy``), as Keras does, since the call has no
tensor to take a framework from. The framework code sits in ``_serialization_<framework>.py``,
imported on first use; the data never chooses what is imported.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

__all__ = ["FRAMEWORK_ROOTS", "decode", "encode"]

# type(obj).__module__ roots of tensor types, and the helper module of each framework.
FRAMEWORK_ROOTS = {"torch": "torch", "jax": "jax", "jaxlib": "jax", "tensorflow": "tensorflow"}


def _helper(framework: str) -> Any:
    return importlib.import_module(f"cornu_utils._serialization_{framework}")


def encode(obj: Any) -> dict[str, Any] | None:
    """The ``__tensor__`` config of a framework tensor, or ``None`` when ``obj`` is not one."""
    framework = FRAMEWORK_ROOTS.get(type(obj).__module__.partition(".")[0])
    if framework is None or framework not in sys.modules:
        return None
    found = _helper(framework).to_numpy(obj)
    if found is None:
        return None
    array, dtype = found
    if dtype == "bfloat16":  # NumPy has no bfloat16 of its own: list the values as float32
        array = array.astype("float32")
    if array.dtype.kind not in "biufc":
        msg = f"Only numeric and boolean tensors can be serialized. Received: obj={obj!r:.200}"
        raise TypeError(msg)
    value: Any = array.tolist()
    if array.dtype.kind == "c":
        value = {"real": array.real.tolist(), "imag": array.imag.tolist()}
    return {
        "class_name": "__tensor__",
        "config": {"value": value, "dtype": dtype, "shape": list(array.shape)},
    }


def _numpy_array(value: Any, dtype: str, shape: Any) -> Any:
    import numpy as np

    if dtype == "bfloat16":
        try:
            import ml_dtypes
        except ImportError:
            msg = (
                "Rebuilding a bfloat16 tensor as a NumPy array needs the `ml_dtypes` package "
                "(pip install ml_dtypes), or set a framework backend. Received: dtype='bfloat16'"
            )
            raise ValueError(msg) from None
        return np.array(value, dtype="float32").astype(ml_dtypes.bfloat16).reshape(shape)
    if isinstance(value, dict):
        array = np.array(value.get("real"), dtype=dtype)
        array.imag = np.array(value.get("imag"), dtype=array.real.dtype)
        return array.reshape(shape)
    return np.array(value, dtype=dtype).reshape(shape)


def decode(config: Any, bad: Any) -> Any:
    """A tensor of the configured backend from a ``__tensor__`` config."""
    import cornu_config

    if not isinstance(config, dict) or "value" not in config or not isinstance(config.get("dtype"), str):
        raise bad("__tensor__", config, "expected a dict with `value` and a string `dtype`")
    dtype, value = config["dtype"], config["value"]
    shape = config.get("shape")
    if shape is not None and (
        not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape)
    ):
        raise bad("__tensor__", config, "`shape` must be a list of non-negative integers")
    backend = cornu_config.backend()
    try:
        if backend == "numpy":
            import numpy as np

            return _numpy_array(value, dtype, shape if shape is not None else np.shape(value))
        return _helper(backend).from_values(value, dtype, shape)
    except (TypeError, ValueError) as e:
        if isinstance(e, ValueError) and str(e).startswith("Rebuilding"):
            raise
        raise bad("__tensor__", config, f"cannot build a {backend} tensor of dtype {dtype!r} ({e})") from None
