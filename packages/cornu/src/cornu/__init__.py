# SPDX-License-Identifier: Apache-2.0
"""cornu: the Keras utility layer, free of Keras and of any one framework.

The flat API is loaded lazily (PEP 562): ``import cornu`` imports no framework, no NumPy and
no sub-package until a name is first used.

Example:
    >>> import cornu
    >>> cornu.config.floatx()
    'float32'
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from cornu.__about__ import __version__

if TYPE_CHECKING:
    from cornu import config as config
    from cornu_config import clear_session as clear_session

# name -> (module, attribute); attribute None means the module itself.
_dynamic_imports: dict[str, tuple[str, str | None]] = {
    "config": ("cornu.config", None),
    "clear_session": ("cornu_config", "clear_session"),
}

__all__ = ["__version__", "clear_session", "config"]


def __getattr__(name: str) -> Any:
    target = _dynamic_imports.get(name)
    if target is None:
        msg = f"module 'cornu' has no attribute {name!r}"
        raise AttributeError(msg)
    module_name, attr = target
    module = import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
