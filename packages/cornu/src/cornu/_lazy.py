# SPDX-License-Identifier: Apache-2.0
"""The lazy-import helper behind the flat API (PEP 562): a name imports its module on first use."""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["resolve"]


def resolve(owner: str, table: dict[str, tuple[str, str | None]], name: str, namespace: dict[str, Any]) -> Any:
    """Import ``table[name]`` (module, attribute or None for the module), cache it in ``namespace``."""
    target = table.get(name)
    if target is None:
        msg = f"module {owner!r} has no attribute {name!r}"
        raise AttributeError(msg)
    module_name, attr = target
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as e:
        dist = module_name.split(".")[0].replace("_", "-")
        msg = f"{owner}.{name} needs the package {dist!r}, which is not installed: pip install {dist}"
        raise ImportError(msg) from e
    value = module if attr is None else getattr(module, attr)
    namespace[name] = value
    return value
