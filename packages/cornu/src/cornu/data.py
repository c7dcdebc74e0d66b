# SPDX-License-Identifier: Apache-2.0
"""``cornu.data``: the public API of ``cornu_data``, imported on first use of a name."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_PACKAGE = "cornu_data"


def _module() -> Any:
    try:
        return import_module(_PACKAGE)
    except ModuleNotFoundError as e:
        msg = "cornu.data needs the package 'cornu-data', which is not installed: pip install cornu-data"
        raise ImportError(msg) from e


def __getattr__(name: str) -> Any:
    if name == "__all__":
        value = list(_module().__all__)
    elif name in _module().__all__:
        value = getattr(_module(), name)
    else:
        msg = f"module 'cornu.data' has no attribute {name!r}"
        raise AttributeError(msg)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(_module().__all__)
