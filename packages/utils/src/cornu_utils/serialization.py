# SPDX-License-Identifier: Apache-2.0
"""``serialize`` / ``deserialize``: objects to JSON-compatible configs and back, safely.

An object becomes ``{"module", "class_name", "config", "registered_name"}`` (the Keras 3
format); Python numbers, strings, ``None`` and lists stay as they are, and other built-in kinds
get a ``"__<kind>__"`` class name. :func:`deserialize` rebuilds what :func:`serialize` wrote, and
reads Keras 3 configs too.

Safe mode is on unless code turns it off: a serialized lambda is refused, and no module named by
the data is imported (see :mod:`cornu_utils._serialization_lookup`). Whether a call is safe:

1. ``safe_mode=True`` passed to the call: safe;
2. else the innermost open :class:`SafeModeScope`, if any (so ``SafeModeScope(True)`` beats
   ``safe_mode=False``, as in Keras);
3. else ``safe_mode=False`` passed to the call: unsafe;
4. else the global switch: unsafe after ``cornu_config.enable_unsafe_deserialization()``,
   safe otherwise.

Nothing in the data can change this: the answer is fixed when :func:`deserialize` is called
and holds, through a :class:`SafeModeScope`, for every nested call a ``from_config`` makes.
"""

from __future__ import annotations

import types
import warnings
from collections.abc import Mapping
from typing import Any

import cornu_config
from cornu_config import filter_traceback
from cornu_utils import _serialization_builtins as _builtins
from cornu_utils import _serialization_code as _code
from cornu_utils import _serialization_lookup as _lookup
from cornu_utils import _serialization_tensors as _tensors
from cornu_utils import custom_objects as _co

__all__ = ["SafeModeScope", "deserialize", "serialize"]

_PLAIN = (str, int, float, bool, type(None))
_safe_state = cornu_config.register_session_state("cornu_utils.safe_mode_scope", lambda: None)


class SafeModeScope:
    """Force safe mode on (or off) for every :func:`deserialize` call inside a block.

    An open ``SafeModeScope(True)`` keeps safe mode on even for calls that pass
    ``safe_mode=False``; ``SafeModeScope(False)`` turns it off for calls that do not pass
    ``safe_mode=True``. Scopes nest (the innermost counts), are context-local, and
    ``cornu_config.clear_session()`` resets them.

    Args:
        safe_mode: ``True``, ``False``, or ``None`` (no override inside the block).

    Example:
        >>> from cornu_utils import SafeModeScope, deserialize
        >>> code = {"class_name": "__lambda__", "config": {"code": "", "python": "3"}}
        >>> with SafeModeScope(True):
        ...     try:
        ...         deserialize(code, safe_mode=False)
        ...     except ValueError as e:
        ...         print(str(e)[:40])
        Refusing to deserialize a Python lambda
    """

    def __init__(self, safe_mode: bool | None = True) -> None:
        if safe_mode is not None and not isinstance(safe_mode, bool):
            msg = f"`safe_mode` must be True, False or None. Received: safe_mode={safe_mode!r}"
            raise ValueError(msg)
        self.safe_mode = safe_mode
        self._tokens: list[Any] = []

    def __enter__(self) -> SafeModeScope:
        self._tokens.append(_safe_state.set(self.safe_mode))
        return self

    def __exit__(self, *exc_info: object) -> None:
        _safe_state.reset(self._tokens.pop())

    def __repr__(self) -> str:
        return f"SafeModeScope(safe_mode={self.safe_mode!r})"


def _effective_safe_mode(safe_mode: bool | None) -> bool:
    if safe_mode is True:
        return True
    scoped = _safe_state.get()
    if scoped is not None:
        return scoped
    if safe_mode is False:
        return False
    return cornu_config.in_safe_mode() is not False


# ---------------------------------------------------------------------------------- serialize


def _serialize_function(fn: Any) -> dict[str, Any]:
    if isinstance(fn, types.FunctionType) and _code.needs_code(fn):
        warnings.warn(
            f"Serializing {fn.__qualname__!r} as Python bytecode: reloading it needs "
            "`safe_mode=False`, and only works on this Python version. Use a named function "
            "registered with `@cornu_utils.register_serializable()` instead.",
            UserWarning,
            stacklevel=4,
        )
        return _code.dump(fn, _serialize)
    name = getattr(fn, "__qualname__", None) or fn.__name__
    return {
        "module": getattr(fn, "__module__", None),
        "class_name": "function",
        "config": name,
        "registered_name": None,
    }


