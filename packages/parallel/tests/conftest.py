# SPDX-License-Identifier: Apache-2.0
"""Fixtures of the cornu_parallel tests: a pinned backend, fake device lists, a clean engine."""

from __future__ import annotations

import sys

import pytest

from cornu_parallel import _devices, distributed


@pytest.fixture
def numpy_backend(monkeypatch):
    """Run framework-free: plain callables go to the numpy backend whatever CORNU_BACKEND says."""
    monkeypatch.setattr(sys.modules["cornu_parallel.replication"], "configured_backend", lambda: "numpy")
    monkeypatch.setattr(distributed, "configured_backend", lambda: "numpy")
    return "numpy"


@pytest.fixture
def fake_devices(monkeypatch):
    """Pretend the backend has the given devices: ``fake_devices(["cpu:0", "gpu:0", ...])``."""

    def install(names):
        monkeypatch.setattr(_devices, "available", lambda backend: list(names))

    return install


@pytest.fixture(autouse=True)
def no_engine_left():
    """Every test starts and ends with cornu_parallel.distributed not initialized."""
    assert not distributed.is_initialized()
    yield
    if distributed.is_initialized():
        distributed.shutdown()
