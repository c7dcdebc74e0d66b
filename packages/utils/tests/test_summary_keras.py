# SPDX-License-Identifier: Apache-2.0
"""summarize / print_summary on Keras models: golden tables equal Keras's own, counts equal Keras's.

Keras runs on the configured cornu backend (the test matrix sets ``CORNU_BACKEND``); the tests
skip when Keras, or the framework that backend needs, is not installed.
"""

from __future__ import annotations

import importlib.util
import math
import os

import pytest

import cornu_config
from cornu_utils import print_summary, summarize


@pytest.fixture(scope="module")
def keras():
    backend = cornu_config.backend()
    needs = {"torch": "torch", "jax": "jax", "tensorflow": "tensorflow"}.get(backend)
    if needs and importlib.util.find_spec(needs) is None:
        pytest.skip(f"{needs} is not installed")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KERAS_BACKEND", backend)
        mp.setenv("TF_CPP_MIN_LOG_LEVEL", os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"))
        module = pytest.importorskip("keras")
    return module


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch):
    # Keras caps the default width at the terminal's columns - 4; fix it for golden text.
    monkeypatch.setenv("COLUMNS", "200")


def build(keras):
    L = keras.layers
    mlp = keras.Sequential(
        [keras.Input((4,)), L.Dense(8, activation="relu", name="hidden"), L.Dense(3, name="logits", trainable=False)],
        name="mlp",
    )
    conv = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            L.Conv2D(4, 3, name="conv"),
            L.BatchNormalization(name="bn"),
            L.MaxPooling2D(name="pool"),
            L.Flatten(name="flatten"),
            L.Dense(10, name="head"),
        ],
        name="convnet",
    )
    shared_dense = L.Dense(4, name="shared")
    left = keras.Input((4,), name="left")
    right = keras.Input((4,), name="right")
    merged = L.Add(name="add")([shared_dense(left), shared_dense(right)])
    shared = keras.Model([left, right], L.Dense(1, name="score")(merged), name="siamese")
    inner = keras.Sequential([keras.Input((3,)), L.Dense(5, name="inner_a"), L.Dense(2, name="inner_b")], name="inner")
    x_in = keras.Input((4,), name="x")
    nested = keras.Model(x_in, inner(L.Dense(3, name="pre")(x_in)), name="nested")
    return {"mlp": mlp, "conv": conv, "shared": shared, "nested": nested}


@pytest.fixture(scope="module")
def models(keras):
    return build(keras)


def ours(model, **kwargs):
    out = []
    print_summary(model, print_fn=out.append, **kwargs)
    assert len(out) == 1
    return out[0]


def keras_text(model, **kwargs):
    out = []
    model.summary(print_fn=out.append, **kwargs)
    return "".join(out)


GOLDEN_MLP = """\
Model: "mlp"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ hidden (Dense)                       │ (None, 8)                   │              40 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ logits (Dense)                       │ (None, 3)                   │              27 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 67 (268.00 B)
 Trainable params: 40 (160.00 B)
 Non-trainable params: 27 (108.00 B)
"""

GOLDEN_CONV = """\
Model: "convnet"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━┓
┃ Layer (type)                          ┃ Output Shape                  ┃        Param # ┃ Traina… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━┩
│ conv (Conv2D)                         │ (None, 6, 6, 4)               │            112 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│ bn (BatchNormalization)               │ (None, 6, 6, 4)               │             16 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│ pool (MaxPooling2D)                   │ (None, 3, 3, 4)               │              0 │    -    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│ flatten (Flatten)                     │ (None, 36)                    │              0 │    -    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│ head (Dense)                          │ (None, 10)                    │            370 │    Y    │
└───────────────────────────────────────┴───────────────────────────────┴────────────────┴─────────┘
 Total params: 498 (1.95 KB)
 Trainable params: 490 (1.91 KB)
 Non-trainable params: 8 (32.00 B)
"""

GOLDEN_SHARED = """\
Model: "siamese"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                  ┃ Output Shape              ┃         Param # ┃ Connected to               ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ left (InputLayer)             │ (None, 4)                 │               0 │ -                          │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ right (InputLayer)            │ (None, 4)                 │               0 │ -                          │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ shared (Dense)                │ (None, 4)                 │              20 │ left[0][0], right[0][0]    │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ add (Add)                     │ (None, 4)                 │               0 │ shared[0][0], shared[1][0] │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ score (Dense)                 │ (None, 1)                 │               5 │ add[0][0]                  │
└───────────────────────────────┴───────────────────────────┴─────────────────┴────────────────────────────┘
 Total params: 25 (100.00 B)
 Trainable params: 25 (100.00 B)
 Non-trainable params: 0 (0.00 B)
"""

