# SPDX-License-Identifier: Apache-2.0
"""``filter_traceback``: hide cornu's own frames from errors raised through public functions."""

from __future__ import annotations

import functools
import os
import sys
import types
from collections.abc import Callable
from typing import Any, TypeVar

from cornu_config import _store

__all__ = ["filter_traceback"]

F = TypeVar("F", bound=Callable[..., Any])
_roots: tuple[str, ...] = ()
_rooted: frozenset[str] = frozenset()


def _cornu_roots() -> tuple[str, ...]:
    """Source folders of the cornu packages imported so far (recomputed when that changes)."""
    global _roots, _rooted
    names = frozenset(n for n in sys.modules if n == "cornu" or (n.startswith("cornu_") and "." not in n))
    if names != _rooted:
        roots = []
        for name in names:
            file = getattr(sys.modules[name], "__file__", None)
            if file:
                roots.append(os.path.dirname(os.path.abspath(file)) + os.sep)
        _roots, _rooted = tuple(roots), names
    return _roots


def _filtered(tb: types.TracebackType | None) -> types.TracebackType | None:
    roots = _cornu_roots()
    kept = []
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(roots):
            kept.append(tb)
        tb = tb.tb_next
    new = None
    for entry in reversed(kept):
        new = types.TracebackType(new, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return new


def filter_traceback(fn: F) -> F:
    """Decorate a public function so its errors show the caller's frames, not cornu's.

    With filtering on (``is_traceback_filtering_enabled()``), an ``Exception`` leaving ``fn``
    is re-raised as the same object with every frame from a cornu package's source folder
    removed (frames of user code called back by cornu stay) and its context suppressed. With
    filtering off it passes untouched. When nothing is raised the cost is one ``try``.

    Example:
        >>> from cornu_config import filter_traceback
        >>> @filter_traceback
        ... def half(x):
        ...     return x / 2
        >>> half(3)
        1.5
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            if not _store.get("traceback_filtering"):
                raise
            raise e.with_traceback(_filtered(e.__traceback__)) from None

    return wrapper  # type: ignore[return-value]
