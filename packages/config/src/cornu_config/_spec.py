# SPDX-License-Identifier: Apache-2.0
"""The table of settings: names, defaults, and how each value is checked and parsed.

Each setting is checked the same way wherever its value comes from (a setter, an environment
variable or the config file); only the way text is turned into a value differs for environment
variables. Errors name the setting, say what is allowed, and end with ``Received: ...``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

__all__ = ["SPECS", "Spec"]

FLOATX = ("bfloat16", "float16", "float32", "float64")
DATA_FORMATS = ("channels_first", "channels_last")
BACKENDS = ("numpy", "torch", "jax", "tensorflow")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _received(where: str, value: Any) -> str:
    return f"Received: {where}={value!r}"


def _check_floatx(value: Any, where: str) -> str:
    if isinstance(value, str) and value in FLOATX:
        return value
    msg = f"Unknown `floatx` value. Expected one of {FLOATX}. {_received(where, value)}"
    raise ValueError(msg)


def _check_epsilon(value: Any, where: str) -> float:
    ok = (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
        and float(value) > 0
    )
    if not ok:
        msg = f"Invalid `epsilon` value. Expected a positive finite real number. {_received(where, value)}"
        raise ValueError(msg)
    return float(value)


def _check_data_format(value: Any, where: str) -> str:
    if isinstance(value, str) and value.lower() in DATA_FORMATS:
        return value.lower()
    msg = (
        f"The `image_data_format` value must be one of {DATA_FORMATS} (any case). "
        f"{_received(where, value)}"
    )
    raise ValueError(msg)


def _check_backend(value: Any, where: str) -> str:
    if isinstance(value, str) and value.lower() in BACKENDS:
        return value.lower()
    msg = f"Unknown `backend`. Available backends are {BACKENDS}. {_received(where, value)}"
    raise ValueError(msg)


def _check_cap(name: str) -> Callable[[Any, str], int | None]:
    def check(value: Any, where: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value > 0:
            return int(value)
        msg = f"Invalid `{name}` value. Expected a positive integer or None. {_received(where, value)}"
        raise ValueError(msg)

    return check


def _check_bool(name: str, *, allow_none: bool = False) -> Callable[[Any, str], bool | None]:
    def check(value: Any, where: str) -> bool | None:
        if isinstance(value, bool) or (allow_none and value is None):
            return value
        allowed = "True, False or None" if allow_none else "True or False"
        msg = f"Invalid `{name}` value. Expected {allowed}. {_received(where, value)}"
        raise ValueError(msg)

    return check


def _parse_text(value: str, kind: str) -> Any:
    """Turn an environment variable's text into the Python value its checker expects."""
    low = value.strip().lower()
    if kind == "bool":
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        return value
    if kind == "optbool":
        if low in ("auto", "none"):
            return None
        return _parse_text(value, "bool")
    if kind == "int":
        if low in ("none",):
            return None
        try:
            return int(low, 10)
        except ValueError:
            return value
    if kind == "float":
        try:
            return float(low)
        except ValueError:
            return value
    return value


class Spec:
    """One setting: its name, default, checker, env var suffix and the kind of its env text."""

    __slots__ = ("check", "default", "env", "in_file", "kind", "name")

    def __init__(
        self,
        name: str,
        default: Any,
        check: Callable[[Any, str], Any],
        env: str | None,
        kind: str = "str",
        in_file: bool = True,
    ) -> None:
        self.name, self.default, self.check = name, default, check
        self.env, self.kind, self.in_file = env, kind, in_file

    def from_env_text(self, text: str, var: str) -> Any:
        return self.check(_parse_text(text, self.kind), var)


SPECS: dict[str, Spec] = {
    s.name: s
    for s in (
        Spec("floatx", "float32", _check_floatx, "FLOATX"),
        Spec("epsilon", 1e-7, _check_epsilon, "EPSILON", "float"),
        Spec("image_data_format", "channels_last", _check_data_format, "IMAGE_DATA_FORMAT"),
        Spec("backend", None, _check_backend, "BACKEND"),
        Spec("max_epochs", None, _check_cap("max_epochs"), "MAX_EPOCHS", "int"),
        Spec(
            "max_steps_per_epoch",
            None,
            _check_cap("max_steps_per_epoch"),
            "MAX_STEPS_PER_EPOCH",
            "int",
        ),
        Spec("nnx_enabled", False, _check_bool("nnx_enabled"), "NNX_ENABLED", "bool"),
        Spec(
            "flash_attention",
            None,
            _check_bool("flash_attention", allow_none=True),
            "FLASH_ATTENTION",
            "optbool",
        ),
        Spec(
            "traceback_filtering",
            True,
            _check_bool("traceback_filtering"),
            "TRACEBACK_FILTERING",
            "bool",
        ),
        Spec(
            "interactive_logging",
            True,
            _check_bool("interactive_logging"),
            "INTERACTIVE_LOGGING",
            "bool",
        ),
        # Safe mode is only ever turned off by code: never by an env var or a file, so that no
        # data or config written by someone else can switch it (CVE-2025-8747/9906).
        Spec("safe_mode", None, _check_bool("safe_mode", allow_none=True), None, in_file=False),
    )
}
