# SPDX-License-Identifier: Apache-2.0
"""summarize / print_summary on parameter pytrees: NumPy ones (no JAX needed) and JAX ones."""

from __future__ import annotations

import numpy as np
import pytest

from cornu_utils import print_summary, summarize


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


def mlp_params():
    return {
        "hidden": {"kernel": np.zeros((4, 8), "float32"), "bias": np.zeros(8, "float32")},
        "logits": {"kernel": np.zeros((8, 3), "float32"), "bias": np.zeros(3, "float32")},
    }


def conv_params():
    return {
        "conv": {"kernel": np.zeros((3, 3, 3, 4), "float32"), "bias": np.zeros(4, "float32")},
        "bn": {"scale": np.ones(4, "float32"), "mean": np.zeros(4, "float32")},
        "head": {"kernel": np.zeros((36, 10), "float16"), "bias": np.zeros(10, "float16")},
    }


def shared_params():
    block = {"kernel": np.zeros((6, 6), "float32"), "bias": np.zeros(6, "float32")}
    return {"encoder": block, "decoder": block, "embed": np.zeros((10, 6), "float32")}


def nested_params():
    return {
        "encoder": {"layers": [{"w": np.zeros((4, 8))}, {"w": np.zeros((8, 8)), "b": np.zeros(8)}]},
        "head": {"w": np.zeros((8, 2))},
    }


def text(model, **kwargs):
    out = []
    print_summary(model, print_fn=out.append, **kwargs)
    return out[0]


GOLDEN_MLP = """\
Model: "dict"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ hidden (dict)                        │ ?                           │              40 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│    └ kernel (float32[4, 8])          │ -                           │              32 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│    └ bias (float32[8])               │ -                           │               8 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ logits (dict)                        │ ?                           │              27 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│    └ kernel (float32[8, 3])          │ -                           │              24 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│    └ bias (float32[3])               │ -                           │               3 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 67 (268.00 B)
 Trainable params: 67 (268.00 B)
 Non-trainable params: 0 (0.00 B)
"""

GOLDEN_CONV = """\
Model: "dict"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ conv (dict)                          │ ?                           │             112 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ bn (dict)                            │ ?                           │               8 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ head (dict)                          │ ?                           │             370 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 490 (1.19 KB)
 Trainable params: 490 (1.19 KB)
 Non-trainable params: 0 (0.00 B)
"""

GOLDEN_SHARED = """\
Model: "dict"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ encoder (dict)                       │ ?                           │              42 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│    └ kernel (float32[6, 6])          │ -                           │              36 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│    └ bias (float32[6])               │ -                           │               6 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ decoder (dict)                       │ ?                           │              42 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│    └ kernel (float32[6, 6])          │ -                           │              36 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│    └ bias (float32[6])               │ -                           │               6 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ embed (float32[10, 6])               │ -                           │              60 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 102 (408.00 B)
 Trainable params: 102 (408.00 B)
 Non-trainable params: 0 (0.00 B)
"""

GOLDEN_NESTED = """\
Model: "dict"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━┓
┃ Layer (type)                          ┃ Output Shape                  ┃        Param # ┃ Traina… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━┩
│ encoder (dict)                        │ ?                             │            104 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│    └ layers (list)                    │ ?                             │            104 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│       └ 0 (dict)                      │ ?                             │             32 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│          └ w (float64[4, 8])          │ -                             │             32 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│       └ 1 (dict)                      │ ?                             │             72 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│          └ w (float64[8, 8])          │ -                             │             64 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│          └ b (float64[8])             │ -                             │              8 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│ head (dict)                           │ ?                             │             16 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│    └ w (float64[8, 2])                │ -                             │             16 │    Y    │
└───────────────────────────────────────┴───────────────────────────────┴────────────────┴─────────┘
 Total params: 120 (960.00 B)
 Trainable params: 120 (960.00 B)
 Non-trainable params: 0 (0.00 B)
"""


def test_golden_mlp():
    assert text(mlp_params(), expand_nested=True) == GOLDEN_MLP


def test_golden_conv_mixed_dtypes():
    assert text(conv_params()) == GOLDEN_CONV


def test_golden_shared_subtree_counted_once():
    assert text(shared_params(), expand_nested=True) == GOLDEN_SHARED


def test_golden_nested_lists():
    assert text(nested_params(), expand_nested=True, show_trainable=True) == GOLDEN_NESTED


