# SPDX-License-Identifier: Apache-2.0
"""Summaries and graphs of ``tf.Module`` models (Keras models go to the Keras summarizer).

Rows are the sub-module tree found through ``tf.Module._flatten`` (attributes, lists and
dicts of modules; each module once). Totals count each ``tf.Variable`` once, split by its
``trainable`` flag. With example inputs, the model is called once while the ``__call__`` of
each sub-module class is wrapped to record output shapes (restored afterwards).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cornu_utils.summarizers._common import (
    Graph,
    GraphNode,
    Totals,
    dtype_bits,
    format_shape,
    format_structure,
    numel,
    split_inputs,
)
from cornu_utils.summary import Summary, SummaryRow

__all__ = ["graph", "summarize"]


def _children(module: Any) -> Iterator[tuple[str, Any]]:
    import tensorflow as tf

    for path, child in module._flatten(
        recursive=False, predicate=lambda m: isinstance(m, tf.Module), with_path=True
    ):
        yield ".".join(str(p) for p in path), child


def _walk(model: Any) -> list[tuple[str, str, int, Any]]:
    """(name, path, depth, module) for every sub-module, depth first, each module once."""
    seen = {id(model)}
    out: list[tuple[str, str, int, Any]] = []

    def visit(module: Any, prefix: str, depth: int) -> None:
        for name, child in _children(module):
            if id(child) in seen:
                continue
            seen.add(id(child))
            path = f"{prefix}.{name}" if prefix else name
            out.append((name, path, depth, child))
            visit(child, path, depth + 1)

    visit(model, "", 0)
    return out


def _tensor_text(x: Any) -> str | None:
    shape = getattr(x, "shape", None)
    if shape is None or isinstance(x, (tuple, list, dict)):
        return None
    dims = getattr(shape, "as_list", None)
    try:
        return format_shape(dims() if dims else tuple(shape))
    except (TypeError, ValueError):
        return "?"


def _record_shapes(model: Any, modules: list[Any], example_inputs: Any) -> dict[int, list[str]]:
    records: dict[int, list[str]] = {}
    watched = {id(m) for m in modules} | {id(model)}
    active: set[int] = set()
    patched: list[tuple[type, Any, bool]] = []
    for cls in {type(m) for m in [model, *modules]}:
        if not any("__call__" in vars(k) for k in cls.__mro__):
            continue  # a module that is never called
        original = cls.__call__
        had_own = "__call__" in cls.__dict__

        def wrapper(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            if id(self) not in watched or id(self) in active:  # a subclass's wrapper calling ours
                return __original(self, *args, **kwargs)
            active.add(id(self))
            try:
                out = __original(self, *args, **kwargs)
            finally:
                active.discard(id(self))
            records.setdefault(id(self), []).append(format_structure(out, _tensor_text))
            return out

        patched.append((cls, cls.__dict__.get("__call__"), had_own))
        cls.__call__ = wrapper
    args, kwargs = split_inputs(example_inputs)
    try:
        model(*args, **kwargs)
    finally:
        for cls, original, had_own in patched:
            if had_own:
                cls.__call__ = original
            else:
                del cls.__call__
    return records


def _params(module: Any) -> tuple[int, bool | None]:
    variables = list({id(v): v for v in module.variables}.values())
    count = sum(numel(v.shape.as_list()) for v in variables)
    return count, (any(v.trainable for v in variables) if variables else None)


def summarize(model: Any, example_inputs: Any = None) -> Summary:
    """Summarize a ``tf.Module`` (see the module docstring).

    Example:
        >>> import tensorflow as tf
        >>> m = tf.Module(name="m")
        >>> m.inner = tf.Module(name="inner")
        >>> m.inner.w = tf.Variable(tf.zeros([2, 3]))
        >>> s = summarize(m)
        >>> s.rows[0].name, s.total_params
        ('inner', 6)
    """
    walked = _walk(model)
    records = (
        _record_shapes(model, [m for _, _, _, m in walked], example_inputs)
        if example_inputs is not None
        else {}
    )
    rows = []
    for name, path, depth, module in walked:
        count, trainable = _params(module)
        calls = records.get(id(module))
        rows.append(
            SummaryRow(
                name=name,
                type=type(module).__name__,
                output_shape=" | ".join(dict.fromkeys(calls)) if calls else "?",
                params=count,
                trainable=trainable,
                depth=depth,
                path=path,
            )
        )
    totals = Totals()
    for v in model.variables:
        totals.add(v, numel(v.shape.as_list()), dtype_bits(v.dtype), bool(v.trainable))
    return Summary(
        name=getattr(model, "name", None) or type(model).__name__,
        kind="tensorflow",
        rows=tuple(rows),
        trainable_params=totals.trainable_params,
        non_trainable_params=totals.non_trainable_params,
        trainable_bytes=totals.trainable_bytes,
        non_trainable_bytes=totals.non_trainable_bytes,
    )


def graph(model: Any, expand_nested: bool = False, example_inputs: Any = None) -> Graph:
    """The module tree (a ``tf.Module`` records no data-flow graph of its own).

    Example:
        >>> import tensorflow as tf
        >>> m = tf.Module(name="m")
        >>> m.inner = tf.Module(name="inner")
        >>> graph(m).edges
        [('m:', 'm:inner', 'contains')]
    """
    summary = summarize(model, example_inputs)
    g = Graph(name=summary.name, note="tf.Module has no layer graph; showing the module tree")
    g.nodes.append(GraphNode("m:", summary.name, type(model).__name__, trainable=None))
    for row in summary.rows:
        if row.depth and not expand_nested:
            continue
        parent = row.path[: -len(row.name) - 1] if row.depth else ""
        shape = None if row.output_shape == "?" else row.output_shape
        g.nodes.append(GraphNode(f"m:{row.path}", row.path, row.type, output_shape=shape,
                                 trainable=row.trainable))
        g.add_edge(f"m:{parent}", f"m:{row.path}", "contains")
    return g
