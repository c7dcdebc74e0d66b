# SPDX-License-Identifier: Apache-2.0
"""summarize / print_summary on torch models: golden tables, torchinfo's counts, tied weights."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from cornu_utils import Summary, print_summary, summarize  # noqa: E402


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch):
    # Keras caps the default width at the terminal's columns - 4; fix it for golden text.
    monkeypatch.setenv("COLUMNS", "200")


def mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, 3)
        self.head = nn.Linear(16 * 2 * 2, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn(self.conv1(x))))
        x = torch.relu(self.conv2(x))
        return self.head(torch.flatten(x, 1))


class Shared(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(4, 6)
        self.block = nn.Linear(6, 6)
        self.out = nn.Linear(6, 2)

    def forward(self, x):
        x = self.inp(x)
        x = self.block(x)
        x = self.block(torch.relu(x)) + x
        return self.out(x)


class Nested(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Sequential(nn.Linear(8, 8), nn.ReLU()))
        self.decoder = nn.Linear(8, 4)
        self.decoder.weight.requires_grad_(False)

    def forward(self, x):
        return self.decoder(self.encoder(x))


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 4)
        self.mix = nn.Linear(4, 4)
        self.lm_head = nn.Linear(4, 10, bias=False)
        self.lm_head.weight = self.embed.weight

    def forward(self, ids):
        return self.lm_head(self.mix(self.embed(ids)))


def text(model, **kwargs):
    out = []
    print_summary(model, print_fn=out.append, **kwargs)
    assert len(out) == 1, "print_fn is called once with the whole table"
    return out[0]


GOLDEN_MLP = """\
Model: "Sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ 0 (Linear)                           │ (2, 8)                      │              40 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ 1 (ReLU)                             │ (2, 8)                      │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ 2 (Linear)                           │ (2, 3)                      │              27 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 67 (268.00 B)
 Trainable params: 67 (268.00 B)
 Non-trainable params: 0 (0.00 B)
"""

GOLDEN_CONV = """\
Model: "ConvNet"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ conv1 (Conv2d)                       │ (2, 8, 8, 8)                │             224 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ bn (BatchNorm2d)                     │ (2, 8, 8, 8)                │              16 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ pool (MaxPool2d)                     │ (2, 8, 4, 4)                │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ conv2 (Conv2d)                       │ (2, 16, 2, 2)               │           1,168 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ head (Linear)                        │ (2, 10)                     │             650 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 2,058 (8.04 KB)
 Trainable params: 2,058 (8.04 KB)
 Non-trainable params: 0 (0.00 B)
"""

GOLDEN_SHARED = """\
Model: "Shared"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┓
┃ Layer (type)                  ┃ Output Shape              ┃          Param # ┃ Connected to              ┃ Trainable ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━┩
│ inp (Linear)                  │ (2, 6)                    │               30 │ x[0][0]                   │     Y     │
├───────────────────────────────┼───────────────────────────┼──────────────────┼───────────────────────────┼───────────┤
│ block (Linear)                │ (2, 6)                    │               42 │ inp[0][0], block[0][0]    │     Y     │
├───────────────────────────────┼───────────────────────────┼──────────────────┼───────────────────────────┼───────────┤
│ out (Linear)                  │ (2, 2)                    │               14 │ block[1][0], block[0][0]  │     Y     │
└───────────────────────────────┴───────────────────────────┴──────────────────┴───────────────────────────┴───────────┘
 Total params: 86 (344.00 B)
 Trainable params: 86 (344.00 B)
 Non-trainable params: 0 (0.00 B)
"""

GOLDEN_NESTED = """\
Model: "Nested"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━┓
┃ Layer (type)                          ┃ Output Shape                  ┃        Param # ┃ Traina… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━┩
│ encoder (Sequential)                  │ ?                             │            112 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│    └ 0 (Linear)                       │ ?                             │             40 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│    └ 1 (Tanh)                         │ ?                             │              0 │    -    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│    └ 2 (Sequential)                   │ ?                             │             72 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│       └ 0 (Linear)                    │ ?                             │             72 │    Y    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│       └ 1 (ReLU)                      │ ?                             │              0 │    -    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│ decoder (Linear)                      │ ?                             │             36 │    Y    │
└───────────────────────────────────────┴───────────────────────────────┴────────────────┴─────────┘
 Total params: 148 (592.00 B)
 Trainable params: 116 (464.00 B)
 Non-trainable params: 32 (128.00 B)