def _serialize(obj: Any) -> Any:
    kind = type(obj)
    if kind in _PLAIN:
        return obj
    if kind is list:
        return [x if type(x) in _PLAIN else _serialize(x) for x in obj]
    if kind is dict:
        return _builtins.encode_dict(obj, _serialize)
    try:
        key = _co._GLOBAL_CUSTOM_NAMES.get(obj)
    except TypeError:  # unhashable
        key = None
    if key is not None and not isinstance(obj, type):
        return {
            "module": getattr(obj, "__module__", None),
            "class_name": "function",
            "config": key,
            "registered_name": key,
        }
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return _serialize_function(obj)
    if not isinstance(obj, type) and hasattr(kind, "get_config"):
        config = obj.get_config()
        if not isinstance(config, dict):
            msg = f"`get_config()` of {kind.__qualname__} must return a dict. Received: {_builtins.short_repr(config)}"
            raise TypeError(msg)
        return {
            "module": kind.__module__,
            "class_name": kind.__name__,
            "config": {str(k): _serialize(v) for k, v in config.items()},
            "registered_name": _co._GLOBAL_CUSTOM_NAMES.get(kind),
        }
    found = _builtins.encode(obj, _serialize)
    if found is not _builtins.NOT_BUILTIN:
        return found
    tensor = _tensors.encode(obj)
    if tensor is not None:
        return tensor
    what = "a class; serialize an instance of it" if isinstance(obj, type) else f"a {kind.__qualname__}"
    msg = (
        f"Cannot serialize {what}. cornu serializes numbers, strings, lists, tuples, dicts, NumPy "
        "arrays and dtypes, registered functions, and objects with a `get_config()` method. "
        f"Received: obj={_builtins.short_repr(obj)}"
    )
    raise TypeError(msg)


@filter_traceback
def serialize(obj: Any) -> Any:
    """Turn ``obj`` into JSON-compatible data that :func:`deserialize` rebuilds.

    - ``None``, ``bool``, ``int``, ``float``, ``str``: returned as they are; lists and dicts
      (string keys) element by element;
    - tuples, dicts with other keys, bytes, complex numbers, slices, ``Ellipsis``, NumPy
      arrays, scalars, dtypes and scalar types: ``{"class_name": "__<kind>__", "config": …}``;
    - torch, JAX and TensorFlow tensors: ``__tensor__`` (values, dtype, shape), which
      :func:`deserialize` rebuilds as a tensor of the configured backend, as Keras does;
    - an object with ``get_config()``: ``{"module", "class_name", "config",
      "registered_name"}``, its config serialized in turn (``registered_name`` is the
      registry's name for its class, or ``None``);
    - a function: by its registered name, or its module and name; a lambda or local function
      as bytecode (with a warning: reloading it needs ``safe_mode=False``).

    Args:
        obj: what to serialize.

    Returns:
        Data made of dicts, lists, strings, numbers, booleans and ``None``.

    Raises:
        TypeError: for anything else (a class, an object without ``get_config``, an object
            NumPy array).
        ValueError: for an object that contains itself.

    Example:
        >>> from cornu_utils import register_serializable, serialize
        >>> @register_serializable(package="docs_ser")
        ... class Offset:
        ...     def __init__(self, by=1):
        ...         self.by = by
        ...     def get_config(self):
        ...         return {"by": self.by}
        >>> serialize(Offset(by=(1, 2)))["config"]
        {'by': {'class_name': '__tuple__', 'config': {'value': [1, 2]}}}
        >>> serialize(Offset())["registered_name"]
        'docs_ser>Offset'
    """
    try:
        return _serialize(obj)
    except RecursionError:
        msg = f"Cannot serialize an object that contains itself or nests too deeply. Received: obj={_builtins.short_repr(obj)}"
        raise ValueError(msg) from None


# -------------------------------------------------------------------------------- deserialize


class _Context:
    __slots__ = ("explicit", "safe", "tables")

    def __init__(self, explicit: dict[str, Any], safe: bool) -> None:
        self.explicit = explicit
        self.safe = safe
        self.tables = (explicit, _co._scope_objects(), _co._GLOBAL_CUSTOM_OBJECTS)


def _deserialize(config: Any, ctx: _Context) -> Any:
    kind = type(config)
    if kind in _PLAIN:
        return config
    if kind is list or kind is tuple:
        return [x if type(x) in _PLAIN else _deserialize(x, ctx) for x in config]
    if isinstance(config, dict):
        if "class_name" in config and "config" in config:
            return _deserialize_entry(config, ctx)
        return _deserialize_values(config, ctx)
    return config  # already a live object (a from_config may pass one back in)


def _deserialize_values(config: dict[Any, Any], ctx: _Context) -> dict[Any, Any]:
    return {k: v if type(v) in _PLAIN else _deserialize(v, ctx) for k, v in config.items()}


