# SPDX-License-Identifier: Apache-2.0
"""``cornu.data``: the public API of ``cornu_data``, imported on first use of a name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cornu._lazy import facade

if TYPE_CHECKING:  # type checkers and IDEs see the package's real names and types
    from cornu_data import *  # noqa: F403

__getattr__, __dir__ = facade("cornu.data", "cornu_data", globals())
