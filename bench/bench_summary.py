# SPDX-License-Identifier: Apache-2.0
"""``cornu_utils.summarize`` beside ``torchinfo.summary`` on a 100-layer torch model.

The model is ``nn.Sequential`` of 50 ``Linear(64, 64)`` + 50 ``ReLU`` (100 layers), run on a
batch of 8. Both tools register forward hooks and run the inputs once; both are asked for
their structured result (cornu's ``Summary``, torchinfo's ``ModelStatistics``) and, in the
"text" rows, for the rendered table too.
"""

from __future__ import annotations

import importlib.util

from harness import Row, timeit

TITLE = "summarize on a 100-layer torch model (median of 5; ratio = cornu / torchinfo)"


def run(args, rest) -> list[Row]:
    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("torchinfo") is None:
        print("bench_summary: needs torch and torchinfo; skipped")
        return []
    import torch
    import torchinfo
    from torch import nn

    from cornu_utils import print_summary, summarize

    layers = []
    for _ in range(50):
        layers += [nn.Linear(64, 64), nn.ReLU()]
    model = nn.Sequential(*layers)
    x = torch.randn(8, 64)
    repeat = 3 if args.quick else 5
    ours = summarize(model, example_inputs=x)
    theirs = torchinfo.summary(model, input_data=x, verbose=0)
    assert ours.total_params == theirs.total_params, (ours.total_params, theirs.total_params)

    def cornu_text():
        print_summary(model, example_inputs=x, print_fn=lambda s: None)

    def torchinfo_text():
        str(torchinfo.summary(model, input_data=x, verbose=0))

    rows = [
        Row(
            "summarize(model, example_inputs=x)",
            timeit(lambda: summarize(model, example_inputs=x), repeat=repeat) * 1000,
            timeit(lambda: torchinfo.summary(model, input_data=x, verbose=0), repeat=repeat) * 1000,
            "torchinfo.summary(model, input_data=x)",
            extra={"params": f"{ours.total_params:,}"},
        ),
        Row(
            "print_summary(..., example_inputs=x) (text)",
            timeit(cornu_text, repeat=repeat) * 1000,
            timeit(torchinfo_text, repeat=repeat) * 1000,
            "str(torchinfo.summary(model, input_data=x))",
        ),
        Row(
            "summarize(model) (no forward pass)",
            timeit(lambda: summarize(model), repeat=repeat) * 1000,
            timeit(lambda: torchinfo.summary(model, verbose=0), repeat=repeat) * 1000,
            "torchinfo.summary(model) (no input)",
        ),
    ]
    return rows
