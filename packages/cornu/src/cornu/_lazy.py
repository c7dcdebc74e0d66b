# SPDX-License-Identifier: Apache-2.0
"""The lazy-import helper behind the flat API (PEP 562): a name imports its module on first use."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

__all__ = ["facade", "resolve"]


def _import(what: str, module_name: str) -> Any:
    """``import_module``; a missing piece says which distribution to install."""
    try:
        return import_module(module_name)
    except ModuleNotFoundError as e:
        dist = module_name.split(".")[0].replace("_", "-")
        msg = f"{what} needs the package {dist!r}, which is not installed: pip install {dist}"
        raise ImportError(msg) from e


def resolve(owner: str, table: dict[str, tuple[str, str | None]], name: str, namespace: dict[str, Any]) -> Any:
    """Import ``table[name]`` (module, attribute or None for the module), cache it in ``namespace``."""
    target = table.get(name)
    if target is None:
        msg = f"module {owner!r} has no attribute {name!r}"
        raise AttributeError(msg)
    module_name, attr = target
    module = _import(f"{owner}.{name}", module_name)
    value = module if attr is None else getattr(module, attr)
    namespace[name] = value
    return value


def facade(owner: str, package: str, namespace: dict[str, Any]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for a module that re-exports ``package.__all__`` lazily."""

    def load() -> Any:
        return _import(owner, package)

    def getattr_(name: str) -> Any:
        module = load()
        if name == "__all__":
            value = list(module.__all__)
        elif name in module.__all__:
            value = getattr(module, name)
        else:
            msg = f"module {owner!r} has no attribute {name!r}"
            raise AttributeError(msg)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return list(load().__all__)

    return getattr_, dir_
