# SPDX-License-Identifier: Apache-2.0
"""Each test starts with no scope open, default settings and fresh device caches."""

from __future__ import annotations

import pytest

import cornu_config
from cornu_device import _state
from cornu_device.devices import forget_devices

# cornu_device's NumPy backend needs no NumPy: nothing to import for it.
FRAMEWORK = {"numpy": None, "torch": "torch", "jax": "jax", "tensorflow": "tensorflow"}


@pytest.fixture(autouse=True)
def fresh_session():
    saved = dict(_state.requests)
    cornu_config.clear_session(free_memory=False)
    yield
    _state.requests.clear()
    _state.requests.update(saved)
    cornu_config.clear_session(free_memory=False)
    forget_devices()


@pytest.fixture
def backend():
    """The configured backend, its framework imported (skips when it is missing)."""
    name = cornu_config.backend()
    if FRAMEWORK[name] is not None:
        pytest.importorskip(FRAMEWORK[name])
    return name
