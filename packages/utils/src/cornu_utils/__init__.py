# SPDX-License-Identifier: Apache-2.0
"""cornu_utils: to_categorical, normalize, get_file, custom objects, summaries, plots and progress bars for any framework."""

from cornu_utils.__about__ import __version__

__all__ = ["__version__"]


def __dir__() -> list[str]:
    return list(__all__)
