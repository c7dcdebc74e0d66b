# SPDX-License-Identifier: Apache-2.0
"""print_summary's table, independent of frameworks: layout, errors, output routes, data."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import numpy as np
import pytest

import cornu_config
from cornu_utils import Summary, print_summary, summarize
from cornu_utils.summarizers import kind_of
from cornu_utils.summarizers._table import readable_memory_size
from cornu_utils.summary import SummaryRow


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


def sample(**kwargs):
    rows = (
        SummaryRow("d1", "Dense", "(None, 3)", 15, True),
        SummaryRow("d2", "Dense", "(None, 2)", 8, False),
    )
    base = dict(name="seq", kind="keras", rows=rows, trainable_params=15, non_trainable_params=8,
                trainable_bytes=60, non_trainable_bytes=32)
    base.update(kwargs)
    return Summary(**base)


def text(model, **kwargs):
    out = []
    print_summary(model, print_fn=out.append, **kwargs)
    assert len(out) == 1
    return out[0]


@pytest.mark.parametrize(
    ("size", "expected"),
    [(0, "0.00 B"), (92, "92.00 B"), (1023, "1023.00 B"), (1024, "1.00 KB"), (1536, "1.50 KB"),
     (3.5 * 1024**2, "3.50 MB"), (2 * 1024**5, "2.00 PB"), (2 * 1024**6, "2048.00 PB")],
)
def test_readable_memory_size(size, expected):
    # Keras divides once too often at and above 1024 PB; cornu keeps counting in PB.
    assert readable_memory_size(size) == expected


def test_sum01_text_and_footer():
    out = text(sample())
    assert out.startswith('Model: "seq"\n')
    assert "│ d1 (Dense)" in out
    assert "(None, 3)" in out
    assert " Total params: 23 (92.00 B)\n" in out
    assert " Trainable params: 15 (60.00 B)\n" in out
    assert out.endswith(" Non-trainable params: 8 (32.00 B)\n")
    assert "Optimizer" not in out


def test_default_width_is_88_and_capped_by_terminal(monkeypatch):
    assert len(text(sample()).splitlines()[1]) == 88
    monkeypatch.setenv("COLUMNS", "60")
    assert len(text(sample()).splitlines()[1]) == 56
    assert len(text(sample(), line_length=100).splitlines()[1]) == 100


def test_show_trainable_column():
    lines = text(sample(), show_trainable=True).splitlines()
    assert len(lines[1]) == 100
    assert "┃ Traina… ┃" in lines[2]
    assert lines[4].rstrip("│").rstrip().endswith("Y")
    assert lines[6].rstrip("│").rstrip().endswith("N")


def test_connected_to_column_for_branching_models():
    rows = (SummaryRow("inp", "InputLayer", "(None, 4)", 0, None),
            SummaryRow("a", "Dense", "(None, 3)", 15, True, connected_to=("inp[0][0]",)),
            SummaryRow("add", "Add", "(None, 3)", 0, None, connected_to=("a[0][0]", "inp[0][0]")))
    out = text(sample(rows=rows, sequential_like=False))
    assert "Connected to" in out
    assert "│ a[0][0], inp[0][0]" in out
    assert "│ -  " in out
    assert len(out.splitlines()[1]) == 108


def test_long_names_wrap_and_ellipsize_but_counts_keep_their_digits():
    rows = (SummaryRow("a_very_long_layer_name_that_cannot_fit_anywhere", "Dense", "(None, 3)", 1234567, True),)
    lines = text(sample(rows=rows), line_length=40).splitlines()
    assert lines[2:4] == ["┃ Layer (type)    ┃ Output     ┃ Param ┃", "┃                 ┃ Shape      ┃     # ┃"]
    assert lines[5] == "│ a_very_long_la… │ (None, 3)  │ 1,234 │"
    assert lines[6] == "│ (Dense)         │            │  ,567 │"


def test_expand_nested_indents():
    rows = (SummaryRow("outer", "Sequential", "(None, 2)", 5, True),
            SummaryRow("inner", "Dense", "(None, 2)", 5, True, depth=1, path="outer/inner"))
    assert "└ inner" not in text(sample(rows=rows))
    assert "│    └ inner (Dense)" in text(sample(rows=rows), expand_nested=True)


def test_unbuilt_rows():
    rows = (SummaryRow("u", "Dense", "?", 0, None, built=False),)
    out = text(sample(rows=rows, trainable_params=0, non_trainable_params=0, trainable_bytes=0,
                      non_trainable_bytes=0))
    assert "0 (unbuilt)" in out
    assert " Total params: 0 (0.00 B)" in out


def test_optimizer_line():
    out = text(sample(optimizer_params=20, optimizer_bytes=80))
    assert " Total params: 43 (172.00 B)" in out
    assert out.endswith(" Optimizer params: 20 (80.00 B)\n")


def test_sum05_insufficient_width():
    with pytest.raises(ValueError, match=r"Insufficient console width.*Received: line_length=10"):
        text(sample(), line_length=10)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "80"])
def test_bad_line_length(bad):
    with pytest.raises(ValueError, match=r"Received: line_length="):
        text(sample(), line_length=bad)


def test_positions_wrong_length():
    with pytest.raises(ValueError, match=r"one position per column \(3.*Received: positions=\[0.5, 1.0\]"):
        text(sample(), positions=[0.5, 1.0])


def test_absolute_positions():
    lines = text(sample(), line_length=70, positions=[30, 50, 70]).splitlines()
    assert len(lines[1]) == 70
    # the header's first cell is 30 - 1 - 2 wide minus rich's fit of borders into the width
    assert lines[2].startswith("┃ Layer (type)")


def test_default_route_is_print_msg_on_stdout(capsys):
    print_summary(sample())
    out = capsys.readouterr().out
    assert out.startswith('Model: "seq"')
    assert out.endswith("(32.00 B)\n")


def test_sum09_logger_when_interactive_logging_off(capsys, caplog):
    cornu_config.disable_interactive_logging()
    try:
        with caplog.at_level(logging.INFO, logger="cornu"):
            print_summary(sample())
    finally:
        cornu_config.enable_interactive_logging()
    assert capsys.readouterr().out == ""
    assert any('Model: "seq"' in r.getMessage() for r in caplog.records)


def test_summary_is_data():
    s = summarize({"w": np.zeros((2, 3), "float32"), "b": np.zeros(3, "float32")})
    data = s.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["total_params"] == 9
    assert data["total_bytes"] == 36
    assert summarize(s) is s
    assert str(s).startswith('Model: "dict"')
    assert text(s) == str(s)


def test_kind_detection_does_not_import_frameworks():
    code = (
        "import sys, numpy as np\n"
        "from cornu_utils.summarizers import kind_of\n"
        "from cornu_utils import summarize\n"
        "class Fake: pass\n"
        "Fake.__module__ = 'torch.nn.modules.linear'\n"
        "assert kind_of(Fake()) is None\n"
        "assert kind_of({'w': np.zeros(2)}) == 'jax'\n"
        "summarize({'w': np.zeros(2)})\n"
        "bad = [m for m in ('torch', 'jax', 'tensorflow', 'keras') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_kind_of_by_class_names():
    def make(module, name, base=object):
        return type(name, (base,), {"__module__": module})

    torch_module = make("torch.nn.modules.module", "Module")
    keras_layer = make("keras.src.layers.layer", "Layer", torch_module)  # Keras on torch
    tf_module = make("tensorflow.python.module.module", "Module")
    assert kind_of(make("user", "Net", torch_module)()) == "torch"
    assert kind_of(make("user", "Net", keras_layer)()) == "keras"
    assert kind_of(make("user", "Net", tf_module)()) == "tensorflow"
    assert kind_of(object()) is None
    assert kind_of("text") is None


def ranged():
    rows = (
        SummaryRow("d1", "Dense", "(None, 3)", 15, True),
        SummaryRow("block", "Sequential", "(None, 3)", 12, True),
        SummaryRow("inner", "Dense", "(None, 3)", 12, True, depth=1),
        SummaryRow("d2", "Dense", "(None, 2)", 8, False),
    )
    return sample(rows=rows)


def body_names(out):
    return [line.split("│")[1].strip().split(" (")[0] for line in out.splitlines() if line.startswith("│ ")
            and line.split("│")[1].strip()]


@pytest.mark.parametrize(
    ("layer_range", "names"),
    [(("d1", "d1"), ["d1"]), (("d2", "d1"), ["d1", "block", "└ inner", "d2"]), (("bl", "bl"), ["block", "└ inner"]),
     (["d.", "d."], ["d1", "block", "└ inner", "d2"])],
)
def test_sum06_layer_range(layer_range, names):
    out = text(ranged(), layer_range=layer_range, expand_nested=True)
    assert body_names(out) == names
    assert " Total params: 23 (92.00 B)" in out  # totals stay the model's


@pytest.mark.parametrize(
    ("layer_range", "match"),
    [(("x", "d1"), "do not match the layer names"), (("d1",), "length 2.*of length 1"),
     ((1, 2), "string type only"), ("d1", "length 2")],
)
def test_sum06_layer_range_errors(layer_range, match):
    with pytest.raises(ValueError, match=match):
        text(ranged(), layer_range=layer_range)
