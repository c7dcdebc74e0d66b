# SPDX-License-Identifier: Apache-2.0
"""``cornu summary MODULE:ATTR``: print a model's summary; ATTR may be a model or a function
returning one (called with no arguments)."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

__all__ = ["add_parser", "load_target"]


def load_target(spec: str) -> Any:
    """Import ``module:attr`` (attr may be dotted) and return the object, calling it when it is a
    function or class that is not itself a model."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        msg = f"expected MODULE:ATTR, such as mypkg.models:build_model. Received: {spec!r}"
        raise ValueError(msg)
    if "" not in sys.path and "." not in sys.path:
        sys.path.insert(0, "")  # as `python -m` does: the current folder's modules are found
    try:
        obj: Any = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        msg = f"cannot import module {module_name!r} ({e}). Received: {spec!r}"
        raise ValueError(msg) from None
    for part in attr.split("."):
        if not hasattr(obj, part):
            msg = f"module {module_name!r} has no attribute {attr!r}. Received: {spec!r}"
            raise ValueError(msg)
        obj = getattr(obj, part)
    if _is_factory(obj):
        obj = obj()
    return obj


def _is_factory(obj: Any) -> bool:
    if isinstance(obj, type):
        return True
    if not callable(obj):
        return False
    # A model instance is callable too (torch modules, Keras models): only plain functions are
    # factories.
    import inspect

    return inspect.isfunction(obj) or inspect.isbuiltin(obj)


def run(args: argparse.Namespace) -> int:
    model = load_target(args.target)
    from cornu_utils import print_summary

    print_summary(model, expand_nested=args.expand_nested, show_trainable=args.show_trainable)
    return 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser("summary", help="print the summary of a model given as MODULE:ATTR")
    p.add_argument("target", help="MODULE:ATTR, a model or a function returning one")
    p.add_argument("--expand-nested", action="store_true", help="show nested models' layers")
    p.add_argument("--show-trainable", action="store_true", help="add a trainable column")
    p.set_defaults(run=run)
