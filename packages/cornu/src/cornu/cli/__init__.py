# SPDX-License-Identifier: Apache-2.0
"""The ``cornu`` command. Each sub-command lives in its own module with ``add_parser``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cornu.__about__ import __version__
from cornu.cli import fetch, info, summary

__all__ = ["main"]

_COMMANDS = (info, fetch, summary)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cornu", description="cornu: the Keras utility layer for any framework."
    )
    parser.add_argument("--version", action="version", version=f"cornu {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in _COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``cornu`` command; returns the exit code (errors print one line, exit 1)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except (ValueError, OSError, ImportError) as e:
        print(f"cornu {args.command}: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
