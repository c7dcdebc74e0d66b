# SPDX-License-Identifier: Apache-2.0
"""``cornu.config``: every cornu_config setting, as ``keras.config`` has them.

``cornu.config.version()`` reports the version of the umbrella package ``cornu``.
"""

from __future__ import annotations

from cornu.__about__ import __version__
from cornu_config import Setting as Setting
from cornu_config import backend as backend
from cornu_config import clear_session as clear_session
from cornu_config import config_path as config_path
from cornu_config import disable_flash_attention as disable_flash_attention
from cornu_config import disable_interactive_logging as disable_interactive_logging
from cornu_config import disable_traceback_filtering as disable_traceback_filtering
from cornu_config import enable_flash_attention as enable_flash_attention
from cornu_config import enable_interactive_logging as enable_interactive_logging
from cornu_config import enable_traceback_filtering as enable_traceback_filtering
from cornu_config import enable_unsafe_deserialization as enable_unsafe_deserialization
from cornu_config import epsilon as epsilon
from cornu_config import floatx as floatx
from cornu_config import image_data_format as image_data_format
from cornu_config import in_safe_mode as in_safe_mode
from cornu_config import is_flash_attention_enabled as is_flash_attention_enabled
from cornu_config import is_interactive_logging_enabled as is_interactive_logging_enabled
from cornu_config import is_nnx_enabled as is_nnx_enabled
from cornu_config import is_traceback_filtering_enabled as is_traceback_filtering_enabled
from cornu_config import max_epochs as max_epochs
from cornu_config import max_steps_per_epoch as max_steps_per_epoch
from cornu_config import save_config as save_config
from cornu_config import set_backend as set_backend
from cornu_config import set_epsilon as set_epsilon
from cornu_config import set_flash_attention as set_flash_attention
from cornu_config import set_floatx as set_floatx
from cornu_config import set_image_data_format as set_image_data_format
from cornu_config import set_max_epochs as set_max_epochs
from cornu_config import set_max_steps_per_epoch as set_max_steps_per_epoch
from cornu_config import set_nnx_enabled as set_nnx_enabled
from cornu_config import settings as settings

__all__ = [
    "Setting",
    "backend",
    "clear_session",
    "config_path",
    "disable_flash_attention",
    "disable_interactive_logging",
    "disable_traceback_filtering",
    "enable_flash_attention",
    "enable_interactive_logging",
    "enable_traceback_filtering",
    "enable_unsafe_deserialization",
    "epsilon",
    "floatx",
    "image_data_format",
    "in_safe_mode",
    "is_flash_attention_enabled",
    "is_interactive_logging_enabled",
    "is_nnx_enabled",
    "is_traceback_filtering_enabled",
    "max_epochs",
    "max_steps_per_epoch",
    "save_config",
    "set_backend",
    "set_epsilon",
    "set_flash_attention",
    "set_floatx",
    "set_image_data_format",
    "set_max_epochs",
    "set_max_steps_per_epoch",
    "set_nnx_enabled",
    "settings",
    "version",
]


def version() -> str:
    """The version of the ``cornu`` package.

    Example:
        >>> import cornu
        >>> cornu.config.version() == cornu.__version__
        True
    """
    return __version__


def __dir__() -> list[str]:
    return list(__all__)
