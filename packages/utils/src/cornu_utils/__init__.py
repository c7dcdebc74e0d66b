# SPDX-License-Identifier: Apache-2.0
"""cornu_utils: to_categorical, normalize, get_file, custom objects, summaries, plots and progress bars for any framework."""

from cornu_utils.__about__ import __version__
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


def __dir__() -> list[str]:
    return list(__all__)