"""

GOLDEN_TIED = """\
Model: "Tied"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ embed (Embedding)                    │ (2, 3, 4)                   │              40 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ mix (Linear)                         │ (2, 3, 4)                   │              20 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ lm_head (Linear)                     │ (2, 3, 10)                  │              40 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 60 (240.00 B)
 Trainable params: 60 (240.00 B)
 Non-trainable params: 0 (0.00 B)
"""


def test_golden_mlp():
    assert text(mlp(), example_inputs=torch.zeros(2, 4)) == GOLDEN_MLP


def test_golden_conv_net():
    assert text(ConvNet(), example_inputs=torch.zeros(2, 3, 8, 8)) == GOLDEN_CONV


def test_golden_shared_layer_listed_once():
    assert text(Shared(), example_inputs=torch.zeros(2, 4), show_trainable=True) == GOLDEN_SHARED


def test_golden_nested_expanded_with_frozen_weight():
    assert text(Nested(), expand_nested=True, show_trainable=True) == GOLDEN_NESTED


def test_golden_tied_weights_counted_once():
    assert text(Tied(), example_inputs=torch.zeros(2, 3, dtype=torch.long)) == GOLDEN_TIED


def test_nested_rows_hidden_without_expand_nested():
    out = text(Nested())
    assert "encoder (Sequential)" in out
    assert "└ 0 (Linear)" not in out
    assert "└ 0 (Linear)" in text(Nested(), expand_nested=True)


@pytest.mark.parametrize(
    ("make", "example"),
    [
        (mlp, lambda: torch.zeros(2, 4)),
        (ConvNet, lambda: torch.zeros(2, 3, 8, 8)),
        (Shared, lambda: torch.zeros(2, 4)),
        (Nested, lambda: torch.zeros(2, 4)),
    ],
)
def test_counts_match_torchinfo(make, example):
    torchinfo = pytest.importorskip("torchinfo")
    model = make()
    ours = summarize(model, example_inputs=example())
    theirs = torchinfo.summary(model, input_data=example(), verbose=0)
    assert ours.total_params == theirs.total_params
    assert ours.trainable_params == theirs.trainable_params


def test_tied_weights_against_unique_parameters():
    model = Tied()
    s = summarize(model)
    unique = {id(p): p.numel() for p in model.parameters()}
    assert s.total_params == sum(unique.values()) == 60
    assert s.total_bytes == 60 * 4
    rows = {r.path: r.params for r in s.rows}
    assert rows == {"embed": 40, "mix": 20, "lm_head": 40}


def test_rows_are_data():
    s = summarize(Nested(), example_inputs=torch.zeros(2, 4))
    assert isinstance(s, Summary)
    assert s.kind == "torch"
    assert s.name == "Nested"
    by_path = {r.path: r for r in s.rows}
    assert by_path["encoder.2.0"].depth == 2
    assert by_path["encoder.2.0"].type == "Linear"
    assert by_path["encoder.2.0"].output_shape == "(2, 8)"
    assert by_path["decoder"].params == 36
    assert by_path["decoder"].trainable is True
    assert by_path["encoder.1"].trainable is None
    assert (s.trainable_params, s.non_trainable_params) == (116, 32)
    assert s.to_dict()["rows"][0]["path"] == "encoder"


def test_forward_pass_leaves_training_state_and_statistics_alone():
    model = ConvNet().train()
    model.bn.eval()  # a mixed state must come back exactly
    before = model.bn.running_mean.clone(), model.bn.num_batches_tracked.clone()
    summarize(model, example_inputs=torch.randn(2, 3, 8, 8))
    assert model.training
    assert not model.bn.training
    assert model.conv1.training
    assert torch.equal(model.bn.running_mean, before[0])
    assert torch.equal(model.bn.num_batches_tracked, before[1])
    assert all(not m._forward_hooks for m in model.modules()), "hooks removed"


def test_shared_module_called_with_different_shapes_shows_each():
    class TwoShapes(nn.Module):
        def __init__(self):
            super().__init__()
            self.act = nn.ReLU()

        def forward(self, x, y):
            return self.act(x), self.act(y)

    s = summarize(TwoShapes(), example_inputs=(torch.zeros(2, 3), torch.zeros(5)))
    assert s.rows[0].output_shape == "(2, 3) | (5)"


def test_keyword_and_numpy_inputs():
    np = pytest.importorskip("numpy")

    class KW(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 2)

        def forward(self, x, scale=1.0):
            return self.lin(x) * scale

    assert summarize(KW(), example_inputs={"x": torch.zeros(4, 3), "scale": 2.0}).rows[0].output_shape == "(4, 2)"
    assert summarize(KW(), example_inputs=np.zeros((4, 3), "float32")).rows[0].output_shape == "(4, 2)"


def test_lazy_module_shows_unbuilt():
    model = nn.Sequential(nn.LazyLinear(3))
    s = summarize(model)
    assert s.rows[0].built is False
    assert s.total_params == 0
    assert "0 (unbuilt)" in text(model)


def test_multiple_outputs_structure():
    class Two(nn.Module):
        def forward(self, x):
            return x, x.sum(1)

    class Outer(nn.Module):
        def __init__(self):
            super().__init__()
            self.two = Two()

        def forward(self, x):
            return self.two(x)

    s = summarize(Outer(), example_inputs=torch.zeros(2, 4))
    assert s.rows[0].output_shape == "((2, 4), (2))"


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 3)
        self.b = nn.Linear(4, 3)
        self.c = nn.Linear(6, 2)

    def forward(self, left, right):
        return self.c(torch.cat([self.a(left), self.b(right)], 1))


def test_connections_of_a_branching_model():
    s = summarize(TwoInputs(), example_inputs=(torch.zeros(2, 4), torch.zeros(2, 4)))
    assert not s.sequential_like
    assert {r.name: r.connected_to for r in s.rows} == {
        "a": ("left[0][0]",),
        "b": ("right[0][0]",),
        "c": ("a[0][0]", "b[0][0]"),
    }
    lines = text(TwoInputs(), example_inputs=(torch.zeros(2, 4), torch.zeros(2, 4))).splitlines()
    assert "Connected to" in lines[2]
    assert len(lines[1]) == 108


def test_shared_layer_connections_name_each_call():
    s = summarize(Shared(), example_inputs=torch.zeros(2, 4))
    conn = {r.name: r.connected_to for r in s.rows}
    assert conn["block"] == ("inp[0][0]", "block[0][0]")  # called twice: each call's input
    assert conn["out"] == ("block[1][0]", "block[0][0]")  # the residual sum of both calls


def test_chains_stay_sequential_and_leave_no_mode_behind():
    s = summarize(mlp(), example_inputs=torch.zeros(2, 4))
    assert s.sequential_like
    assert all(r.connected_to == () for r in s.rows)
    assert summarize(ConvNet(), example_inputs=torch.zeros(1, 3, 8, 8)).sequential_like
    assert summarize(TwoInputs()).sequential_like, "no inputs: nothing ran, no connections"
    assert torch._C._len_torch_function_stack() == 0


def test_tuple_outputs_are_indexed():
    class SplitHead(nn.Module):
        def forward(self, x):
            return x[:, :2], x[:, 2:]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.split = SplitHead()
            self.left = nn.Linear(2, 1)
            self.right = nn.Linear(2, 1)

        def forward(self, x):
            a, b = self.split(x)
            return self.left(a) + self.right(b)

    conn = {r.name: r.connected_to for r in summarize(Net(), example_inputs=torch.zeros(3, 4)).rows}
    assert conn == {"split": ("x[0][0]",), "left": ("split[0][0]",), "right": ("split[0][1]",)}


def test_run_that_fails_under_the_tagging_mode_still_gives_shapes():
    class Picky(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)

        def forward(self, x):
            if torch._C._len_torch_function_stack():  # stands in for an op a mode breaks
                raise RuntimeError("unsupported under a TorchFunctionMode")
            return self.lin(x)

    s = summarize(Picky(), example_inputs=torch.zeros(1, 2))
    assert s.rows[0].output_shape == "(1, 2)"
    assert s.sequential_like


def test_user_errors_in_forward_propagate():
    class Broken(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)

        def forward(self, x):
            raise KeyError("user bug")

    model = Broken()
    with pytest.raises(KeyError, match="user bug"):
        summarize(model, example_inputs=torch.zeros(1, 2))
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())
    assert torch._C._len_torch_function_stack() == 0
