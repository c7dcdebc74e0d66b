# SPDX-License-Identifier: Apache-2.0
"""Every config test starts from defaults: no setter values, no cornu/keras env vars, and an
empty CORNU_HOME of its own (so the developer's ~/.cornu never leaks in)."""

from __future__ import annotations

import pytest

from cornu_config import _store, backend_choice
from cornu_config._spec import SPECS


@pytest.fixture(autouse=True)
def clean_config(tmp_path, monkeypatch):
    for spec in SPECS.values():
        if spec.env:
            monkeypatch.delenv(f"CORNU_{spec.env}", raising=False)
            monkeypatch.delenv(f"KERAS_{spec.env}", raising=False)
    home = tmp_path / "cornu_home"
    monkeypatch.setenv("CORNU_HOME", str(home))
    saved = dict(_store._set)
    _store._set.clear()
    _store.forget_file()
    backend_choice._detected = None
    yield home
    _store._set.clear()
    _store._set.update(saved)
    _store.forget_file()
    backend_choice._detected = None
