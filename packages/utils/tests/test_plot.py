# SPDX-License-Identifier: Apache-2.0
"""model_to_dot / plot_model: DOT text without Graphviz, clear install hints, real renders."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys

import numpy as np
import pytest

import cornu_config
from cornu_utils import model_to_dot, plot_model

HAVE_DOT = shutil.which("dot") is not None
HAVE_PYDOT = importlib.util.find_spec("pydot") is not None
needs_graphviz = pytest.mark.skipif(
    not (HAVE_DOT and HAVE_PYDOT), reason="needs pydot and Graphviz's dot (apt-get install graphviz)"
)

NODE = re.compile(r'^\s*"([^"]+)" \[label=<<table.*?<b>(.*?)</b>(?: \((.*?)\))?</td>', re.M)
EDGE = re.compile(r'^\s*"([^"]+)" -> "([^"]+)"( \[style=dashed)?', re.M)


def edge_map(dot_text, kind="data"):
    """{"name (Type)": {"name (Type)", ...}} from DOT text, like Keras's integration test."""
    names = {i: f"{n} ({t})" if t else n for i, n, t in NODE.findall(dot_text)}
    edges = {}
    for a, b, dashed in EDGE.findall(dot_text):
        if (kind == "contains") == bool(dashed):
            edges.setdefault(names[a], set()).add(names[b])
    return edges


def params():
    return {"dense": {"kernel": np.zeros((4, 3), "float32"), "bias": np.zeros(3, "float32")},
            "head": {"kernel": np.zeros((3, 2), "float32")}}


