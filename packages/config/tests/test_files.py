# SPDX-License-Identifier: Apache-2.0
"""save_config writes atomically, keeps what it does not own, and is read back by a new process;
nothing is read or written at import."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import cornu_config as cc


def run_fresh(code, env):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("CORNU_", "KERAS_"))}
    full.update(env)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full)
    return out


def test_save_config_round_trips_into_a_new_process(clean_config):
    cc.set_floatx("float64")
    cc.set_epsilon(1e-4)
    cc.set_max_epochs(2)
    cc.enable_unsafe_deserialization()
    path = cc.save_config()
    assert path == str(clean_config / "cornu.json")
    data = json.loads((clean_config / "cornu.json").read_text())
    assert data["floatx"] == "float64"
    assert data["max_epochs"] == 2
    assert "safe_mode" not in data
    out = run_fresh(
        "import cornu_config as c; print(c.floatx(), c.epsilon(), c.max_epochs(), c.in_safe_mode(),"
        " c.settings()['floatx'].source)",
        {"CORNU_HOME": str(clean_config)},
    )
    assert out.stdout.split() == ["float64", "0.0001", "2", "None", "file"], out.stderr


def test_save_config_keeps_unknown_keys_and_leaves_no_temp_file(clean_config):
    clean_config.mkdir(parents=True)
    (clean_config / "cornu.json").write_text(json.dumps({"my_tool": {"x": 1}}))
    cc.save_config()
    data = json.loads((clean_config / "cornu.json").read_text())
    assert data["my_tool"] == {"x": 1}
    assert data["floatx"] == "float32"
    assert os.listdir(clean_config) == ["cornu.json"]


@pytest.mark.parametrize("text", ["{broken", "[1]"])
def test_save_config_refuses_to_overwrite_an_unreadable_file(clean_config, text):
    clean_config.mkdir(parents=True)
    path = clean_config / "cornu.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"fix or delete it first\. Received: path="):
        cc.save_config()
    assert path.read_text() == text


def test_save_config_to_an_explicit_path_creates_folders(tmp_path):
    target = tmp_path / "a" / "b" / "cornu.json"
    assert cc.save_config(str(target)) == str(target)
    assert json.loads(target.read_text())["image_data_format"] == "channels_last"


def test_import_reads_and_writes_nothing(tmp_path):
    home = tmp_path / "home"
    cornu_home = tmp_path / "cornu_home"
    cornu_home.mkdir()
    (cornu_home / "cornu.json").write_text("{not json")
    code = (
        "import warnings; warnings.simplefilter('error');"
        "import cornu_config, os; print('imported');"
        "print(sorted(os.listdir(os.environ['CORNU_HOME'])))"
    )
    out = run_fresh(code, {"HOME": str(home), "CORNU_HOME": str(cornu_home), "KERAS_MAX_EPOCHS": "abc"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["imported", "['cornu.json']"]
    assert not home.exists()


def test_bad_env_var_is_an_error_message_not_a_crash_at_import(tmp_path):
    code = (
        "import cornu_config\n"
        "try:\n    cornu_config.max_epochs()\n"
        "except ValueError as e:\n    print('ValueError:', e)\n"
    )
    out = run_fresh(code, {"CORNU_HOME": str(tmp_path), "KERAS_MAX_EPOCHS": "abc"})
    assert out.returncode == 0
    assert "ValueError: Invalid `max_epochs` value" in out.stdout
    assert "Received: KERAS_MAX_EPOCHS='abc'" in out.stdout
