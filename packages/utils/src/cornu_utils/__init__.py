# SPDX-License-Identifier: Apache-2.0
"""cornu_utils: to_categorical, normalize, get_file, custom objects, summaries, plots and progress bars for any framework.

Each name is imported from its module on first use (PEP 562), so ``import cornu_utils`` costs
almost nothing and ``cornu_utils.to_categorical`` loads only ``numerical.py``.

Example:
    >>> import cornu_utils
    >>> cornu_utils.to_categorical([1, 0], num_classes=2).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from cornu_utils.__about__ import __version__

if TYPE_CHECKING:
    from cornu_utils.custom_objects import (
        CustomObjectScope,
        custom_object_scope,
        get_custom_objects,
        get_registered_name,
        get_registered_object,
        register_keras_serializable,
        register_serializable,
    )
    from cornu_utils.files import DownloadError, extract_archive, get_file, hash_file, validate_file
    from cornu_utils.numerical import normalize, to_categorical
    from cornu_utils.plot import model_to_dot, plot_model
    from cornu_utils.progbar import Progbar
    from cornu_utils.serialization import SafeModeScope, deserialize, serialize
    from cornu_utils.summary import Summary, print_summary, summarize

_MODULES = {
    "custom_objects": (
        "CustomObjectScope", "custom_object_scope", "get_custom_objects", "get_registered_name",
        "get_registered_object", "register_keras_serializable", "register_serializable",
    ),
    "files": ("DownloadError", "extract_archive", "get_file", "hash_file", "validate_file"),
    "numerical": ("normalize", "to_categorical"),
    "plot": ("model_to_dot", "plot_model"),
    "progbar": ("Progbar",),
    "serialization": ("SafeModeScope", "deserialize", "serialize"),
    "summary": ("Summary", "print_summary", "summarize"),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "CustomObjectScope",
    "DownloadError",
    "Progbar",
    "SafeModeScope",
    "Summary",
    "__version__",
    "custom_object_scope",
    "deserialize",
    "extract_archive",
    "get_custom_objects",
    "get_file",
    "get_registered_name",
    "get_registered_object",
    "hash_file",
    "model_to_dot",
    "normalize",
    "plot_model",
    "print_summary",
    "register_keras_serializable",
    "register_serializable",
    "serialize",
    "summarize",
    "to_categorical",
    "validate_file",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        msg = f"module 'cornu_utils' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(f"cornu_utils.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
