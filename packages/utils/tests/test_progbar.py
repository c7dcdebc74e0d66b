# SPDX-License-Identifier: Apache-2.0
"""Progbar: Keras 3's format on a terminal, throttled plain lines elsewhere, ASCII when the stream
cannot encode the bar, the ``cornu`` logger when interactive logging is off."""

from __future__ import annotations

import io
import logging
import re
import sys

import numpy as np
import pytest

import cornu_config
from cornu_utils import Progbar
from cornu_utils import progbar as progbar_module


class _Stream(io.StringIO):
    def __init__(self, tty: bool, encoding: str = "utf-8") -> None:
        super().__init__()
        self._tty = tty
        self._encoding = encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding

    def isatty(self) -> bool:
        return self._tty

    def write(self, text: str) -> int:
        text.encode(self._encoding)  # like a real stream: unencodable text raises
        return super().write(text)


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = _Clock()
    monkeypatch.setattr(progbar_module, "_clock", fake)
    return fake


@pytest.fixture
def redirect(monkeypatch):
    """``redirect(tty, encoding)`` points sys.stdout at a fake stream; call it in the test body,
    since pytest's output capture re-binds sys.stdout after fixtures are set up."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")

    def point(tty: bool, encoding: str = "utf-8") -> _Stream:
        stream = _Stream(tty=tty, encoding=encoding)
        monkeypatch.setattr(sys, "stdout", stream)
        return stream

    return point


@pytest.fixture
def interactive():
    cornu_config.enable_interactive_logging()
    yield
    cornu_config.enable_interactive_logging()


B, G, W, R = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


def test_terminal_output_is_keras_format(redirect, clock, interactive):
    terminal = redirect(tty=True)
    bar = Progbar(10, interval=0, stateful_metrics=["acc"])
    clock.now += 1.0
    bar.add(2, [("acc", 0.2), ("loss", 2.0)])
    clock.now += 1.0
    bar.add(2, [("acc", 0.4), ("loss", 4.0)])
    out = terminal.getvalue()
    first = f"\r{B} 2/10{R} {G}━━━━{R}{W}{'━' * 16}{R} {B}4s{R} 500ms/step - acc: 0.2000 - loss: 2.0000"
    assert out.startswith(first)
    second = out[len(first) :]
    # the first step (warm-up) is left out of the time per step: 1 s for the 2 steps after it
    assert second == f"\r{B} 4/10{R} {G}━━━━━━━━{R}{W}{'━' * 12}{R} {B}3s{R} 500ms/step - acc: 0.4000 - loss: 3.0000"
    assert "\n" not in out


def test_terminal_final_line_and_padding(redirect, clock, interactive):
    terminal = redirect(tty=True)
    bar = Progbar(3, interval=0)
    bar.update(1, [("a_long_metric_name", 1.0)])
    clock.now += 2.0
    bar.update(3, finalize=True)
    lines = terminal.getvalue().split("\r")[1:]
    assert lines[-1].endswith("\n")
    assert f"{B}2s{R}" in lines[-1]  # elapsed time when finalizing, not an ETA
    assert not lines[0].endswith("\n")


def test_unknown_target_and_target_zero(redirect, clock, interactive):
    terminal = redirect(tty=True)
    Progbar(None, interval=0).update(5, [("loss", 1e-5)])
    assert terminal.getvalue().startswith(f"\r      5/Unknown {B}0s{R} 0s/step - loss: 1.0000e-05")
    terminal.seek(0)
    terminal.truncate()
    for verbose in (1, 2):
        Progbar(0, verbose=verbose).update(0, finalize=True)
    assert terminal.getvalue() == f"\r      0/Unknown {B}0s{R} 0s/step\n"


def test_eta_formats(redirect, clock, interactive):
    terminal = redirect(tty=True)
    bar = Progbar(10_000, interval=0)
    bar.update(1)
    clock.now += 2.0
    bar.update(2)  # 2 s per step, 9998 left: 5:33:16
    assert f"{B}5:33:16{R} 2s/step" in terminal.getvalue()


def test_no_color_env(redirect, clock, interactive, monkeypatch):
    terminal = redirect(tty=True)
    monkeypatch.setenv("NO_COLOR", "1")
    Progbar(4, interval=0).update(2)
    out = terminal.getvalue()
    assert "\x1b" not in out
    assert out.startswith("\r2/4 ━━━━━━━━━━──────────")


def test_pipe_writes_plain_throttled_lines(redirect, clock, interactive):
    pipe = redirect(tty=False)
    bar = Progbar(100)  # default interval: at most one plain line per 10 s off a terminal
    for step in range(1, 101):
        clock.now += 0.5  # 50 s in all
        bar.update(step, [("loss", 1.0)])
    lines = pipe.getvalue().splitlines()
    for control in ("\r", "\x1b", "\b"):
        assert control not in pipe.getvalue()
    assert pipe.getvalue().endswith("\n")
    assert [line.split("/")[0].strip() for line in lines] == ["1", "21", "41", "61", "81", "100"]
    assert lines[0].startswith("  1/100 ────")
    assert lines[-1].startswith("100/100 " + "━" * 20 + " 50s 500ms/step - loss: 1.0000")


def test_pipe_log_interval_and_interval_zero(redirect, clock, interactive):
    pipe = redirect(tty=False)
    bar = Progbar(10, log_interval=2.0)
    for step in range(1, 11):
        clock.now += 1.0
        bar.update(step)
    assert len(pipe.getvalue().splitlines()) == 6  # steps 1, 3, 5, 7, 9 and the final one
    pipe.seek(0)
    pipe.truncate()
    bar = Progbar(3, interval=0)  # Keras tests rely on every update being written
    for step in (1, 2, 3):
        bar.update(step)
    assert len(pipe.getvalue().splitlines()) == 3


def test_ascii_fallback_when_the_stream_cannot_encode_the_bar(redirect, clock, interactive):
    for tty in (True, False):
        stream = redirect(tty, "ascii")
        bar = Progbar(10, interval=0)
        bar.update(5)
        bar.update(10)
        out = stream.getvalue()
        assert "=========>.........." in out
        assert "====================" in out
        assert "━" not in out


def test_interactive_logging_off_sends_plain_lines_to_the_cornu_logger(redirect, clock, caplog):
    pipe = redirect(tty=False)
    cornu_config.disable_interactive_logging()
    try:
        with caplog.at_level(logging.INFO, logger="cornu"):
            bar = Progbar(4, interval=0)
            for step in range(1, 5):
                bar.update(step, [("loss", 0.25)])
    finally:
        cornu_config.enable_interactive_logging()
    assert pipe.getvalue() == ""
    messages = [r.getMessage() for r in caplog.records if r.name == "cornu"]
    assert len(messages) == 4
    assert messages[-1].startswith("4/4 ==================== 0s")
    assert all("\r" not in m and "\x1b" not in m for m in messages)


def test_verbose_zero_is_silent(redirect, clock):
    terminal = redirect(tty=True)
    bar = Progbar(3, verbose=0)
    for step in (1, 2, 3):
        bar.update(step, [("loss", 1.0)])
    assert terminal.getvalue() == ""


def test_verbose_two_prints_one_line_at_the_end(redirect, clock, interactive):
    pipe = redirect(tty=False)
    bar = Progbar(3, verbose=2)
    bar.update(1, [("loss", 0.5)])
    assert pipe.getvalue() == ""
    clock.now += 3.0
    bar.update(3, [("loss", 1.5), ("acc", -0.5)])
    # the final value is shown as passed (Keras 3); negatives in fixed notation (Keras: -5.0000e-01)
    assert pipe.getvalue() == "3/3 - 3s - 2s/step - loss: 1.5000 - acc: -0.5000\n"  # 3 s / 2 steps, rounded


def test_verbose_two_with_unknown_target_prints_nothing(redirect, clock, interactive):
    pipe = redirect(tty=False)
    bar = Progbar(None, verbose=2)
    bar.update(5, finalize=True)
    assert pipe.getvalue() == ""


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "value: 1.0000"),
        ({"stateful_metrics": []}, "value: 1.0000"),
        ({"stateless_metrics": ["value"]}, "value: 1.0000"),
        ({"stateful_metrics": ["value"]}, "value: 2.0000"),
        ({"stateless_metrics": []}, "value: 2.0000"),
    ],
)
def test_stateful_and_stateless_metrics(redirect, clock, interactive, kwargs, expected):
    pipe = redirect(tty=False)
    bar = Progbar(3, interval=0, **kwargs)
    bar.update(1, [("value", 0.0)])
    bar.update(2, [("value", 2.0)])
    assert pipe.getvalue().splitlines()[-1].endswith(expected)


def test_averaging_is_weighted_by_steps(redirect, clock, interactive):
    pipe = redirect(tty=False)
    bar = Progbar(10, interval=0)
    bar.add(1, [("loss", 1.0)])
    bar.add(3, [("loss", 3.0)])  # (1*1 + 3*3) / 4
    assert pipe.getvalue().splitlines()[-1].endswith("loss: 2.5000")
    assert pipe.getvalue().splitlines()[-1].startswith(" 4/10")


def test_both_metric_lists_is_an_error():
    with pytest.raises(ValueError, match="Only one of"):
        Progbar(1, stateful_metrics=[], stateless_metrics=[])


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"target": -1}, "target"), ({"target": "10"}, "target"), ({"width": 2.5}, "width"), ({"verbose": 3}, "verbose"),
     ({"interval": -1}, "interval"), ({"unit_name": 3}, "unit_name"), ({"log_interval": -2}, "log_interval")],
)
def test_bad_arguments(kwargs, name):
    kwargs = {"target": 3, **kwargs}
    with pytest.raises(ValueError, match=rf"`{name}` must be .*Received: {name}="):
        Progbar(**kwargs)


def test_value_types(redirect, clock, interactive):
    pipe = redirect(tty=False)
    bar = Progbar(3, interval=0)
    bar.update(1, [("a", 1.0), ("b", np.array(1.0)), ("c", [0.0, 1.0, 2.0]), ("d", np.float32(2))])
    bar.update(3, [("a", 2)], finalize=True)
    last = pipe.getvalue().splitlines()[-1]
    assert "a: 2.0000 - b: 1.0000 - c: 1.0000 - d: 2.0000" in last
    with pytest.raises(ValueError, match="Metric values must be"):
        bar.update(3, [("e", "text")])


@pytest.mark.parametrize("framework", ["torch", "jax", "tensorflow"])
def test_tensor_values(redirect, clock, interactive, framework):
    pipe = redirect(tty=False)
    mod = pytest.importorskip(framework)
    if framework == "torch":
        scalar, vector = mod.tensor(0.5), mod.tensor([1.0, 2.0])
    elif framework == "jax":
        scalar, vector = mod.numpy.asarray(0.5), mod.numpy.asarray([1.0, 2.0])
    else:
        scalar, vector = mod.constant(0.5), mod.constant([1.0, 2.0])
    Progbar(2, interval=0).update(1, [("s", scalar), ("v", vector)])
    assert pipe.getvalue().rstrip().endswith("s: 0.5000 - v: 1.5000")


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0, " 0s/step"), (2.3, " 2s/step"), (0.0123, " 12ms/step"), (5e-5, " 50us/step")],
)
def test_time_per_unit_format(seconds, expected):
    assert progbar_module._format_time(seconds, "step") == expected
    assert progbar_module._format_time(seconds, "sample").endswith("/sample")


def test_unit_name_in_output(redirect, clock, interactive):
    pipe = redirect(tty=False)
    Progbar(2, interval=0, unit_name="sample").update(1)
    assert re.search(r"\d+s/sample", pipe.getvalue())


def test_keras_positional_signature():
    bar = Progbar(5, 30, 2, 0.1, ["acc"], "sample")
    assert (bar.target, bar.width, bar.verbose, bar.interval, bar.unit_name) == (5, 30, 2, 0.1, "sample")
    assert bar.stateful_metrics == {"acc"}