def _deserialize_entry(entry: dict[str, Any], ctx: _Context) -> Any:
    class_name, inner = entry["class_name"], entry["config"]
    if not isinstance(class_name, str) or not class_name:
        msg = f"`class_name` must be a non-empty string. Received: config={_builtins.short_repr(entry)}"
        raise ValueError(msg)
    if class_name == "__lambda__":
        if ctx.safe:
            raise ValueError(f"{_code.REFUSAL} Received: config={_builtins.short_repr(entry)}")
        return _code.load(inner, lambda x: _deserialize(x, ctx))
    if class_name == "__tensor__":
        return _tensors.decode(inner, _builtins.malformed)
    if _builtins.is_builtin_name(class_name):
        return _builtins.decode(class_name, inner, lambda x: _deserialize(x, ctx))
    registered_name, module = entry.get("registered_name"), entry.get("module")
    if class_name == "function":
        if not isinstance(inner, str):
            msg = f"The `config` of a serialized function must be its name. Received: config={_builtins.short_repr(entry)}"
            raise ValueError(msg)
        return _lookup.resolve("function", inner, registered_name, module, ctx.tables, ctx.safe, entry)
    if inner is None:
        inner = {}
    if not isinstance(inner, dict):
        msg = f"The `config` of a serialized {class_name!r} must be a dict. Received: config={_builtins.short_repr(entry)}"
        raise ValueError(msg)
    cls = _lookup.resolve("class", class_name, registered_name, module, ctx.tables, ctx.safe, entry)
    if isinstance(cls, (types.FunctionType, types.BuiltinFunctionType)):
        return cls  # a function given under a class name is returned as it is (as Keras does)
    kwargs = _deserialize_values(inner, ctx)
    from_config = getattr(cls, "from_config", None)
    scope = _co.CustomObjectScope(ctx.explicit) if ctx.explicit else None
    try:
        if scope is not None:
            scope.__enter__()
        return from_config(kwargs) if from_config is not None else cls(**kwargs)
    except TypeError as e:
        how = (
            f"{getattr(cls, '__qualname__', cls)}.from_config"
            if from_config is not None
            else "its constructor"
        )
        msg = f"Could not rebuild {class_name!r} from its config with {how}: {e}. Received: config={_builtins.short_repr(entry)}"
        raise TypeError(msg) from e
    finally:
        if scope is not None:
            scope.__exit__(None, None, None)


@filter_traceback
def deserialize(
    config: Any, custom_objects: Mapping[str, Any] | None = None, safe_mode: bool | None = None
) -> Any:
    """Rebuild what :func:`serialize` produced (or Keras 3 wrote).

    Classes and functions are found by name: in ``custom_objects``, then in the open
    :class:`CustomObjectScope` blocks, then in the registry (:func:`register_serializable`).
    A class is rebuilt with ``cls.from_config(config)`` when it has that method, else
    ``cls(**config)``; the values of its config are rebuilt first (already-rebuilt objects
    pass through ``deserialize`` unchanged, so a Keras-style ``from_config`` that
    deserializes its own values works too). Inside ``from_config``, ``custom_objects`` is in
    scope and safe mode stays as decided for this call.

    A string names an object: ``deserialize("MyObject")`` returns the class or function
    known by that name, or the string itself when nothing is (strings are data too).

    Args:
        config: the serialized data.
        custom_objects: names -> classes or functions; outranks scopes and the registry.
        safe_mode: ``True`` refuses code in the data and never imports a module the data
            names; ``False`` allows both (trusted data only); ``None`` (default) follows the
            open :class:`SafeModeScope` or the global switch, safe unless
            ``cornu_config.enable_unsafe_deserialization()`` was called.

    Returns:
        The rebuilt object.

    Raises:
        ValueError: for a lambda in safe mode (the message says how to allow it), a name
            that cannot be found (the message suggests the nearest known names), a module
            safe mode will not import, or malformed data.
        TypeError: when a class cannot be rebuilt from its config, or for bad arguments.

    Example:
        >>> import numpy as np
        >>> from cornu_utils import deserialize, serialize
        >>> data = serialize({"shape": (2, 3), "weights": np.ones(2, "float32")})
        >>> back = deserialize(data)
        >>> back["shape"], back["weights"].dtype
        ((2, 3), dtype('float32'))
    """
    explicit = _co._check_mapping(custom_objects, "custom_objects")
    if safe_mode is not None and not isinstance(safe_mode, bool):
        msg = f"`safe_mode` must be True, False or None. Received: safe_mode={safe_mode!r}"
        raise ValueError(msg)
    safe = _effective_safe_mode(safe_mode)
    ctx = _Context(explicit, safe)
    if type(config) is str:
        found = _lookup.find((config,), ctx.tables)
        return config if found is _lookup.MISSING else found
    token = _safe_state.set(safe)
    try:
        return _deserialize(config, ctx)
    except RecursionError:
        msg = f"The serialized data nests too deeply to rebuild. Received: config={_builtins.short_repr(config)}"
        raise ValueError(msg) from None
    finally:
        _safe_state.reset(token)
