# SPDX-License-Identifier: Apache-2.0
"""cornu_device: One device scope, name scopes and CPU/GPU control for NumPy, PyTorch, JAX and TensorFlow."""

from cornu_device.__about__ import __version__

__all__ = ["__version__"]


def __dir__() -> list[str]:
    return list(__all__)
