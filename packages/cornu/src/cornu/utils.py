# SPDX-License-Identifier: Apache-2.0
"""``cornu.utils``: everything Keras 2 kept in ``keras.utils``, loaded on first use.

Example:
    >>> import cornu
    >>> cornu.utils.to_categorical([0, 2], num_classes=3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cornu._lazy import resolve

if TYPE_CHECKING:
    from cornu_config import clear_session as clear_session
    from cornu_data import HDF5Matrix as HDF5Matrix
    from cornu_data import PyDataset as PyDataset
    from cornu_data import Sequence as Sequence
    from cornu_parallel import multi_gpu_model as multi_gpu_model
    from cornu_utils import CustomObjectScope as CustomObjectScope
    from cornu_utils import Progbar as Progbar
    from cornu_utils import SafeModeScope as SafeModeScope
    from cornu_utils import Summary as Summary
    from cornu_utils import custom_object_scope as custom_object_scope
    from cornu_utils import deserialize as deserialize
    from cornu_utils import extract_archive as extract_archive
    from cornu_utils import get_custom_objects as get_custom_objects
    from cornu_utils import get_file as get_file
    from cornu_utils import get_registered_name as get_registered_name
    from cornu_utils import get_registered_object as get_registered_object
    from cornu_utils import hash_file as hash_file
    from cornu_utils import model_to_dot as model_to_dot
    from cornu_utils import normalize as normalize
    from cornu_utils import plot_model as plot_model
    from cornu_utils import print_summary as print_summary
    from cornu_utils import register_keras_serializable as register_keras_serializable
    from cornu_utils import register_serializable as register_serializable
    from cornu_utils import serialize as serialize
    from cornu_utils import summarize as summarize
    from cornu_utils import to_categorical as to_categorical
    from cornu_utils import validate_file as validate_file

_UTILS = (
    "CustomObjectScope", "Progbar", "SafeModeScope", "Summary", "custom_object_scope", "deserialize", "extract_archive",
    "get_custom_objects", "get_file", "get_registered_name", "get_registered_object", "hash_file",
    "model_to_dot", "normalize", "plot_model", "print_summary", "register_keras_serializable",
    "register_serializable", "serialize", "summarize", "to_categorical", "validate_file",
)
_dynamic_imports: dict[str, tuple[str, str | None]] = {
    **{name: ("cornu_utils", name) for name in _UTILS},
    "HDF5Matrix": ("cornu_data", "HDF5Matrix"),
    "PyDataset": ("cornu_data", "PyDataset"),
    "Sequence": ("cornu_data", "Sequence"),
    "multi_gpu_model": ("cornu_parallel", "multi_gpu_model"),
    "clear_session": ("cornu_config", "clear_session"),
}

__all__ = sorted(_dynamic_imports)  # noqa: PLE0605 - a list of str built from the table


def __getattr__(name: str) -> Any:
    return resolve(__name__, _dynamic_imports, name, globals())


def __dir__() -> list[str]:
    return list(__all__)
