# SPDX-License-Identifier: Apache-2.0
"""Finding the class or function a serialized entry names, and the errors when none is found.

Order: the explicit ``custom_objects=`` argument, the open scopes (merged), the registry; each
is asked for the entry's ``registered_name`` and then its plain name. Only after that does the
entry's ``module`` count, and how depends on safe mode:

- safe mode never imports a module the data names. It looks only into cornu's own packages
  (:data:`SAFE_MODULE_ROOTS`) that are already imported, and from those takes only public
  classes that cornu defines and that have ``get_config`` — never a function, so no cornu
  utility (``get_file``, ``enable_unsafe_deserialization``…) can be reached from data;
- unsafe mode imports the module and takes the attribute, as legacy Keras did.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from cornu_utils._serialization_builtins import short_repr

__all__ = ["MISSING", "SAFE_MODULE_ROOTS", "find", "resolve", "suggest"]

MISSING = object()
SAFE_MODULE_ROOTS = frozenset({"cornu", "cornu_utils", "cornu_data", "cornu_device", "cornu_parallel"})
_MODULE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def find(names: Iterable[Any], tables: Iterable[Mapping[str, Any] | None]) -> Any:
    """The first hit of ``names`` in ``tables`` (table order first), else :data:`MISSING`."""
    names = [n for n in names if isinstance(n, str) and n]
    for table in tables:
        if table:
            for name in names:
                found = table.get(name)
                if found is not None:  # a name mapped to None counts as absent, as in Keras
                    return found
    return MISSING


def suggest(queries: Iterable[Any], tables: Iterable[Mapping[str, Any] | None], n: int = 3) -> list[str]:
    """Up to ``n`` known names nearest to ``queries`` (``"pkg>Name"`` also matches ``Name``)."""
    import difflib  # only on the error path

    forms: dict[str, set[str]] = {}
    for table in tables:
        for key in list(table or ()):  # a copy: another thread may register meanwhile
            if isinstance(key, str):
                forms.setdefault(key, set()).add(key)
                forms.setdefault(key.rpartition(">")[2], set()).add(key)
    found: list[str] = []
    for query in queries:
        if not isinstance(query, str) or not query:
            continue
        for form in dict.fromkeys((query, query.rpartition(">")[2])):
            for match in difflib.get_close_matches(form, forms, n=n, cutoff=0.6):
                for key in sorted(forms[match]):
                    if key not in found:
                        found.append(key)
    return found[:n]


def _short(config: Any) -> str:
    return short_repr(config, limit=400)


def _module_root_allowed(module: str) -> bool:
    return module.partition(".")[0] in SAFE_MODULE_ROOTS


def _from_safe_module(module: str, name: str, kind: str) -> Any:
    """A serializable cornu class named by the data, or :data:`MISSING`."""
    if kind != "class" or not name.isidentifier() or name.startswith("_"):
        return MISSING
    mod = sys.modules.get(module)  # never imported here: only modules already loaded count
    obj = getattr(mod, name, None) if mod is not None else None
    ok = (
        isinstance(obj, type)
        and hasattr(obj, "get_config")
        and _module_root_allowed(getattr(obj, "__module__", "") or "")
    )
    return obj if ok else MISSING


def _from_any_module(module: str, name: str) -> Any:
    try:
        obj: Any = importlib.import_module(module)
    except ImportError:
        return MISSING
    for part in name.split("."):
        obj = getattr(obj, part, MISSING)
        if obj is MISSING:
            return MISSING
    return obj if callable(obj) else MISSING


def resolve(
    kind: str,
    name: str,
    registered_name: Any,
    module: Any,
    tables: tuple[Mapping[str, Any] | None, ...],
    safe_mode: bool,
    config: Any,
) -> Any:
    """The class (``kind="class"``) or function (``"function"``) an entry names, or raise.

    Raises:
        ValueError: when nothing is found; the message suggests the nearest known names and,
            in safe mode, says that the data's module was not imported.
    """
    obj = find((registered_name, name), tables)
    if obj is not MISSING:
        return obj
    refused = None
    if module is not None:
        if not isinstance(module, str) or not _MODULE_RE.fullmatch(module):
            msg = f"The `module` of a serialized {kind} must be a dotted module name. Received: config={_short(config)}"
            raise ValueError(msg)
        if not safe_mode:
            obj = _from_any_module(module, name)
        elif _module_root_allowed(module):
            obj = _from_safe_module(module, name, kind)
            if obj is MISSING and module not in sys.modules:
                refused = module
        else:
            refused = module
        if obj is not MISSING:
            return obj
    label = repr(name) if registered_name in (None, name) else f"{name!r} (registered as {registered_name!r})"
    parts = [f"Could not find the {kind} {label} named by the serialized data."]
    if refused is not None:
        parts.append(
            f"Safe mode does not import the module {refused!r} that the data names: it only looks up "
            "registered objects, objects you pass or scope, and serializable classes of cornu's own "
            f"packages ({', '.join(sorted(SAFE_MODULE_ROOTS))}) once your code has imported them."
        )
    parts.append(
        "Register it with `@cornu_utils.register_serializable()`, pass `custom_objects={...}`, or "
        "open `cornu_utils.custom_object_scope({...})` around the call."
    )
    if refused is not None:
        parts.append("If you trust the data, `safe_mode=False` lets cornu import the module.")
    near = suggest((registered_name, name), tables)
    if near:
        parts.append("Did you mean: " + ", ".join(repr(n) for n in near) + "?")
    parts.append(f"Received: config={_short(config)}")
    return _raise(" ".join(parts))


def _raise(msg: str) -> Any:
    raise ValueError(msg)
