# SPDX-License-Identifier: Apache-2.0
"""print_msg routes by interactive logging and never fails on encoding."""

from __future__ import annotations

import io
import logging
import sys

import cornu_config as cc


def test_print_msg_writes_stdout(capsys):  # T-IL-02
    cc.print_msg("Hello")
    cc.print_msg("Hello", line_break=False)
    assert capsys.readouterr().out == "Hello\nHello"


def test_print_msg_logs_when_interactive_logging_is_off(capsys, caplog):  # T-IL-03
    cc.disable_interactive_logging()
    with caplog.at_level(logging.INFO, logger="cornu"):
        cc.print_msg("Hello")
    assert capsys.readouterr().out == ""
    assert [r.getMessage() for r in caplog.records if r.name == "cornu"] == ["Hello"]


def test_print_msg_survives_a_narrow_encoding(monkeypatch):  # T-IL-04
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1251")
    monkeypatch.setattr(sys, "stdout", stream)
    cc.print_msg("━━ done ✓")
    stream.flush()
    assert raw.getvalue().decode("cp1251") == "== done ?\n"


def test_print_msg_converts_with_str(capsys):
    cc.print_msg(12.5)
    assert capsys.readouterr().out == "12.5\n"
