# SPDX-License-Identifier: Apache-2.0
"""Encoding of the built-in kinds :func:`cornu_utils.serialize` handles without a registry.

Each kind becomes ``{"class_name": "__<kind>__", "config": {...}}`` (the Keras 3 spelling where
Keras has one, so Keras-written ``__numpy__``, ``__bytes__``, ``__slice__`` and
``__ellipsis__`` entries read back too): tuples, dicts that JSON cannot hold as they are (keys
that are not strings, or keys that would read as an object), bytes, complex numbers, slices,
``Ellipsis``, NumPy arrays, scalars, dtypes and scalar types. numpy is imported only when a
NumPy object is met (encoding: it is already imported) or decoded.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["NOT_BUILTIN", "decode", "encode", "is_builtin_name", "malformed", "short_repr"]

NOT_BUILTIN = object()
# dtype kinds whose values survive ``tolist()`` as JSON numbers, booleans or strings.
_ARRAY_KINDS = frozenset("biufcU")
_NAMES = frozenset(
    {
        "__tuple__",
        "__dict__",
        "__bytes__",
        "__complex__",
        "__slice__",
        "__ellipsis__",
        "__numpy__",
        "__numpy_dtype__",
    }
)

Encoder = Callable[[Any], Any]
_PLAIN = (str, int, float, bool, type(None))


def short_repr(value: Any, limit: int = 300) -> str:
    """A bounded ``repr`` for error messages: safe on huge or deeply nested data."""
    import reprlib

    r = reprlib.Repr()
    r.maxlevel, r.maxdict, r.maxlist, r.maxtuple, r.maxstring, r.maxother = 5, 8, 8, 8, 120, 120
    text = r.repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def is_builtin_name(class_name: str) -> bool:
    """Whether ``class_name`` is one of the kinds this module decodes."""
    return class_name in _NAMES


def _dtype_name(dtype: Any) -> str:
    if dtype.kind not in _ARRAY_KINDS:
        msg = (
            "Only NumPy dtypes of booleans, integers, floats, complex numbers and unicode strings "
            f"can be serialized. Received: dtype={dtype!r}"
        )
        raise TypeError(msg)
    return dtype.str.lstrip("<>=|") if dtype.kind == "U" else dtype.name


def _encode_numpy(obj: Any, np: Any) -> Any:
    if isinstance(obj, np.ndarray):
        name = _dtype_name(obj.dtype)
        if obj.dtype.kind == "c":
            value: Any = {"real": obj.real.tolist(), "imag": obj.imag.tolist()}
        else:
            value = obj.tolist()
        return {
            "class_name": "__numpy__",
            "config": {"value": value, "dtype": name, "shape": list(obj.shape)},
        }
    if isinstance(obj, np.generic):
        name = _dtype_name(obj.dtype)
        item = obj.item()
        value = {"real": item.real, "imag": item.imag} if isinstance(item, complex) else item
        return {
            "class_name": "__numpy__",
            "config": {"value": value, "dtype": name, "shape": [], "scalar": True},
        }
    if isinstance(obj, np.dtype):
        return {"class_name": "__numpy_dtype__", "config": {"name": _dtype_name(obj)}}
    if isinstance(obj, type) and issubclass(obj, np.generic):
        return {"class_name": "__numpy_dtype__", "config": {"name": _dtype_name(np.dtype(obj)), "type": True}}
    return NOT_BUILTIN


def encode(obj: Any, encode_item: Encoder) -> Any:
    """The config of ``obj`` if it is a built-in kind, else :data:`NOT_BUILTIN`."""
    np = sys.modules.get("numpy")
    if np is not None:
        found = _encode_numpy(obj, np)
        if found is not NOT_BUILTIN:
            return found
    if isinstance(obj, (bool, int, float, str)):  # subclasses, such as IntEnum: their plain value
        base = next(t for t in (bool, int, float, str) if isinstance(obj, t))
        return base.__str__(obj) if base is str else base(obj)
    if isinstance(obj, tuple):
        return {"class_name": "__tuple__", "config": {"value": [encode_item(x) for x in obj]}}
    if isinstance(obj, list):
        return [encode_item(x) for x in obj]
    if isinstance(obj, dict):
        return encode_dict(obj, encode_item)
    if isinstance(obj, (bytes, bytearray)):
        text = base64.b64encode(bytes(obj)).decode("ascii")
        return {"class_name": "__bytes__", "config": {"value": text, "encoding": "base64"}}
    if isinstance(obj, complex):
        return {"class_name": "__complex__", "config": {"real": obj.real, "imag": obj.imag}}
    if isinstance(obj, slice):
        config = {
            "start": encode_item(obj.start),
            "stop": encode_item(obj.stop),
            "step": encode_item(obj.step),
        }
        return {"class_name": "__slice__", "config": config}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    return NOT_BUILTIN


def encode_dict(obj: dict[Any, Any], encode_item: Encoder) -> dict[str, Any]:
    """A dict as it is when JSON can hold it unambiguously, else as ``__dict__`` pairs."""
    plain = all(type(k) is str for k in obj) and not ("class_name" in obj and "config" in obj)
    if plain:
        return {k: v if type(v) in _PLAIN else encode_item(v) for k, v in obj.items()}
    items = [[encode_item(k), encode_item(v)] for k, v in obj.items()]
    return {"class_name": "__dict__", "config": {"items": items}}


def malformed(class_name: str, config: Any, what: str) -> ValueError:
    return ValueError(f"Malformed `{class_name}` entry: {what}. Received: config={short_repr(config)}")


def _numpy_dtype(np: Any, name: Any, class_name: str, config: Any) -> Any:
    if not isinstance(name, str):
        raise malformed(class_name, config, "the dtype must be a string")
    try:
        dtype = np.dtype(name)
    except TypeError:
        raise malformed(class_name, config, f"{name!r} is not a NumPy dtype") from None
    if dtype.kind not in _ARRAY_KINDS:
        raise malformed(
            class_name, config, f"dtype {name!r} is not one cornu rebuilds (kinds {sorted(_ARRAY_KINDS)})"
        )
    return dtype


def _decode_numpy(config: Any) -> Any:
    import numpy as np

    if not isinstance(config, dict) or "value" not in config:
        raise malformed("__numpy__", config, "expected a dict with `value` and `dtype`")
    dtype = _numpy_dtype(np, config.get("dtype", "float64"), "__numpy__", config)
    value = config["value"]
    if dtype.kind == "c" and isinstance(value, dict):
        array = np.array(value.get("real"), dtype=dtype)
        array.imag = np.array(value.get("imag"), dtype=array.real.dtype)
    else:
        array = np.array(value, dtype=dtype)
    shape = config.get("shape")
    if shape is not None:
        if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape):
            raise malformed("__numpy__", config, "`shape` must be a list of non-negative integers")
        if array.size != _product(shape):
            raise malformed("__numpy__", config, f"{array.size} values do not fill shape {shape}")
        array = array.reshape(shape)
    return array[()] if config.get("scalar") is True else array


def _product(shape: list[int]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def decode(class_name: str, config: Any, decode_item: Callable[[Any], Any]) -> Any:
    """Rebuild a built-in kind named ``class_name`` from its ``config``."""
    if class_name == "__numpy__":
        return _decode_numpy(config)
    if not isinstance(config, dict):
        raise malformed(class_name, config, "`config` must be a dict")
    if class_name == "__tuple__":
        value = config.get("value")
        if not isinstance(value, list):
            raise malformed(class_name, config, "`value` must be a list")
        return tuple(decode_item(x) for x in value)
    if class_name == "__dict__":
        items = config.get("items")
        if not isinstance(items, list) or not all(isinstance(p, list) and len(p) == 2 for p in items):
            raise malformed(class_name, config, "`items` must be a list of [key, value] pairs")
        return {_hashable(decode_item(k), config): decode_item(v) for k, v in items}
    if class_name == "__bytes__":
        value = config.get("value")
        if not isinstance(value, str):
            raise malformed(class_name, config, "`value` must be a string")
        if config.get("encoding") == "base64":
            return base64.b64decode(value.encode("ascii"), validate=True)
        return value.encode("utf-8")  # Keras 3 writes bytes as UTF-8 text
    if class_name == "__complex__":
        real, imag = config.get("real"), config.get("imag")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (real, imag)):
            raise malformed(class_name, config, "`real` and `imag` must be numbers")
        return complex(real, imag)
    if class_name == "__slice__":
        return slice(
            decode_item(config.get("start")), decode_item(config.get("stop")), decode_item(config.get("step"))
        )
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__numpy_dtype__":
        import numpy as np

        dtype = _numpy_dtype(np, config.get("name"), class_name, config)
        return dtype.type if config.get("type") is True else dtype
    raise malformed(class_name, config, "unknown built-in kind")


def _hashable(key: Any, config: Any) -> Any:
    try:
        hash(key)
    except TypeError:
        raise malformed("__dict__", config, f"key {key!r} is not hashable") from None
    return key
