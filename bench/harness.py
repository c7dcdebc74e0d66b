# SPDX-License-Identifier: Apache-2.0
"""A small harness: time a cornu function beside its reference in one process, print ratios.

A benchmark module (``bench/bench_<topic>.py``) defines ``run(args) -> list[Row]`` and may
use :func:`timeit` to measure. ``python bench/run.py <topic> ...`` runs it and prints a table;
``ratio`` is cornu's time over the reference's (below 1.0: cornu is faster) unless the row
says otherwise.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Row", "print_table", "timeit"]


@dataclass
class Row:
    """One comparison: cornu's figure beside the reference's for the same work."""

    case: str
    cornu: float
    reference: float
    reference_name: str
    unit: str = "ms"
    higher_is_better: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """cornu / reference for times, reference / cornu for rates: below 1.0 cornu wins."""
        if self.higher_is_better:
            return self.reference / self.cornu if self.cornu else float("inf")
        return self.cornu / self.reference if self.reference else float("inf")


def timeit(fn: Callable[[], object], *, repeat: int = 5, number: int = 1, warmup: int = 1) -> float:
    """Median seconds of one call of ``fn`` over ``repeat`` runs of ``number`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def print_table(title: str, rows: list[Row]) -> None:
    """Print rows as an aligned table with ratios (cornu cost per reference cost)."""
    print(f"\n== {title} ==")
    header = f"{'case':44} {'cornu':>11} {'reference':>11}  {'ratio':>6}  reference"
    print(header)
    print("-" * len(header))
    for r in rows:
        extra = "  " + " ".join(f"{k}={v}" for k, v in r.extra.items()) if r.extra else ""
        print(
            f"{r.case:44} {r.cornu:>9.3g}{r.unit:>2} {r.reference:>9.3g}{r.unit:>2}  "
            f"{r.ratio:>6.2f}  {r.reference_name}{extra}"
        )
    print("ratio = cornu cost / reference cost (below 1.00: cornu is faster)")
