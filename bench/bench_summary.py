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

TITLE = "summarize on a 100-layer torch model (best of 4 alternating medians of 5; ratio = cornu / torchinfo)"


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

    def pair(cornu_fn, reference_fn):
        # Alternate the two in rounds and keep each one's best median: on a shared, busy
        # machine this compares the two under the same conditions.
        best = [float("inf"), float("inf")]
        for _ in range(rounds):
            best[0] = min(best[0], timeit(cornu_fn, repeat=repeat))
            best[1] = min(best[1], timeit(reference_fn, repeat=repeat))
        return best[0] * 1000, best[1] * 1000

    rounds = 2 if args.quick else 4
    rows = [
        Row(
            "summarize(model, example_inputs=x)",
            *pair(lambda: summarize(model, example_inputs=x),
                  lambda: torchinfo.summary(model, input_data=x, verbose=0)),
            "torchinfo.summary(model, input_data=x)",
            extra={"params": f"{ours.total_params:,}"},
        ),
        Row(
            "print_summary(..., example_inputs=x) (text)",
            *pair(cornu_text, torchinfo_text),
            "str(torchinfo.summary(model, input_data=x))",
        ),
        Row(
            "summarize(model) (no forward pass)",
            *pair(lambda: summarize(model), lambda: torchinfo.summary(model, verbose=0)),
            "torchinfo.summary(model) (no input)",
        ),
    ]
    return rows
