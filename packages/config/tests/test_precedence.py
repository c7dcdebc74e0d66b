# SPDX-License-Identifier: Apache-2.0
"""Precedence setter > CORNU_* > KERAS_* > file > default, sources, and bad values anywhere."""

from __future__ import annotations

import json
import warnings

import pytest

import cornu_config as cc


def write_config(home, data):
    home.mkdir(parents=True, exist_ok=True)
    path = home / "cornu.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_each_source_in_order(clean_config, monkeypatch):
    assert cc.settings()["floatx"] == cc.Setting("float32", "default")
    write_config(clean_config, {"floatx": "float64"})
    assert cc.settings()["floatx"] == cc.Setting("float64", "file")
    monkeypatch.setenv("KERAS_FLOATX", "float16")
    assert cc.settings()["floatx"] == cc.Setting("float16", "env:KERAS_FLOATX")
    monkeypatch.setenv("CORNU_FLOATX", "bfloat16")
    assert cc.settings()["floatx"] == cc.Setting("bfloat16", "env:CORNU_FLOATX")
    cc.set_floatx("float32")
    assert cc.settings()["floatx"] == cc.Setting("float32", "setter")


def test_env_vars_are_read_when_asked_not_at_import(monkeypatch):
    monkeypatch.setenv("KERAS_MAX_EPOCHS", "3")
    monkeypatch.setenv("KERAS_MAX_STEPS_PER_EPOCH", "5")
    assert (cc.max_epochs(), cc.max_steps_per_epoch()) == (3, 5)  # T-MX-02
    monkeypatch.setenv("CORNU_MAX_EPOCHS", "7")
    assert cc.max_epochs() == 7


def test_empty_env_var_is_ignored(clean_config, monkeypatch):  # T-BK-02
    write_config(clean_config, {"backend": "jax"})
    monkeypatch.setenv("KERAS_BACKEND", "")
    assert cc.backend() == "jax"


@pytest.mark.parametrize(
    ("var", "text", "pattern"),
    [
        ("KERAS_MAX_EPOCHS", "abc", r"`max_epochs`.*Received: KERAS_MAX_EPOCHS='abc'"),  # T-MX-03
        ("KERAS_MAX_EPOCHS", "2.5", r"Received: KERAS_MAX_EPOCHS='2.5'"),
        ("CORNU_MAX_STEPS_PER_EPOCH", "0", r"Received: CORNU_MAX_STEPS_PER_EPOCH=0"),
        ("KERAS_BACKEND", "foo", r"Available backends are .*numpy.*Received: KERAS_BACKEND='foo'"),
        ("CORNU_FLOATX", "float8", r"Received: CORNU_FLOATX='float8'"),
        ("CORNU_EPSILON", "-1", r"Received: CORNU_EPSILON=-1.0"),
        ("KERAS_NNX_ENABLED", "maybe", r"`nnx_enabled`.*Received: KERAS_NNX_ENABLED='maybe'"),
        ("CORNU_TRACEBACK_FILTERING", "2", r"Received: CORNU_TRACEBACK_FILTERING='2'"),
    ],
)
def test_bad_env_value_is_a_value_error_naming_the_variable(monkeypatch, var, text, pattern):
    monkeypatch.setenv(var, text)
    with pytest.raises(ValueError, match=pattern):
        cc.settings()


@pytest.mark.parametrize(("text", "value"), [("1", True), ("TRUE", True), ("no", False), ("off", False)])
def test_boolean_env_text(monkeypatch, text, value):
    monkeypatch.setenv("CORNU_INTERACTIVE_LOGGING", text)
    assert cc.is_interactive_logging_enabled() is value


def test_env_var_can_turn_nnx_off_over_the_file(clean_config, monkeypatch):  # T-NNX-02
    write_config(clean_config, {"nnx_enabled": True})
    monkeypatch.setenv("KERAS_NNX_ENABLED", "no")
    assert cc.is_nnx_enabled() is False


def test_file_string_false_is_an_error_not_truthy(clean_config):  # Keras bug T-NNX-03
    write_config(clean_config, {"nnx_enabled": "false"})
    with pytest.raises(ValueError, match=r"cornu.json.*`nnx_enabled`.*Received: nnx_enabled='false'"):
        cc.is_nnx_enabled()


def test_full_file_applies_and_env_overrides_backend(clean_config, monkeypatch):  # T-KJ-07/08
    write_config(
        clean_config,
        {
            "floatx": "float64",
            "epsilon": 0.001,
            "image_data_format": "channels_first",
            "backend": "numpy",
            "unknown_key": 1,
        },
    )
    assert (cc.floatx(), cc.epsilon(), cc.image_data_format(), cc.backend()) == (
        "float64",
        0.001,
        "channels_first",
        "numpy",
    )
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert cc.backend() == "jax"
    assert cc.floatx() == "float64"


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        ({"floatx": "float8"}, r"cornu.json.*Received: floatx='float8'"),
        ({"epsilon": "small"}, r"cornu.json.*`epsilon`"),
        ({"image_data_format": "nhwc"}, r"cornu.json.*image_data_format"),
        ({"max_epochs": 0}, r"cornu.json.*max_epochs"),
    ],
)
def test_bad_file_value_is_a_value_error_naming_the_file(clean_config, data, pattern):  # T-KJ-04..06
    write_config(clean_config, data)
    with pytest.raises(ValueError, match=pattern):
        cc.settings()


def test_file_accepts_bfloat16_and_any_case_format(clean_config):  # Keras rejects both in the file
    write_config(clean_config, {"floatx": "bfloat16", "image_data_format": "CHANNELS_FIRST"})
    assert cc.floatx() == "bfloat16"
    assert cc.image_data_format() == "channels_first"


def test_null_in_file_means_default(clean_config):
    write_config(clean_config, {"floatx": None, "max_epochs": None})
    assert cc.settings()["floatx"] == cc.Setting("float32", "default")


@pytest.mark.parametrize("text", ["{not json", "", "[1, 2]", "3"])
def test_unusable_file_warns_once_and_is_ignored(clean_config, text):  # T-KJ-03/10/11
    path = write_config(clean_config, text)
    with pytest.warns(UserWarning, match="ignored"):
        assert cc.floatx() == "float32"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cc.epsilon() == 1e-7  # no second warning
    assert path.read_text() == text  # never rewritten


def test_config_path_follows_cornu_home(clean_config, monkeypatch, tmp_path):
    assert cc.config_path() == str(clean_config / "cornu.json")
    monkeypatch.delenv("CORNU_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cc.config_path() == str(tmp_path / "home" / ".cornu" / "cornu.json")
    monkeypatch.setenv("CORNU_HOME", "")
    assert cc.config_path() == str(tmp_path / "home" / ".cornu" / "cornu.json")


def test_settings_lists_every_setting_with_a_source(monkeypatch):
    monkeypatch.setenv("CORNU_EPSILON", "1e-4")
    report = cc.settings()
    assert set(report) >= {
        "floatx", "epsilon", "image_data_format", "backend", "max_epochs",
        "max_steps_per_epoch", "nnx_enabled", "flash_attention", "traceback_filtering",
        "interactive_logging", "safe_mode",
    }
    assert report["epsilon"] == cc.Setting(1e-4, "env:CORNU_EPSILON")
    assert report["backend"].source in ("detected", "default")


def test_safe_mode_cannot_come_from_env_or_file(clean_config, monkeypatch):
    write_config(clean_config, {"safe_mode": False})
    monkeypatch.setenv("CORNU_SAFE_MODE", "0")
    monkeypatch.setenv("KERAS_SAFE_MODE", "0")
    assert cc.in_safe_mode() is None
