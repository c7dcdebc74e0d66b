# SPDX-License-Identifier: Apache-2.0
"""Errors of loader workers, and how a worker's exception crosses into the consumer."""

from __future__ import annotations

import pickle
import traceback
from typing import Any

__all__ = ["RemoteTraceback", "WorkerError", "WorkerTimeoutError", "pack_exception", "unpack_exception"]


class WorkerError(RuntimeError):
    """A loader worker died, hung, or raised something that cannot be rebuilt as itself."""


class WorkerTimeoutError(WorkerError, TimeoutError):
    """A loader worker spent longer than ``timeout`` seconds on one batch."""


class RemoteTraceback(Exception):
    """The traceback text of an exception raised in a worker process (its ``__cause__``)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


def pack_exception(exc: BaseException) -> tuple[bytes | None, str, str, str]:
    """What a worker process sends for ``exc``: the pickle (when possible) and texts."""
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        blob: bytes | None = pickle.dumps(exc)
        pickle.loads(blob)  # an exception whose __init__ needs other args fails here
    except Exception:
        blob = None
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    return blob, name, str(exc), tb


def unpack_exception(packed: tuple[bytes | None, str, str, str], where: str) -> BaseException:
    """Rebuild a worker's exception with its original type; its traceback text is the cause."""
    blob, name, text, tb = packed
    exc: Any = None
    if blob is not None:
        try:
            exc = pickle.loads(blob)
        except Exception:
            exc = None
    if not isinstance(exc, BaseException):
        exc = WorkerError(f"{name}: {text} (raised in {where}; the original type could not be rebuilt)")
    exc.__cause__ = RemoteTraceback(f'\n"""\nTraceback in {where}:\n{tb.rstrip()}\n"""')
    return exc
