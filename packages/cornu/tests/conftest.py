# SPDX-License-Identifier: Apache-2.0
"""Each umbrella test starts with no setter values and an empty CORNU_HOME of its own."""

from __future__ import annotations

import pytest

from cornu_config import _store


@pytest.fixture(autouse=True)
def clean_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("CORNU_HOME", str(tmp_path / "cornu_home"))
    saved = _store.snapshot()
    _store.restore({})
    yield
    _store.restore(saved)
