# SPDX-License-Identifier: Apache-2.0
"""Process-wide switches: traceback filtering, interactive logging, safe mode, flash attention,
NNX, and the debugging caps on epochs and steps.

Unlike Keras, these are process-wide (a thread sees what another set) and ``clear_session()``
leaves them alone.
"""

from __future__ import annotations

import sys

from cornu_config import _store
from cornu_config._spec import SPECS

__all__ = [
    "disable_flash_attention",
    "disable_interactive_logging",
    "disable_traceback_filtering",
    "enable_flash_attention",
    "enable_interactive_logging",
    "enable_traceback_filtering",
    "enable_unsafe_deserialization",
    "in_safe_mode",
    "is_flash_attention_enabled",
    "is_interactive_logging_enabled",
    "is_nnx_enabled",
    "is_traceback_filtering_enabled",
    "max_epochs",
    "max_steps_per_epoch",
    "set_flash_attention",
    "set_max_epochs",
    "set_max_steps_per_epoch",
    "set_nnx_enabled",
]


def enable_traceback_filtering() -> None:
    """Hide cornu's own frames in tracebacks of errors raised by cornu functions (default)."""
    _store.set_value("traceback_filtering", True)


def disable_traceback_filtering() -> None:
    """Show every frame, cornu's included, in tracebacks (for debugging cornu itself).

    Example:
        >>> from cornu_config import disable_traceback_filtering, enable_traceback_filtering
        >>> from cornu_config import is_traceback_filtering_enabled
        >>> disable_traceback_filtering(); is_traceback_filtering_enabled()
        False
        >>> enable_traceback_filtering()
    """
    _store.set_value("traceback_filtering", False)


def is_traceback_filtering_enabled() -> bool:
    """Whether traceback filtering is on (``True`` unless turned off)."""
    return _store.get("traceback_filtering")


def enable_interactive_logging() -> None:
    """Write messages and progress bars to stdout (default)."""
    _store.set_value("interactive_logging", True)


def disable_interactive_logging() -> None:
    """Send messages to the ``logging`` logger ``"cornu"`` instead of stdout.

    Example:
        >>> from cornu_config import disable_interactive_logging, enable_interactive_logging
        >>> from cornu_config import is_interactive_logging_enabled
        >>> disable_interactive_logging(); is_interactive_logging_enabled()
        False
        >>> enable_interactive_logging()
    """
    _store.set_value("interactive_logging", False)


def is_interactive_logging_enabled() -> bool:
    """Whether messages go to stdout (``True``) or to the ``cornu`` logger (``False``)."""
    return _store.get("interactive_logging")


def enable_unsafe_deserialization() -> None:
    """Allow deserialization of lambdas and other code, for the whole process.

    Only code can turn safe mode off: no environment variable, config file or serialized data
    can. ``in_safe_mode()`` then returns ``False``.

    Example:
        >>> from cornu_config import enable_unsafe_deserialization, in_safe_mode
        >>> from cornu_config import _store
        >>> enable_unsafe_deserialization(); in_safe_mode()
        False
        >>> _store.unset("safe_mode")
    """
    _store.set_value("safe_mode", False)


def in_safe_mode() -> bool | None:
    """The global safe-mode switch: ``None`` (not set: callers decide, safely) or ``False``.

    Example:
        >>> from cornu_config import in_safe_mode
        >>> in_safe_mode() is None
        True
    """
    return _store.get("safe_mode")


def _apply_flash_to_torch(value: bool | None) -> None:
    """Mirror the flag onto torch's SDPA switch when torch is already imported."""
    torch = sys.modules.get("torch")
    cuda = getattr(getattr(torch, "backends", None), "cuda", None)
    if cuda is not None and hasattr(cuda, "enable_flash_sdp"):
        cuda.enable_flash_sdp(value is not False)


def set_flash_attention(value: bool | None) -> None:
    """Set flash attention to ``True``, ``False`` or ``None`` (automatic).

    When torch is already imported its own switch (``torch.backends.cuda.enable_flash_sdp``)
    is set to match.
    """
    checked = _store.set_value("flash_attention", value)
    _apply_flash_to_torch(checked)


def enable_flash_attention() -> None:
    """Ask layers to use flash attention; ``is_flash_attention_enabled()`` returns ``True``."""
    set_flash_attention(True)


def disable_flash_attention() -> None:
    """Forbid flash attention; ``is_flash_attention_enabled()`` returns ``False``.

    Example:
        >>> from cornu_config import disable_flash_attention, is_flash_attention_enabled
        >>> from cornu_config import set_flash_attention
        >>> disable_flash_attention(); is_flash_attention_enabled()
        False
        >>> set_flash_attention(None)
    """
    set_flash_attention(False)


def is_flash_attention_enabled() -> bool | None:
    """``None`` (automatic) until set, then ``True`` or ``False``."""
    return _store.get("flash_attention")


def _require_flax(where: str) -> None:
    import importlib.util

    if importlib.util.find_spec("flax") is None:
        msg = (
            f"NNX needs Flax, which is not installed: pip install flax. Or turn NNX off. "
            f"Received: {where}=True"
        )
        raise ImportError(msg)


def set_nnx_enabled(value: bool) -> None:
    """Turn Flax NNX support (JAX backend) on or off.

    Raises:
        ValueError: when ``value`` is not a bool.
        ImportError: when turning it on without Flax installed.
    """
    checked = SPECS["nnx_enabled"].check(value, "nnx_enabled")
    if checked:
        _require_flax("nnx_enabled")
    _store.set_value("nnx_enabled", checked)


def is_nnx_enabled() -> bool:
    """Whether Flax NNX support is on (``False`` unless set).

    Raises:
        ImportError: when an env var or the config file turns it on and Flax is missing.

    Example:
        >>> from cornu_config import is_nnx_enabled
        >>> is_nnx_enabled()
        False
    """
    setting = _store.resolve("nnx_enabled")
    if setting.value and setting.source != "setter":
        _require_flax(setting.source)
    return setting.value


def max_epochs() -> int | None:
    """The cap on epochs in every training loop, or ``None`` (no cap).

    Example:
        >>> from cornu_config import max_epochs
        >>> max_epochs() is None
        True
    """
    return _store.get("max_epochs")


def set_max_epochs(max_epochs: int | None) -> None:
    """Cap the epochs of every training loop (a debugging kill-switch); ``None`` removes it.

    Raises:
        ValueError: unless ``max_epochs`` is a positive integer or ``None``.
    """
    _store.set_value("max_epochs", max_epochs)


def max_steps_per_epoch() -> int | None:
    """The cap on steps in every epoch, or ``None`` (no cap)."""
    return _store.get("max_steps_per_epoch")


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Cap the steps of every epoch; ``None`` removes the cap.

    Raises:
        ValueError: unless ``max_steps_per_epoch`` is a positive integer or ``None``.

    Example:
        >>> from cornu_config import max_steps_per_epoch, set_max_steps_per_epoch
        >>> set_max_steps_per_epoch(5); max_steps_per_epoch()
        5
        >>> set_max_steps_per_epoch(None)
    """
    _store.set_value("max_steps_per_epoch", max_steps_per_epoch)
