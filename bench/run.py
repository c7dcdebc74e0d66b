# SPDX-License-Identifier: Apache-2.0
"""Run benchmarks: ``python bench/run.py [topic ...]`` (default: every ``bench_*.py``)."""

from __future__ import annotations

import argparse
import importlib.util
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import print_table


def main() -> int:
    topics = sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("topics", nargs="*", help=f"any of {topics} (default: all)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller sizes")
    args, rest = parser.parse_known_args()
    chosen = args.topics or topics
    for topic in chosen:
        if topic not in topics:
            parser.error(f"unknown topic {topic!r}; choose from {topics}")
        spec = importlib.util.spec_from_file_location(f"bench_{topic}", HERE / f"bench_{topic}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        rows = module.run(args, rest)
        print_table(getattr(module, "TITLE", topic), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