def test_paths_and_depths():
    s = summarize(nested_params())
    assert s.kind == "jax"
    assert [(r.path, r.depth) for r in s.rows] == [
        ("encoder", 0),
        ("encoder/layers", 1),
        ("encoder/layers/0", 2),
        ("encoder/layers/0/w", 3),
        ("encoder/layers/1", 2),
        ("encoder/layers/1/w", 3),
        ("encoder/layers/1/b", 3),
        ("head", 0),
        ("head/w", 1),
    ]


def test_same_array_at_two_paths_counts_once():
    w = np.zeros((5, 5), "float32")
    s = summarize({"a": w, "b": {"tied": w}, "c": np.zeros(3, "float32")})
    assert s.total_params == 28
    assert s.total_bytes == 112
    assert {r.path: r.params for r in s.rows} == {"a": 25, "b": 25, "b/tied": 25, "c": 3}


def test_namedtuple_and_none_nodes():
    from collections import namedtuple

    Layer = namedtuple("Layer", ["w", "b"])
    s = summarize([Layer(np.zeros((2, 2)), None), Layer(np.zeros((2, 1)), np.zeros(1))])
    assert [r.path for r in s.rows] == ["0", "0/w", "1", "1/w", "1/b"]
    assert s.rows[0].type == "Layer"
    assert s.total_params == 7


def test_apply_fn_with_numpy_gives_output_row():
    def forward(params, x):
        return np.tanh(x @ params["hidden"]["kernel"] + params["hidden"]["bias"]) @ params["logits"]["kernel"]

    s = summarize((forward, mlp_params()), example_inputs=np.zeros((5, 4), "float32"))
    assert s.name == "forward"
    assert (s.rows[-1].name, s.rows[-1].type, s.rows[-1].output_shape) == ("output", "forward", "(5, 3)")
    assert s.total_params == 67


def test_not_a_model_is_a_type_error():
    with pytest.raises(TypeError, match=r"Received: model=3"):
        summarize(3)


# --- with JAX --------------------------------------------------------------------------------


def test_jax_arrays_and_eval_shape_apply():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    params = {"dense": {"kernel": jnp.zeros((4, 3)), "bias": jnp.zeros(3)}}

    calls = []

    def apply(p, x):
        calls.append(type(x).__name__)
        return {"logits": x @ p["dense"]["kernel"] + p["dense"]["bias"], "features": x}

    s = summarize((apply, params), example_inputs=jnp.zeros((2, 4)))
    assert s.total_params == 15
    assert s.total_bytes == 60
    assert s.rows[-1].output_shape == "{features: (2, 4), logits: (2, 3)}"  # JAX sorts keys
    assert calls, "apply was called"
    assert all(c != "ArrayImpl" for c in calls), "apply ran abstractly under eval_shape"


def test_abstract_parameters_need_no_memory():
    jax = pytest.importorskip("jax")
    big = jax.ShapeDtypeStruct((50_000, 50_000), jax.numpy.bfloat16)  # 5 GB if it were real
    s = summarize({"embedding": big})
    assert s.total_params == 2_500_000_000
    assert s.total_bytes == 5_000_000_000
    assert "Total params: 2,500,000,000 (4.66 GB)" in text({"embedding": big})


def test_registered_pytree_node_goes_through_jax():
    jax = pytest.importorskip("jax")

    @jax.tree_util.register_pytree_with_keys_class
    class Linear:
        def __init__(self, w, b):
            self.w, self.b = w, b

        def tree_flatten_with_keys(self):
            return ((jax.tree_util.GetAttrKey("w"), self.w), (jax.tree_util.GetAttrKey("b"), self.b)), None

        @classmethod
        def tree_unflatten(cls, aux, children):
            return cls(*children)

    model = {"layer": Linear(jax.numpy.zeros((3, 2)), jax.numpy.zeros(2))}
    s = summarize(model)
    assert [(r.path, r.type, r.params) for r in s.rows] == [
        ("layer", "Linear", 8),
        ("layer/w", "float32[3, 2]", 6),
        ("layer/b", "float32[2]", 2),
    ]


def test_train_state_like_object():
    jax = pytest.importorskip("jax")

    class TrainState:
        def __init__(self, apply_fn, params):
            self.apply_fn, self.params = apply_fn, params

    def model_apply(p, x):
        return x @ p["w"]

    state = TrainState(model_apply, {"w": jax.numpy.zeros((4, 2))})
    s = summarize(state, example_inputs=jax.numpy.zeros((3, 4)))
    assert s.name == "model_apply"
    assert s.rows[-1].output_shape == "(3, 2)"
    assert s.total_params == 8