@pytest.fixture
def no_graphviz(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


@pytest.fixture
def no_pydot(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)


# --- DOT text: no pydot, no Graphviz ----------------------------------------------------------


def test_dot_file_needs_neither_pydot_nor_graphviz(tmp_path, no_pydot, no_graphviz):
    path = plot_model(params(), to_file=tmp_path / "model.dot", show_shapes=True)
    assert path == tmp_path / "model.dot"
    text = path.read_text()
    assert text.startswith('digraph "dict" {')
    assert text.rstrip().endswith("}")
    assert edge_map(text, "contains") == {"dict (pytree)": {"dense (dict)", "head (dict)"}}


def test_pytree_expand_nested_shows_leaves():
    text = model_to_dot(params(), expand_nested=True).to_string()
    assert edge_map(text, "contains")["dense (dict)"] == {"kernel (float32[4, 3])", "bias (float32[3])"}


def test_labels_are_escaped():
    text = model_to_dot({'<b>&"x"': np.zeros(2)}).to_string()
    assert "&lt;b&gt;&amp;&quot;x&quot;" in text
    assert "<b><b>" not in text


def test_label_toggles():
    jax_model = (lambda p, x: x @ p["dense"]["kernel"], params())
    x = np.zeros((5, 4), "float32")
    plain = model_to_dot(jax_model, example_inputs=x).to_string()
    assert "Output shape" not in plain
    assert "<b>output</b> (&lt;lambda&gt;)" in plain
    shaped = model_to_dot(jax_model, show_shapes=True, show_dtype=True, example_inputs=x).to_string()
    assert "Output shape: <b>(5, 3)</b>" in shaped
    assert "Output dtype: <b>float32</b>" in shaped
    assert "Input shape" not in shaped.split('"in:0"')[1].split("\n")[0]  # inputs have none
    unnamed = model_to_dot(params(), show_layer_names=False).to_string()
    assert "<b>dict</b></td>" in unnamed
    assert "<b>dense</b>" not in unnamed


def test_graph_options_in_text():
    text = model_to_dot(params(), rankdir="LR", dpi=150).to_string()
    assert 'rankdir="LR"' in text
    assert "dpi=150" in text


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rankdir": "XY"}, r"`rankdir` must be one of .*Received: rankdir='XY'"),
        ({"dpi": 0}, r"`dpi` must be a positive number. Received: dpi=0"),
        ({"on_error": "ignore"}, r"`on_error` must be 'raise' or 'warn'. Received: on_error='ignore'"),
        ({"to_file": "model.docx"}, r"`to_file` must end with one of .*Received: to_file='model.docx'"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, match):
    kwargs.setdefault("to_file", tmp_path / "m.dot")
    with pytest.raises(ValueError, match=match):
        plot_model(params(), **kwargs)


# --- missing pydot / Graphviz -----------------------------------------------------------------


def test_pm02_missing_pydot_says_what_to_install(tmp_path, no_pydot):
    with pytest.raises(ImportError, match=r"pip install pydot.*apt-get install graphviz"):
        plot_model(params(), to_file=tmp_path / "model.png")
    assert not (tmp_path / "model.png").exists()


@pytest.mark.skipif(not HAVE_PYDOT, reason="needs pydot")
def test_missing_graphviz_is_an_oserror_with_install_hint(tmp_path, no_graphviz):
    with pytest.raises(OSError, match=r"apt-get install graphviz.*pydot alone cannot draw"):
        plot_model(params(), to_file=tmp_path / "model.svg")


def test_on_error_warn_writes_dot_instead(tmp_path, no_pydot):
    with pytest.warns(RuntimeWarning, match=r"pip install pydot.*Wrote the graph as DOT text to .*model.dot"):
        path = plot_model(params(), to_file=tmp_path / "model.png", on_error="warn")
    assert path == tmp_path / "model.dot"
    assert path.read_text().startswith("digraph")
    assert not (tmp_path / "model.png").exists()
    with pytest.warns(RuntimeWarning):
        path = plot_model(params(), to_file=tmp_path / "noext", on_error="warn")
    assert path == tmp_path / "noext.dot"


@pytest.mark.skipif(not HAVE_PYDOT, reason="needs pydot")
def test_on_error_warn_when_graphviz_missing(tmp_path, no_graphviz):
    with pytest.warns(RuntimeWarning, match=r"apt-get install graphviz.*model.dot instead"):
        path = plot_model(params(), to_file=tmp_path / "model.pdf", on_error="warn")
    assert path.suffix == ".dot"
    assert path.read_text().startswith("digraph")


@pytest.mark.skipif(not HAVE_PYDOT or sys.platform == "win32", reason="needs pydot and a POSIX shell")
def test_graphviz_failure_is_reported_and_warn_falls_back(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    fake.write_text("#!/bin/sh\necho 'Error: trouble in layout' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(OSError, match=r"failed \(3\) to draw the graph as png: Error: trouble in layout"):
        plot_model(params(), to_file=tmp_path / "model.png")
    with pytest.warns(RuntimeWarning, match="trouble in layout"):
        assert plot_model(params(), to_file=tmp_path / "model.png", on_error="warn").suffix == ".dot"
    assert not (tmp_path / "model.png").exists()


# --- real renders -----------------------------------------------------------------------------


@needs_graphviz
def test_png_really_rendered(tmp_path):
    path = plot_model(params(), to_file=tmp_path / "model.png", show_shapes=True, expand_nested=True)
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 1000


@needs_graphviz
def test_pm06_svg_and_no_suffix(tmp_path):
    svg = plot_model(params(), to_file=tmp_path / "model.svg").read_text()
    assert "<svg" in svg
    assert ">dense</text>" in svg
    path = plot_model(params(), to_file=tmp_path / "x")
    assert path == tmp_path / "x"
    assert path.read_bytes().startswith(b"\x89PNG")


@needs_graphviz
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's parser on new pyparsing
def test_to_pydot_round_trip():
    graph = model_to_dot(params()).to_pydot()
    assert len([n for n in graph.get_nodes() if n.get_name() not in ("node", "graph", "edge")]) == 3


# --- torch ------------------------------------------------------------------------------------


def test_torch_fx_graph_with_residual_and_clusters():
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Res(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(4, 4)
            self.blk = nn.Sequential(nn.Linear(4, 4), nn.ReLU())

        def forward(self, x):
            return self.blk(self.a(x)) + x

    flat = model_to_dot(Res()).to_string()
    assert edge_map(flat) == {
        "x (Input)": {"a (Linear)", "add (add)"},
        "a (Linear)": {"blk (Sequential)"},
        "blk (Sequential)": {"add (add)"},
    }
    nested = model_to_dot(Res(), expand_nested=True, show_shapes=True,
                          example_inputs=torch.zeros(2, 4)).to_string()
    assert edge_map(nested)["a (Linear)"] == {"blk.0 (Linear)"}
    assert 'label="blk"; style=dashed' in nested
    assert "Input shape: <b>(2, 4), (2, 4)</b>" in nested  # the add node


def test_torch_untraceable_model_falls_back_to_module_tree():
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Dyn(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(4, 4)
            self.b = nn.Sequential(nn.Linear(4, 4))

        def forward(self, x):
            return self.a(x) if x.sum() > 0 else self.b(x)

    text = model_to_dot(Dyn(), expand_nested=True).to_string()
    assert "torch.fx could not trace Dyn" in text
    assert "showing the module tree" in text
    assert edge_map(text, "contains") == {"Dyn (Dyn)": {"a (Linear)", "b (Sequential)"}, "b (Sequential)": {"b.0 (Linear)"}}
    assert edge_map(text) == {}


def test_torch_untraceable_model_with_inputs_shows_what_ran():
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Gate(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(4, 4)
            self.b = nn.Linear(4, 4)
            self.head = nn.Linear(4, 2)

        def forward(self, x):
            h = self.a(x) if x.sum() > 0 else self.b(x)
            return self.head(h + x)

    ones = model_to_dot(Gate(), show_shapes=True, example_inputs=torch.ones(3, 4)).to_string()
    assert "showing what the example inputs ran through" in ones
    assert edge_map(ones) == {"x (Input)": {"a (Linear)", "head (Linear)"}, "a (Linear)": {"head (Linear)"}}
    assert "Output shape: <b>(3, 2)</b>" in ones
    zeros = model_to_dot(Gate(), example_inputs=torch.zeros(3, 4)).to_string()
    assert edge_map(zeros) == {"x (Input)": {"b (Linear)", "head (Linear)"}, "b (Linear)": {"head (Linear)"}}


# --- tf.Module --------------------------------------------------------------------------------


def test_tf_module_tree():
    tf = pytest.importorskip("tensorflow")

    class Dense(tf.Module):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.w = tf.Variable(tf.zeros([2, 2]))

    class Net(tf.Module):
        def __init__(self):
            super().__init__(name="net")
            self.layers = [Dense(), Dense()]

    text = model_to_dot(Net()).to_string()
    assert edge_map(text, "contains") == {"net (Net)": {"layers.0 (Dense)", "layers.1 (Dense)"}}


# --- Keras ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keras():
    backend = cornu_config.backend()
    needs = {"torch": "torch", "jax": "jax", "tensorflow": "tensorflow"}.get(backend)
    if needs and importlib.util.find_spec(needs) is None:
        pytest.skip(f"{needs} is not installed")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KERAS_BACKEND", backend)
        mp.setenv("TF_CPP_MIN_LOG_LEVEL", os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"))
        return pytest.importorskip("keras")


def test_pm04_keras_sequential_and_residual_edge_maps(keras):
    L = keras.layers
    seq = keras.Sequential([keras.Input((4,)), L.Dense(3, name="dense"), L.Dense(2, name="dense_1")])
    assert edge_map(model_to_dot(seq).to_string()) == {"dense (Dense)": {"dense_1 (Dense)"}}
    inputs = keras.Input((16,), name="input")
    x = L.Dense(16, name="dense")(inputs)
    y = L.Dense(16, name="dense_1")(x)
    model = keras.Model(inputs, L.Add(name="add")([x, y]))
    assert edge_map(model_to_dot(model).to_string()) == {
        "input (InputLayer)": {"dense (Dense)"},
        "dense (Dense)": {"dense_1 (Dense)", "add (Add)"},
        "dense_1 (Dense)": {"add (Add)"},
    }


def test_pm05_keras_subclassed_model_is_one_node(keras):
    class Sub(keras.Model):
        def __init__(self):
            super().__init__(name="sub")
            self.d = keras.layers.Dense(2, name="d")

        def call(self, x):
            return self.d(x)

    model = Sub()
    model(np.zeros((1, 3), "float32"))
    text = model_to_dot(model).to_string()
    assert len(NODE.findall(text)) == 1
    assert "<b>sub</b> (Sub)" in text
    assert len(NODE.findall(model_to_dot(model, expand_nested=True).to_string())) == 2


def test_pm01_keras_unbuilt_model(keras):
    model = keras.Sequential([keras.layers.Dense(2)], name="unbuilt")
    with pytest.raises(ValueError, match=r"has not yet been built.*Received: model='unbuilt'"):
        model_to_dot(model)


def test_keras_nested_model_expands_into_a_cluster(keras):
    L = keras.layers
    inner = keras.Sequential([keras.Input((3,)), L.Dense(5, name="inner_a"), L.Dense(2, name="inner_b")], name="inner")
    x_in = keras.Input((4,), name="x")
    model = keras.Model(x_in, inner(L.Dense(3, name="pre")(x_in)), name="outer")
    flat = edge_map(model_to_dot(model).to_string())
    assert flat == {"x (InputLayer)": {"pre (Dense)"}, "pre (Dense)": {"inner (Sequential)"}}
    text = model_to_dot(model, expand_nested=True, show_shapes=True).to_string()
    assert edge_map(text) == {
        "x (InputLayer)": {"pre (Dense)"},
        "pre (Dense)": {"inner_a (Dense)"},
        "inner_a (Dense)": {"inner_b (Dense)"},
    }
    assert 'label="inner"; style=dashed' in text
    assert "Output shape: <b>(None, 5)</b>" in text


def test_torch_parameter_used_directly_is_a_parameter_box():
    torch = pytest.importorskip("torch")

    class Scaled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = torch.nn.Parameter(torch.ones(3))
            self.lin = torch.nn.Linear(3, 3)

        def forward(self, x):
            return self.lin(x) * self.scale

    assert edge_map(model_to_dot(Scaled()).to_string()) == {
        "x (Input)": {"lin (Linear)"},
        "lin (Linear)": {"mul (mul)"},
        "scale (Parameter)": {"mul (mul)"},
    }


def test_torch_functional_ops_inside_a_submodule_join_its_cluster():
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(4, 4)

        def forward(self, x):
            return torch.relu(self.lin(x)) + x

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.b1 = Block()
            self.b2 = Block()

        def forward(self, x):
            return self.b2(self.b1(x))

    text = model_to_dot(Net(), expand_nested=True).to_string()
    cluster_b2 = text.split('label="b2"')[1].split("}")[0]
    assert re.findall(r'"(\w+)" \[label', cluster_b2) == ["b2_lin", "relu_1", "add_1"]
    assert edge_map(text)["add (add)"] == {"b2.lin (Linear)", "add_1 (add)"}
    flat = edge_map(model_to_dot(Net()).to_string())
    assert flat == {"x (Input)": {"b1 (Block)"}, "b1 (Block)": {"b2 (Block)"}}
