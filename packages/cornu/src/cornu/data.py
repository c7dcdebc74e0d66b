# SPDX-License-Identifier: Apache-2.0
"""``cornu.data``: the public API of ``cornu_data``, imported on first use of a name."""

from __future__ import annotations

from cornu._lazy import facade

__getattr__, __dir__ = facade("cornu.data", "cornu_data", globals())
