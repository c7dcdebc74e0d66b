# SPDX-License-Identifier: Apache-2.0
"""Setters and getters: defaults, round trips, and the error for every bad value."""

from __future__ import annotations

import math
import threading

import pytest

import cornu_config as cc


def test_defaults_match_keras():  # T-FX-01, T-MX-01, T-NNX-01, T-FA-01, T-TB-01, T-IL-01
    assert cc.floatx() == "float32"
    assert cc.epsilon() == 1e-7
    assert cc.image_data_format() == "channels_last"
    assert cc.max_epochs() is None
    assert cc.max_steps_per_epoch() is None
    assert cc.is_nnx_enabled() is False
    assert cc.is_flash_attention_enabled() is None
    assert cc.is_traceback_filtering_enabled() is True
    assert cc.is_interactive_logging_enabled() is True
    assert cc.in_safe_mode() is None


@pytest.mark.parametrize("value", ["bfloat16", "float16", "float32", "float64"])
def test_floatx_round_trips(value):  # T-FX-02
    cc.set_floatx(value)
    assert cc.floatx() == value


@pytest.mark.parametrize(
    "value", ["float8", "int32", None, 32, "Float32", b"float32", ["float32"], {"a": 1}]
)
def test_floatx_rejects_with_value_error(value):  # T-FX-03/04 (a list is ValueError here too)
    with pytest.raises(ValueError, match=r"Unknown `floatx` value.*Received: floatx="):
        cc.set_floatx(value)
    assert cc.floatx() == "float32"


def test_floatx_rejects_numpy_dtype():
    np = pytest.importorskip("numpy")
    with pytest.raises(ValueError, match="floatx"):
        cc.set_floatx(np.dtype("float32"))


@pytest.mark.parametrize("value", [1e-5, 1, 0.5])
def test_epsilon_accepts_positive_reals(value):  # T-FX-05
    cc.set_epsilon(value)
    assert cc.epsilon() == float(value)
    assert isinstance(cc.epsilon(), float)


@pytest.mark.parametrize("value", [0, -1e-7, math.nan, math.inf, "abc", "1e-3", None, True])
def test_epsilon_rejects(value):
    with pytest.raises(ValueError, match=r"`epsilon`.*positive.*Received: epsilon="):
        cc.set_epsilon(value)
    assert cc.epsilon() == 1e-7


def test_image_data_format_is_case_insensitive_and_stored_lower():  # T-FX-06
    cc.set_image_data_format("CHANNELS_FIRST")
    assert cc.image_data_format() == "channels_first"


@pytest.mark.parametrize("value", ["nchw", None, 1, " channels_first "])
def test_image_data_format_rejects(value):  # T-FX-07
    with pytest.raises(ValueError, match=r"channels_first.*Received: image_data_format="):
        cc.set_image_data_format(value)


@pytest.mark.parametrize("name", ["max_epochs", "max_steps_per_epoch"])
def test_caps_round_trip(name):  # T-MX-04
    getattr(cc, f"set_{name}")(3)
    assert getattr(cc, name)() == 3
    getattr(cc, f"set_{name}")(None)
    assert getattr(cc, name)() is None


@pytest.mark.parametrize("name", ["max_epochs", "max_steps_per_epoch"])
@pytest.mark.parametrize("value", [0, -2, 2.5, "3", True])
def test_caps_reject(name, value):
    with pytest.raises(ValueError, match=rf"`{name}`.*positive integer or None.*Received: {name}="):
        getattr(cc, f"set_{name}")(value)


def test_flash_attention_is_tri_state():  # T-FA-02 (adapted: enable reads back True)
    cc.disable_flash_attention()
    assert cc.is_flash_attention_enabled() is False
    cc.enable_flash_attention()
    assert cc.is_flash_attention_enabled() is True
    cc.set_flash_attention(None)
    assert cc.is_flash_attention_enabled() is None
    with pytest.raises(ValueError, match="flash_attention"):
        cc.set_flash_attention("yes")


def test_flash_attention_sets_torch_switch_when_torch_is_loaded():
    torch = pytest.importorskip("torch")
    before = torch.backends.cuda.flash_sdp_enabled()
    try:
        cc.disable_flash_attention()
        assert torch.backends.cuda.flash_sdp_enabled() is False
        cc.enable_flash_attention()
        assert torch.backends.cuda.flash_sdp_enabled() is True
    finally:
        torch.backends.cuda.enable_flash_sdp(before)


def test_switches_toggle():  # T-TB-02, T-IL-01
    cc.disable_traceback_filtering()
    assert cc.is_traceback_filtering_enabled() is False
    cc.enable_traceback_filtering()
    assert cc.is_traceback_filtering_enabled() is True
    cc.disable_interactive_logging()
    assert cc.is_interactive_logging_enabled() is False
    cc.enable_interactive_logging()
    assert cc.is_interactive_logging_enabled() is True


def test_unsafe_deserialization_turns_safe_mode_off():  # T-SM-01/02 (adapted)
    assert cc.in_safe_mode() is None
    cc.enable_unsafe_deserialization()
    assert cc.in_safe_mode() is False
    cc.clear_session(free_memory=False)
    assert cc.in_safe_mode() is False  # clear_session changes no setting


def test_nnx_needs_flax(monkeypatch):  # T-NNX-03 (adapted)
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "flax" else real(n, *a))
    with pytest.raises(ImportError, match="pip install flax"):
        cc.set_nnx_enabled(True)
    assert cc.is_nnx_enabled() is False
    cc.set_nnx_enabled(False)
    with pytest.raises(ValueError, match="nnx_enabled"):
        cc.set_nnx_enabled("true")


def test_settings_are_process_wide_across_threads():  # T-FX-08, and DESIGN: flags too
    seen = {}

    def worker():
        seen["floatx"] = cc.floatx()
        seen["filtering"] = cc.is_traceback_filtering_enabled()
        cc.set_epsilon(1e-3)

    cc.set_floatx("float16")
    cc.disable_traceback_filtering()
    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen == {"floatx": "float16", "filtering": False}
    assert cc.epsilon() == 1e-3
