# SPDX-License-Identifier: Apache-2.0
"""Version of cornu: the only place it is written."""

__version__ = "0.1.0"
