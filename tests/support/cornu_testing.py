# SPDX-License-Identifier: Apache-2.0
"""Constants shared by the root tests (on sys.path through pytest.toml's `pythonpath`)."""

from __future__ import annotations

import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGES = {
    "config": "cornu_config",
    "device": "cornu_device",
    "utils": "cornu_utils",
    "data": "cornu_data",
    "parallel": "cornu_parallel",
    "cornu": "cornu",
}
