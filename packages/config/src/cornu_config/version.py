# SPDX-License-Identifier: Apache-2.0
"""``version()``: the version of cornu_config (the umbrella reports its own)."""

from __future__ import annotations

from cornu_config.__about__ import __version__

__all__ = ["version"]


def version() -> str:
    """The installed version of this package, a PEP 440 string.

    Example:
        >>> from cornu_config import version, __version__
        >>> version() == __version__
        True
    """
    return __version__
