# SPDX-License-Identifier: Apache-2.0
"""Fixtures for the root tests (what spans packages)."""

from __future__ import annotations

import pathlib

import pytest
from cornu_testing import ROOT


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT
