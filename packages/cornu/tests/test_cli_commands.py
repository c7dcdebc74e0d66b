# SPDX-License-Identifier: Apache-2.0
"""`cornu fetch` and `cornu summary` from the shell."""

from __future__ import annotations

import hashlib
import sys

import pytest

from cornu.cli import main


def test_fetch_a_file_url_checks_the_hash_and_prints_the_path(tmp_path, capsys):
    source = tmp_path / "weights.bin"
    source.write_bytes(b"\x00\x01" * 1000)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    cache = tmp_path / "cache"
    code = main(["fetch", source.as_uri(), "--hash", f"sha256:{digest}", "--cache-dir", str(cache)])
    assert code == 0
    printed = capsys.readouterr().out.strip().splitlines()[-1]
    assert printed == str(cache / "datasets" / "weights.bin")
    assert (cache / "datasets" / "weights.bin").read_bytes() == source.read_bytes()


def test_fetch_with_a_wrong_hash_is_one_line_and_keeps_nothing(tmp_path, capsys):
    source = tmp_path / "weights.bin"
    source.write_bytes(b"payload")
    cache = tmp_path / "cache"
    code = main(["fetch", source.as_uri(), "--hash", "sha256:" + "0" * 64, "--cache-dir", str(cache)])
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("cornu fetch: error:")
    assert not (cache / "datasets" / "weights.bin").exists()


@pytest.fixture
def model_module(tmp_path, monkeypatch):
    pytest.importorskip("numpy")
    (tmp_path / "cli_models.py").write_text(
        "import numpy as np\n"
        "def build():\n"
        "    return {'dense': {'kernel': np.zeros((4, 3)), 'bias': np.zeros(3)}}\n"
        "params = build()\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "cli_models"
    sys.modules.pop("cli_models", None)


@pytest.mark.parametrize("attr", ["build", "params"])
def test_summary_of_a_model_or_a_function_returning_one(model_module, attr, capsys):
    assert main(["summary", f"{model_module}:{attr}"]) == 0
    out = capsys.readouterr().out
    assert "Total params: 15" in out


@pytest.mark.parametrize(
    ("target", "pattern"),
    [
        ("no_colon", "expected MODULE:ATTR"),
        ("no_such_module_xyz:build", "cannot import module 'no_such_module_xyz'"),
        ("cli_models:missing", "has no attribute 'missing'"),
    ],
)
def test_summary_errors_are_one_line(model_module, target, pattern, capsys):
    assert main(["summary", target]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert pattern in err[0]