GOLDEN_NESTED = """\
Model: "nested"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ x (InputLayer)                       │ (None, 4)                   │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ pre (Dense)                          │ (None, 3)                   │              15 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ inner (Sequential)                   │ (None, 2)                   │              32 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│    └ inner_a (Dense)                 │ (None, 5)                   │              20 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│    └ inner_b (Dense)                 │ (None, 2)                   │              12 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 47 (188.00 B)
 Trainable params: 47 (188.00 B)
 Non-trainable params: 0 (0.00 B)
"""


CASES = [
    ("mlp", {}, "GOLDEN_MLP"),
    ("conv", {"show_trainable": True}, "GOLDEN_CONV"),
    ("shared", {}, "GOLDEN_SHARED"),
    ("nested", {"expand_nested": True}, "GOLDEN_NESTED"),
]


@pytest.mark.parametrize(("name", "kwargs", "golden"), CASES)
def test_golden_tables(models, name, kwargs, golden):
    assert ours(models[name], **kwargs) == globals()[golden]


@pytest.mark.parametrize(("name", "kwargs", "golden"), CASES)
def test_same_text_as_keras(models, name, kwargs, golden):
    assert ours(models[name], **kwargs) == keras_text(models[name], **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"line_length": 60},
        {"line_length": 70, "show_trainable": True},
        {"expand_nested": True, "show_trainable": True},
        {"line_length": 150, "positions": [0.2, 0.5, 0.8, 1.0]},
    ],
)
def test_same_text_as_keras_for_layout_options(models, kwargs):
    kw = dict(kwargs)
    for name in ("shared", "nested", "mlp"):
        if "positions" in kw and name != "shared":
            kw["positions"] = [0.4, 0.7, 1.0]
        assert ours(models[name], **kw) == keras_text(models[name], **kw)


@pytest.mark.parametrize("name", ["mlp", "conv", "shared", "nested"])
def test_counts_match_keras(models, name):
    model = models[name]
    s = summarize(model)
    assert s.kind == "keras"
    assert s.total_params == model.count_params()
    trainable = sum(int(math.prod(w.shape)) for w in model.trainable_weights)
    assert s.trainable_params == trainable


def test_shared_layer_counted_once_and_connections(models):
    s = summarize(models["shared"])
    assert not s.sequential_like
    rows = {r.name: r for r in s.rows}
    assert rows["shared"].connected_to == ("left[0][0]", "right[0][0]")
    assert rows["add"].connected_to == ("shared[0][0]", "shared[1][0]")
    assert s.total_params == 25


def test_unbuilt_model_shows_unbuilt_rows(keras):
    model = keras.Sequential([keras.layers.Dense(2, name="u")], name="unbuilt")
    s = summarize(model)
    assert s.rows[0].built is False
    assert s.rows[0].output_shape == "?"
    assert s.total_params == 0
    text = ours(model)
    assert "0 (unbuilt)" in text
    assert text == keras_text(model)


def test_example_inputs_build_a_subclassed_model(keras):
    np = pytest.importorskip("numpy")

    class Sub(keras.Model):
        def __init__(self):
            super().__init__(name="sub")
            self.a = keras.layers.Dense(3, name="a")
            self.b = keras.layers.Dense(2, name="b")

        def call(self, x):
            return self.b(self.a(x))

    model = Sub()
    assert summarize(model).total_params == 0
    s = summarize(model, example_inputs=np.zeros((2, 4), "float32"))
    assert s.total_params == 4 * 3 + 3 + 3 * 2 + 2
    assert [r.name for r in s.rows] == ["a", "b"]


def test_optimizer_params_after_one_step(keras):
    if cornu_config.backend() == "numpy":
        pytest.skip("Keras's numpy backend cannot fit")
    np = pytest.importorskip("numpy")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)], name="opt")
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.zeros((2, 2)), np.zeros((2, 3)), verbose=0)
    s = summarize(model)
    assert (s.total_params, s.trainable_params, s.optimizer_params) == (29, 9, 20)
    text = ours(model)
    assert " Optimizer params: 20 (" in text
    assert text == keras_text(model)


def test_example_inputs_list_is_the_keras_inputs_argument(keras):
    np = pytest.importorskip("numpy")

    class Two(keras.Model):
        def __init__(self):
            super().__init__(name="two")
            self.a = keras.layers.Dense(3, name="a")
            self.add = keras.layers.Add(name="add")

        def call(self, inputs):
            left, right = inputs
            return self.add([self.a(left), self.a(right)])

    s = summarize(Two(), example_inputs=[np.zeros((2, 4), "float32"), np.zeros((2, 4), "float32")])
    assert s.total_params == 15


@pytest.mark.parametrize("layer_range", [("left", "shared"), ("score", "right"), ("a.*", "s.*")])
def test_layer_range_same_text_as_keras(models, layer_range):
    assert ours(models["shared"], layer_range=layer_range) == keras_text(models["shared"], layer_range=layer_range)
