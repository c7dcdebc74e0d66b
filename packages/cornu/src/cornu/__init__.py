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

from typing import TYPE_CHECKING, Any

from cornu.__about__ import __version__
from cornu._lazy import resolve

if TYPE_CHECKING:
    from cornu import config as config
    from cornu import data as data
    from cornu import parallel as parallel
    from cornu import utils as utils
    from cornu_config import clear_session as clear_session
    from cornu_device import device as device
    from cornu_device import name_scope as name_scope

# name -> (module, attribute); attribute None means the module itself.
_dynamic_imports: dict[str, tuple[str, str | None]] = {
    "config": ("cornu.config", None),
    "utils": ("cornu.utils", None),
    "data": ("cornu.data", None),
    "parallel": ("cornu.parallel", None),
    "device": ("cornu_device", "device"),
    "name_scope": ("cornu_device", "name_scope"),
    "clear_session": ("cornu_config", "clear_session"),
}

__all__ = [
    "__version__", "clear_session", "config", "data", "device", "name_scope", "parallel", "utils",
]


def __getattr__(name: str) -> Any:
    return resolve(__name__, _dynamic_imports, name, globals())


def __dir__() -> list[str]:
    return list(__all__)
