# SPDX-License-Identifier: Apache-2.0
"""filter_traceback: cornu frames hidden when on, everything shown when off."""

from __future__ import annotations

import os
import traceback

import pytest

import cornu_config as cc
from cornu_config import filter_traceback

CONFIG_DIR = os.path.dirname(cc.__file__)


@filter_traceback
def _public(callback=None):
    # Stands for a cornu public function: the error comes from deep inside cornu.
    from cornu_config import _store

    if callback is not None:
        return callback()
    return _store.resolve("no such setting")


def _frames(exc):
    return [f.filename for f in traceback.extract_tb(exc.__traceback__)]


def test_filtering_on_hides_cornu_frames():  # T-TB-04
    with pytest.raises(KeyError) as info:
        _public()
    files = _frames(info.value)
    inside = [f for f in files if f.startswith(CONFIG_DIR)]
    assert inside == [os.path.join(CONFIG_DIR, "tracebacks.py")]  # only the re-raise line
    assert files[0] == __file__
    assert info.value.__suppress_context__ is True


def test_filtering_off_shows_everything():  # T-TB-05
    cc.disable_traceback_filtering()
    with pytest.raises(KeyError) as info:
        _public()
    files = _frames(info.value)
    assert files[-1] == os.path.join(CONFIG_DIR, "_store.py")
    assert os.path.join(CONFIG_DIR, "tracebacks.py") in files


def test_user_frames_called_back_from_cornu_are_kept():
    def user_callback():
        raise ValueError("from user code")

    with pytest.raises(ValueError, match="from user code") as info:
        _public(user_callback)
    names = [f.name for f in traceback.extract_tb(info.value.__traceback__)]
    assert "user_callback" in names


def test_same_exception_object_and_type():
    err = RuntimeError("boom")

    def raise_it():
        raise err

    with pytest.raises(RuntimeError) as info:
        _public(raise_it)
    assert info.value is err


def test_keyboard_interrupt_passes_untouched():
    def interrupt():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _public(interrupt)


def test_no_exception_returns_the_value_and_keeps_metadata():
    assert _public(lambda: 42) == 42
    assert _public.__name__ == "_public"
    assert _public.__wrapped__.__name__ == "_public"
