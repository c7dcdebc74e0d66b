# SPDX-License-Identifier: Apache-2.0
"""cornu_parallel: replicate / multi_gpu_model and multi-process training on each framework's own engine."""

from cornu_parallel.__about__ import __version__

__all__ = ["__version__"]


def __dir__() -> list[str]:
    return list(__all__)
