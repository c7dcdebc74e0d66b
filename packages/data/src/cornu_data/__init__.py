# SPDX-License-Identifier: Apache-2.0
"""cornu_data: HDF5Matrix, PyDataset/Sequence workers and loaders for every framework."""

from cornu_data.__about__ import __version__
from cornu_data.hdf5 import HDF5Matrix

__all__ = ["HDF5Matrix", "__version__"]


def __dir__() -> list[str]:
    return list(__all__)
