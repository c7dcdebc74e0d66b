# SPDX-License-Identifier: Apache-2.0
"""The "too late" error: a setting the framework can no longer take in this process."""

from __future__ import annotations

from typing import Any

__all__ = ["TooLateError", "too_late"]


class TooLateError(RuntimeError):
    """A device or thread setting arrived after the framework had initialised what it sets."""


def too_late(
    function: str, framework: str, state: str, what: str, env: str | None, arg: str, value: Any
) -> TooLateError:
    """The error a setter raises when ``framework`` can no longer take the setting."""
    before = f", or set {env} before Python starts" if env else ""
    return TooLateError(
        f"`{function}` came too late: {framework} was already initialised ({state}), so {what} "
        f"can no longer change in this process. Call `{function}` before {framework} first "
        f"runs an operation{before}. Received: {arg}={value!r}"
    )
