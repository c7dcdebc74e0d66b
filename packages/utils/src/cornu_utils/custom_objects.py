# SPDX-License-Identifier: Apache-2.0
"""The custom-object registry and the scopes that add objects to it for a while.

Names resolve, first hit wins: an explicit ``custom_objects=`` argument, then the open
:class:`CustomObjectScope` blocks (nested scopes merge; the innermost wins a conflict), then the
process-wide registry filled by :func:`register_serializable`. Where cornu differs from Keras 3:

- nested scopes **merge** (as in Keras 2 and tf-keras) instead of hiding the outer scope;
- an explicit ``custom_objects=`` argument outranks the registry (Keras 3 has it the other way);
- registering a different object under a taken name raises unless ``overwrite=True``;
- scopes are context-local (:mod:`contextvars`), so a worker thread that runs in a copy of the
  caller's context (``contextvars.copy_context().run``, as cornu's loaders do) sees them.

The registry survives ``cornu_config.clear_session()``; open scopes are reset by it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import cornu_config
from cornu_config import filter_traceback

__all__ = [
    "CustomObjectScope",
    "custom_object_scope",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "register_keras_serializable",
    "register_serializable",
]

T = TypeVar("T")

# name -> object, and object -> name: process-wide, untouched by clear_session().
_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
_GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}
_lock = threading.Lock()

# The merged dict of every open scope in this context (never mutated once set).
_scope_state = cornu_config.register_session_state("cornu_utils.custom_object_scope", dict)


def _scope_objects() -> dict[str, Any]:
    """The merged objects of the scopes open in this context (read-only by convention)."""
    return _scope_state.get()


def _check_mapping(value: Any, arg: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        msg = f"`{arg}` must be a dict mapping names to classes or functions, or None. Received: {arg}={value!r}"
        raise TypeError(msg)
    for key in value:
        if not isinstance(key, str):
            msg = f"The keys of `{arg}` must be strings (names). Received: {arg}={dict(value)!r}"
            raise TypeError(msg)
    return dict(value)


class CustomObjectScope:
    """Make custom classes and functions visible to :func:`deserialize` inside a block.

    Accepts one dict (as Keras 3) or several (as Keras 2); later dicts win a conflict. Nested
    scopes merge: the inner block sees the outer block's objects too, and its own win a
    conflict. Scope entries never appear in :func:`get_custom_objects`. ``custom_object_scope``
    is the same class.

    Args:
        *custom_objects: dicts mapping names to classes or functions (``None`` counts as
            ``{}``).

    Raises:
        TypeError: when an argument is not a dict with string keys.

    Example:
        >>> from cornu_utils import custom_object_scope, get_registered_object
        >>> class MyObject:
        ...     def get_config(self):
        ...         return {}
        >>> with custom_object_scope({"MyObject": MyObject}):
        ...     get_registered_object("MyObject") is MyObject
        True
        >>> get_registered_object("MyObject") is None
        True
    """

    def __init__(self, *custom_objects: Mapping[str, Any] | None) -> None:
        for i, objects in enumerate(custom_objects):
            _check_mapping(objects, "custom_objects" if len(custom_objects) == 1 else f"custom_objects[{i}]")
        self._dicts = [objects for objects in custom_objects if objects is not None]
        self._tokens: list[Any] = []

    @property
    def custom_objects(self) -> dict[str, Any]:
        """The objects this scope adds, merged (read when the block is entered, as in Keras)."""
        merged: dict[str, Any] = {}
        for objects in self._dicts:
            merged.update(objects)
        return merged

    def __enter__(self) -> CustomObjectScope:
        outer = _scope_state.get()
        self._tokens.append(_scope_state.set({**outer, **self.custom_objects}))
        return self

    def __exit__(self, *exc_info: object) -> None:
        _scope_state.reset(self._tokens.pop())

    def __repr__(self) -> str:
        return f"CustomObjectScope({sorted(self.custom_objects)!r})"


custom_object_scope = CustomObjectScope


@filter_traceback
def get_custom_objects() -> dict[str, Any]:
    """The live process-wide registry: registered name -> class or function.

    Changing the returned dict changes the registry (``get_custom_objects()["f"] = f`` is
    the Keras 2 way of registering); prefer :func:`register_serializable`, which also records
    the object's name for :func:`serialize` and refuses to replace another object silently.
    Objects of open scopes are not in it.

    Example:
        >>> from cornu_utils import get_custom_objects, register_serializable
        >>> @register_serializable(package="docs_get")
        ... def halve(x):
        ...     return x / 2
        >>> get_custom_objects()["docs_get>halve"] is halve
        True
    """
    return _GLOBAL_CUSTOM_OBJECTS


def _check_name_part(value: Any, arg: str) -> None:
    if not isinstance(value, str) or not value or ">" in value:
        msg = f"`{arg}` must be a non-empty string without '>'. Received: {arg}={value!r}"
        raise ValueError(msg)


def _same_definition(a: Any, b: Any) -> bool:
    """Whether ``b`` is ``a`` defined again (module reloaded, notebook cell run twice)."""
    return (
        getattr(a, "__module__", None) == getattr(b, "__module__", None)
        and getattr(a, "__qualname__", None) is not None
        and getattr(a, "__qualname__", None) == getattr(b, "__qualname__", None)
        and isinstance(a, type) == isinstance(b, type)
    )


def _register(obj: T, package: str, name: str | None, overwrite: bool) -> T:
    if not callable(obj):
        msg = f"Only classes and functions can be registered. Received: obj={obj!r}"
        raise TypeError(msg)
    if name is None:
        name = getattr(obj, "__name__", None)
        if name is None or name == "<lambda>":
            msg = (
                "Give `name=` to register an object without a usable `__name__` (such as a "
                f"lambda). Received: obj={obj!r}, name=None"
            )
            raise ValueError(msg)
    _check_name_part(name, "name")
    if isinstance(obj, type) and not hasattr(obj, "get_config"):
        msg = f"Cannot register a class that does not have a get_config() method. Received: obj={obj!r}"
        raise ValueError(msg)
    key = f"{package}>{name}"
    with _lock:
        taken = _GLOBAL_CUSTOM_OBJECTS.get(key, obj)
        if taken is not obj and not overwrite and not _same_definition(taken, obj):
            msg = (
                f"The name {key!r} is already registered for {taken!r}. Pick another `package` "
                f"or `name`, or pass `overwrite=True` to replace it. Received: obj={obj!r}"
            )
            raise ValueError(msg)
        old_key = _GLOBAL_CUSTOM_NAMES.get(obj, key)
        if old_key != key and not overwrite:
            msg = (
                f"{obj!r} is already registered as {old_key!r}. Pass `overwrite=True` to register "
                f"it under a new name. Received: package={package!r}, name={name!r}"
            )
            raise ValueError(msg)
        if taken is not obj and _GLOBAL_CUSTOM_NAMES.get(taken) == key:
            del _GLOBAL_CUSTOM_NAMES[taken]
        _GLOBAL_CUSTOM_OBJECTS[key] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = key
    return obj


@filter_traceback
def register_serializable(
    package: str = "Custom", name: str | None = None, overwrite: bool = False
) -> Callable[[T], T]:
    """Register a class or function under ``"<package>><name>"`` so it can be deserialized.

    Use as ``@register_serializable()`` (or bare ``@register_serializable``). A class must have
    a ``get_config()`` method; functions need nothing. The object is returned unchanged.
    Registering a *different* object under a taken name raises unless ``overwrite=True``; a
    class or function with the same module and qualified name as the registered one (a module
    reloaded, a notebook cell run again) replaces it without error.

    Args:
        package: the namespace part of the name (no ``>``).
        name: the name within the package; defaults to the object's ``__name__``.
        overwrite: replace an object already registered under the name (or re-register the
            object under another name).

    Returns:
        A decorator returning its argument.

    Raises:
        ValueError: for a taken name, a class without ``get_config``, or a ``package``/``name``
            that is empty or contains ``>``.

    Example:
        >>> from cornu_utils import register_serializable, get_registered_name
        >>> @register_serializable(package="docs_reg")
        ... class Scale:
        ...     def __init__(self, factor=2.0):
        ...         self.factor = factor
        ...     def get_config(self):
        ...         return {"factor": self.factor}
        >>> get_registered_name(Scale)
        'docs_reg>Scale'
    """
    if callable(package) and name is None and not isinstance(package, str):
        # Used bare, as ``@register_serializable``: ``package`` is the object.
        return _register(package, "Custom", None, overwrite)  # type: ignore[return-value]
    _check_name_part(package, "package")
    if name is not None:
        _check_name_part(name, "name")
    if not isinstance(overwrite, bool):
        msg = f"`overwrite` must be a bool. Received: overwrite={overwrite!r}"
        raise ValueError(msg)

    @filter_traceback
    def decorator(obj: T) -> T:
        return _register(obj, package, name, overwrite)

    return decorator


register_keras_serializable = register_serializable


@filter_traceback
def get_registered_name(obj: Any) -> str:
    """The name ``obj`` is registered under, else its ``__name__``.

    Args:
        obj: a class or function (an instance is looked up by its class).

    Example:
        >>> from cornu_utils import get_registered_name
        >>> get_registered_name(len)
        'len'
    """
    try:
        key = _GLOBAL_CUSTOM_NAMES.get(obj)
    except TypeError:  # unhashable
        key = None
    if key is not None:
        return key
    name = getattr(obj, "__name__", None)
    if isinstance(name, str):
        return name
    key = _GLOBAL_CUSTOM_NAMES.get(type(obj))
    return key if key is not None else type(obj).__name__


@filter_traceback
def get_registered_object(
    name: str,
    custom_objects: Mapping[str, Any] | None = None,
    module_objects: Mapping[str, Any] | None = None,
) -> Any:
    """The object called ``name``: from ``custom_objects``, open scopes, the registry, then
    ``module_objects``; ``None`` when none has it.

    Args:
        name: a registered name (``"package>name"``) or a name given in a scope or argument.
        custom_objects: objects that outrank scopes and the registry.
        module_objects: objects consulted last (a module's ``globals()``, for example).

    Example:
        >>> from cornu_utils import get_registered_object, register_serializable
        >>> @register_serializable(package="docs_obj")
        ... def double(x):
        ...     return 2 * x
        >>> get_registered_object("docs_obj>double") is double
        True
        >>> get_registered_object("double", custom_objects={"double": abs}) is abs
        True
    """
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    scope = _scope_state.get()
    if name in scope:
        return scope[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None
