# SPDX-License-Identifier: Apache-2.0
"""summarize / print_summary on tf.Module models: golden tables, tied variables counted once."""

from __future__ import annotations

import pytest

tf = pytest.importorskip("tensorflow")

from cornu_utils import print_summary, summarize  # noqa: E402


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


class Dense(tf.Module):
    def __init__(self, n_in, n_out, trainable=True, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(tf.zeros([n_in, n_out]), trainable=trainable, name="w")
        self.b = tf.Variable(tf.zeros([n_out]), trainable=trainable, name="b")

    def __call__(self, x):
        return tf.matmul(x, self.w) + self.b


class Conv(tf.Module):
    def __init__(self, c_in, c_out, name=None):
        super().__init__(name=name)
        self.k = tf.Variable(tf.zeros([3, 3, c_in, c_out]), name="k")

    def __call__(self, x):
        return tf.nn.conv2d(x, self.k, strides=1, padding="VALID")


class MLP(tf.Module):
    def __init__(self):
        super().__init__(name="mlp")
        self.hidden = Dense(4, 8)
        self.logits = Dense(8, 3, trainable=False)

    def __call__(self, x):
        return self.logits(tf.nn.relu(self.hidden(x)))


class ConvNet(tf.Module):
    def __init__(self):
        super().__init__(name="convnet")
        self.conv = Conv(3, 4)
        self.head = Dense(36, 10)

    def __call__(self, x):
        x = tf.nn.max_pool2d(self.conv(x), 2, 2, "VALID")
        return self.head(tf.reshape(x, [tf.shape(x)[0], -1]))


class Shared(tf.Module):
    def __init__(self):
        super().__init__(name="shared")
        self.block = Dense(4, 4)
        self.again = self.block
        self.tied = Dense(4, 4)
        self.tied.w = self.block.w

    def __call__(self, x):
        return self.tied(self.again(self.block(x)))


class Nested(tf.Module):
    def __init__(self):
        super().__init__(name="nested")
        self.layers = [Dense(4, 8), MLPBlock()]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class MLPBlock(tf.Module):
    def __init__(self):
        super().__init__(name="block")
        self.inner = Dense(8, 2)

    def __call__(self, x):
        return self.inner(x)


def text(model, **kwargs):
    out = []
    print_summary(model, print_fn=out.append, **kwargs)
    return out[0]


GOLDEN_MLP = """\
Model: "mlp"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━┓
┃ Layer (type)                          ┃ Output Shape                  ┃        Param # ┃ Traina… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━┩
│ hidden (Dense)                        │ (2, 8)                        │             40 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│ logits (Dense)                        │ (2, 3)                        │             27 │    N    │
└───────────────────────────────────────┴───────────────────────────────┴────────────────┴─────────┘
 Total params: 67 (268.00 B)
 Trainable params: 40 (160.00 B)
 Non-trainable params: 27 (108.00 B)
"""

GOLDEN_CONV = """\
Model: "convnet"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ conv (Conv)                          │ (2, 6, 6, 4)                │             108 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ head (Dense)                         │ (2, 10)                     │             370 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 478 (1.87 KB)
 Trainable params: 478 (1.87 KB)
 Non-trainable params: 0 (0.00 B)
"""

GOLDEN_SHARED = """\
Model: "shared"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ again (Dense)                        │ (2, 4)                      │              20 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ tied (Dense)                         │ (2, 4)                      │              20 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 24 (96.00 B)
 Trainable params: 24 (96.00 B)
 Non-trainable params: 0 (0.00 B)
"""

GOLDEN_NESTED = """\
Model: "nested"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ layers.0 (Dense)                     │ (2, 8)                      │              40 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ layers.1 (MLPBlock)                  │ (2, 2)                      │              18 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│    └ inner (Dense)                   │ (2, 2)                      │              18 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 58 (232.00 B)
 Trainable params: 58 (232.00 B)
 Non-trainable params: 0 (0.00 B)
"""


def test_golden_mlp_with_frozen_layer():
    assert text(MLP(), example_inputs=tf.zeros([2, 4]), show_trainable=True) == GOLDEN_MLP


def test_golden_conv_net():
    assert text(ConvNet(), example_inputs=tf.zeros([2, 8, 8, 3])) == GOLDEN_CONV


def test_golden_shared_module_and_tied_variable():
    assert text(Shared(), example_inputs=tf.zeros([2, 4])) == GOLDEN_SHARED


def test_golden_nested_list_of_modules():
    assert text(Nested(), expand_nested=True, example_inputs=tf.zeros([2, 4])) == GOLDEN_NESTED


def test_totals_equal_unique_variables():
    for model in (MLP(), ConvNet(), Shared(), Nested()):
        s = summarize(model)
        unique = {id(v): v for v in model.variables}.values()
        assert s.kind == "tensorflow"
        assert s.total_params == sum(int(tf.size(v)) for v in unique)
        assert s.trainable_params == sum(int(tf.size(v)) for v in model.trainable_variables)


def test_no_inputs_no_shapes_and_call_restored():
    assert [r.output_shape for r in summarize(MLP()).rows] == ["?", "?"]

    class Child(Dense):  # inherits __call__: the wrapper must be removed, not left behind
        pass

    class Holder(tf.Module):
        def __init__(self):
            super().__init__(name="holder")
            self.child = Child(2, 2)

        def __call__(self, x):
            return self.child(x)

    original = Dense.__dict__["__call__"]
    assert summarize(Holder(), example_inputs=tf.zeros([1, 2])).rows[0].output_shape == "(1, 2)"
    assert "__call__" not in Child.__dict__
    assert Dense.__dict__["__call__"] is original
    assert Holder.__dict__["__call__"].__qualname__.endswith("Holder.__call__")


def test_tf_function_module():
    class Scaled(tf.Module):
        def __init__(self):
            super().__init__(name="scaled")
            self.inner = Dense(3, 2)

        @tf.function
        def __call__(self, x):
            return self.inner(x) * 2.0

    s = summarize(Scaled(), example_inputs=tf.zeros([5, 3]))
    assert s.rows[0].output_shape == "(5, 2)"
    assert s.total_params == 8


def test_uncalled_plain_sub_modules_are_left_alone():
    class Holder(tf.Module):
        def __init__(self):
            super().__init__(name="holder")
            self.store = tf.Module(name="store")  # tf.Module itself has no __call__
            self.store.v = tf.Variable(tf.zeros([3]))
            self.lin = Dense(3, 1)

        def __call__(self, x):
            return self.lin(x * self.store.v)

    s = summarize(Holder(), example_inputs=tf.ones([2, 3]))
    assert {r.name: r.output_shape for r in s.rows} == {"lin": "(2, 1)", "store": "?"}
    assert "__call__" not in vars(tf.Module)
    assert s.total_params == 7
