# SPDX-License-Identifier: Apache-2.0
"""Python code in serialized data: lambdas and local functions, as marshalled bytecode.

Loading code runs whatever the data holds, so :func:`load` refuses unless safe mode is off;
the refusal says how to turn it off. Bytecode only runs on the Python version that wrote it,
which is recorded and checked. Keras's ``__lambda__`` format (``[code, defaults, closure]``)
is read too.
"""

from __future__ import annotations

import base64
import builtins
import importlib
import marshal
import sys
import types
from collections.abc import Callable
from typing import Any

from cornu_utils._serialization_builtins import short_repr

__all__ = ["REFUSAL", "dump", "load", "needs_code"]

REFUSAL = (
    "Refusing to deserialize a Python lambda or local function (marshalled code): loading it "
    "would run arbitrary code from the data. If you trust where this data came from, pass "
    "`safe_mode=False` to `deserialize`, or call `cornu_config.enable_unsafe_deserialization()` "
    "for the whole process (an enclosing `SafeModeScope(True)` keeps safe mode on regardless). "
    "Better: use a named function registered with `@cornu_utils.register_serializable()`."
)


def _python() -> str:
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def needs_code(fn: types.FunctionType) -> bool:
    """Whether ``fn`` cannot be found again by module and name (a lambda or local function)."""
    return fn.__name__ == "<lambda>" or "<locals>" in fn.__qualname__


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _global_ref(value: Any, encode: Callable[[Any], Any]) -> dict[str, Any] | None:
    if isinstance(value, types.ModuleType):
        return {"module": value.__name__}
    module, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str) and "<" not in qualname:
        return {"module": module, "qualname": qualname}
    try:
        return {"value": encode(value)}
    except TypeError:
        return None  # left out: calling the rebuilt function raises NameError for it


def dump(fn: types.FunctionType, encode: Callable[[Any], Any]) -> dict[str, Any]:
    """The ``__lambda__`` config of ``fn``: bytecode, defaults, closure and referenced globals."""
    closure = None
    if fn.__closure__:
        try:
            closure = [encode(cell.cell_contents) for cell in fn.__closure__]
        except ValueError:  # an empty cell: the variable was never assigned
            msg = f"Cannot serialize {fn!r}: one of the variables it closes over has no value."
            raise TypeError(msg) from None
    globs = {}
    for name in sorted(_global_names(fn.__code__)):
        if name in fn.__globals__:
            ref = _global_ref(fn.__globals__[name], encode)
            if ref is not None:
                globs[name] = ref
    config = {
        "code": base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii"),
        "python": _python(),
        "name": fn.__name__,
        "defaults": encode(list(fn.__defaults__)) if fn.__defaults__ else None,
        "kwdefaults": encode(dict(fn.__kwdefaults__)) if fn.__kwdefaults__ else None,
        "closure": closure,
        "globals": globs,
    }
    return {"class_name": "__lambda__", "config": config}


def _bad(config: Any, what: str) -> ValueError:
    return ValueError(f"Malformed `__lambda__` entry: {what}. Received: config={short_repr(config)}")


def _code(text: Any, config: Any) -> types.CodeType:
    if not isinstance(text, str):
        raise _bad(config, "`code` must be a base64 string")
    try:
        code = marshal.loads(base64.b64decode(text.encode("ascii")))
    except (ValueError, EOFError, TypeError, UnicodeEncodeError):
        raise _bad(config, "`code` is not marshalled bytecode of this Python version") from None
    if not isinstance(code, types.CodeType):
        raise _bad(config, "`code` does not hold a code object")
    return code


def _resolve_global(ref: Any, decode: Callable[[Any], Any], config: Any) -> Any:
    if not isinstance(ref, dict):
        raise _bad(config, f"global reference {ref!r} is not a dict")
    if "value" in ref:
        return decode(ref["value"])
    module = ref.get("module")
    if not isinstance(module, str):
        raise _bad(config, f"global reference {ref!r} names no module")
    qualname = ref.get("qualname")
    try:
        obj: Any = importlib.import_module(module)
        if isinstance(qualname, str):
            for part in qualname.split("."):
                obj = getattr(obj, part)
    except (ImportError, AttributeError) as e:
        where = f"{module}.{qualname}" if isinstance(qualname, str) else module
        msg = f"The lambda uses {where}, which cannot be found here ({e}). Received: config={short_repr(config)}"
        raise ValueError(msg) from None
    return obj


def load(config: Any, decode: Callable[[Any], Any]) -> types.FunctionType:
    """Rebuild a function from its ``__lambda__`` config. Only call this outside safe mode."""
    if not isinstance(config, dict):
        raise _bad(config, "`config` must be a dict")
    value = config.get("value")
    if isinstance(value, (list, tuple)) and len(value) == 3:  # Keras: (code, defaults, closure)
        code = _code(value[0], config)
        defaults = tuple(decode(value[1])) if value[1] else None
        contents = list(decode(value[2])) if value[2] else []
        globs: dict[str, Any] = {}
        name, kwdefaults = code.co_name, None
    else:
        python = config.get("python")
        if python != _python():
            msg = (
                f"This lambda was serialized by Python {python} and its bytecode only runs on that "
                f"version; this is Python {_python()}. Re-serialize it here, or register a named "
                f"function instead. Received: config={short_repr(config)}"
            )
            raise ValueError(msg)
        code = _code(config.get("code"), config)
        defaults = tuple(decode(config["defaults"])) if config.get("defaults") else None
        kwdefaults = decode(config["kwdefaults"]) if config.get("kwdefaults") else None
        contents = list(decode(config["closure"])) if config.get("closure") else []
        refs = config.get("globals") or {}
        if not isinstance(refs, dict):
            raise _bad(config, "`globals` must be a dict")
        globs = {str(k): _resolve_global(v, decode, config) for k, v in refs.items()}
        name = config.get("name") if isinstance(config.get("name"), str) else code.co_name
    if len(contents) != len(code.co_freevars):
        raise _bad(
            config, f"the code closes over {len(code.co_freevars)} variables, the data has {len(contents)}"
        )
    globs["__builtins__"] = builtins
    closure = tuple(types.CellType(v) for v in contents) or None
    fn = types.FunctionType(code, globs, name, defaults, closure)
    if kwdefaults:
        fn.__kwdefaults__ = dict(kwdefaults)
    return fn
