# SPDX-License-Identifier: Apache-2.0
"""``cornu.parallel``: the public API of ``cornu_parallel``, imported on first use of a name."""

from __future__ import annotations

from cornu._lazy import facade

__getattr__, __dir__ = facade("cornu.parallel", "cornu_parallel", globals())
