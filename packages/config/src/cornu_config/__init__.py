# SPDX-License-Identifier: Apache-2.0
"""cornu_config: settings, backend choice, session state, traceback filtering and messages.

Every setting resolves, first hit wins: its setter, a ``CORNU_*`` environment variable, a
``KERAS_*`` one, the config file (``$CORNU_HOME/cornu.json``, default ``~/.cornu/cornu.json``),
the default. Nothing is read or written at import; the file is read on first use and written
only by :func:`save_config`.

Example:
    >>> import cornu_config
    >>> cornu_config.floatx(), cornu_config.image_data_format()
    ('float32', 'channels_last')
"""

from cornu_config.__about__ import __version__
from cornu_config._store import Setting
from cornu_config.backend_choice import backend, set_backend
from cornu_config.files import config_path, save_config, settings
from cornu_config.flags import (
    disable_flash_attention,
    disable_interactive_logging,
    disable_traceback_filtering,
    enable_flash_attention,
    enable_interactive_logging,
    enable_traceback_filtering,
    enable_unsafe_deserialization,
    in_safe_mode,
    is_flash_attention_enabled,
    is_interactive_logging_enabled,
    is_nnx_enabled,
    is_traceback_filtering_enabled,
    max_epochs,
    max_steps_per_epoch,
    set_flash_attention,
    set_max_epochs,
    set_max_steps_per_epoch,
    set_nnx_enabled,
)
from cornu_config.messages import print_msg
from cornu_config.numerics import (
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)
from cornu_config.session import SessionState, clear_session, get_uid, register_session_state
from cornu_config.tracebacks import filter_traceback
from cornu_config.version import version

__all__ = [
    "SessionState",
    "Setting",
    "__version__",
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
    "filter_traceback",
    "floatx",
    "get_uid",
    "image_data_format",
    "in_safe_mode",
    "is_flash_attention_enabled",
    "is_interactive_logging_enabled",
    "is_nnx_enabled",
    "is_traceback_filtering_enabled",
    "max_epochs",
    "max_steps_per_epoch",
    "print_msg",
    "register_session_state",
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


def __dir__() -> list[str]:
    return list(__all__)
