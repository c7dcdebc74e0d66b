# SPDX-License-Identifier: Apache-2.0
"""The `cornu` command: `info` in text and JSON, errors as one line with a non-zero exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from cornu.cli import main


def test_info_prints_versions_backend_and_every_setting_with_source(capsys, monkeypatch):
    monkeypatch.setenv("CORNU_EPSILON", "0.001")
    assert main(["info", "--no-devices"]) == 0
    out = capsys.readouterr().out
    assert "cornu-config" in out
    assert "epsilon" in out
    assert "env:CORNU_EPSILON" in out
    assert "config file" in out


def test_info_json_is_machine_readable(capsys, monkeypatch):
    monkeypatch.setenv("CORNU_FLOATX", "float16")
    from cornu.cli import info

    # Only numpy's devices here: listing every framework's imports each one (slow).
    monkeypatch.setattr(info, "FRAMEWORKS", {"numpy": "numpy"})
    assert main(["info", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["devices"] == {"numpy": ["cpu:0"]}
    assert {row["name"] for row in data["device_settings"]} >= {"visible_devices", "intra_op_threads"}
    assert data["settings"]["floatx"] == {"value": "float16", "source": "env:CORNU_FLOATX"}
    assert data["packages"]["cornu"] is not None


def test_bad_setting_is_one_line_and_exit_1(capsys, monkeypatch):
    monkeypatch.setenv("KERAS_MAX_EPOCHS", "abc")
    assert main(["info", "--no-devices"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "Received: KERAS_MAX_EPOCHS='abc'" in err[0]


def test_no_command_prints_help_and_exit_2(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_help_everywhere():
    for argv in (["--help"], ["info", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0


def test_console_script_runs_in_a_fresh_process():
    env = dict(os.environ, CORNU_BACKEND="numpy")
    out = subprocess.run(
        [sys.executable, "-m", "cornu", "info", "--json", "--no-devices"],
        capture_output=True, text=True, env=env,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["settings"]["backend"]["value"] == "numpy"
