# SPDX-License-Identifier: Apache-2.0
"""``print_msg``: stdout when interactive logging is on, the ``cornu`` logger otherwise."""

from __future__ import annotations

import sys
from typing import Any

from cornu_config import _store

__all__ = ["print_msg"]

def print_msg(msg: Any, line_break: bool = True) -> None:
    """Print a message the way cornu prints everything.

    With interactive logging on, ``str(msg)`` goes to ``sys.stdout`` (plus ``"\\n"`` when
    ``line_break``) and is flushed; characters the stream cannot encode are replaced (``━``
    becomes ``=``), never an error. With it off, the message goes to ``logging.getLogger("cornu")``
    at level INFO.

    Args:
        msg: anything; it is converted with ``str``.
        line_break: end the line (stdout only; log records are lines already).

    Example:
        >>> from cornu_config import print_msg
        >>> print_msg("Hello")
        Hello
    """
    text = str(msg)
    if not _store.get("interactive_logging"):
        import logging

        logging.getLogger("cornu").info(text)
        return
    if line_break:
        text += "\n"
    stream = sys.stdout
    try:
        stream.write(text)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "utf-8"
        text = text.replace("━", "=").encode(encoding, errors="replace").decode(encoding)
        stream.write(text)
    stream.flush()
