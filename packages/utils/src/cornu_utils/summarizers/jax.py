# SPDX-License-Identifier: Apache-2.0
"""Summaries of parameter pytrees (JAX, flax, equinox or plain NumPy), with an optional apply.

A model here is a pytree of arrays, a pair ``(apply_fn, params)``, or an object with
``apply_fn`` and ``params`` attributes (flax's ``TrainState``). Each sub-tree is a row and each
leaf a row of its own (``dtype[shape]``); the same array object at two paths counts once.
Plain dicts, lists, tuples and named tuples are walked without importing JAX; any other node
is flattened with ``jax.tree_util``. With ``example_inputs``, ``apply_fn(params, *inputs)`` is
evaluated for its output shape under ``jax.eval_shape`` (no computation) when any parameter or
input is a JAX array, and called directly when all are NumPy (a NumPy function).
"""

from __future__ import annotations

from collections.abc import Callable
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

Path = tuple[str, ...]


def _unpack(model: Any) -> tuple[Callable[..., Any] | None, Any, str]:
    if (
        isinstance(model, tuple)
        and not hasattr(model, "_fields")
        and len(model) == 2
        and callable(model[0])
        and not _is_leaf(model[0])
    ):
        fn, params = model
        return fn, params, getattr(fn, "__name__", type(fn).__name__)
    if not isinstance(model, (dict, list, tuple)) and hasattr(model, "apply_fn") and hasattr(model, "params"):
        fn = model.apply_fn
        return fn, model.params, getattr(fn, "__name__", type(model).__name__)
    return None, model, type(model).__name__


def _is_leaf(x: Any) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, type)


def _key_text(key: Any) -> str:
    for attr in ("key", "idx", "name"):
        if hasattr(key, attr):
            return str(getattr(key, attr))
    return str(key)


def _child(obj: Any, key: Any) -> Any:
    try:
        if hasattr(key, "name"):
            return getattr(obj, key.name)
        if hasattr(key, "key"):
            return obj[key.key]
        if hasattr(key, "idx"):
            return obj[key.idx]
    except Exception:
        pass
    return None


def _flatten(tree: Any) -> tuple[list[tuple[Path, Any]], dict[Path, str]]:
    leaves: list[tuple[Path, Any]] = []
    types: dict[Path, str] = {}

    def walk(node: Any, path: Path) -> None:
        if node is None:
            return
        if _is_leaf(node) or isinstance(node, (bool, int, float, complex)):
            leaves.append((path, node))
            return
        if isinstance(node, dict):
            types[path] = type(node).__name__
            for k, v in node.items():
                walk(v, (*path, str(k)))
            return
        if isinstance(node, (list, tuple)):
            types[path] = type(node).__name__
            names = getattr(node, "_fields", None) or range(len(node))
            for k, v in zip(names, node):
                walk(v, (*path, str(k)))
            return
        import jax

        types[path] = type(node).__name__
        flat, _ = jax.tree_util.tree_flatten_with_path(node)
        for key_path, leaf in flat:
            obj = node
            for depth, key in enumerate(key_path[:-1], start=1):
                obj = _child(obj, key) if obj is not None else None
                sub = (*path, *(_key_text(k) for k in key_path[:depth]))
                types.setdefault(sub, type(obj).__name__ if obj is not None else "pytree")
            walk(leaf, (*path, *(_key_text(k) for k in key_path)))

    walk(tree, ())
    return leaves, types


def _leaf_info(leaf: Any) -> tuple[tuple[int, ...], str, int]:
    if _is_leaf(leaf):
        shape = tuple(int(d) for d in leaf.shape)
        dtype = leaf.dtype
        return shape, str(getattr(dtype, "name", dtype)), dtype_bits(dtype)
    kind = type(leaf).__name__
    return (), kind, 8 if isinstance(leaf, bool) else 64


def _output_shape(fn: Callable[..., Any], params: Any, example_inputs: Any) -> tuple[str, str | None]:
    args, kwargs = split_inputs(example_inputs)
    leaves = [leaf for _, leaf in _flatten((params, args, kwargs))[0]]
    if any(type(x).__module__.split(".", 1)[0] in ("jax", "jaxlib") for x in leaves):
        import jax

        out = jax.eval_shape(lambda p, a, k: fn(p, *a, **k), params, args, kwargs)
    else:  # NumPy parameters and inputs: a NumPy function, run as is
        out = fn(params, *args, **kwargs)
    dtypes: list[str] = []

    def leaf(x: Any) -> str | None:
        if _is_leaf(x):
            dtypes.append(str(getattr(x.dtype, "name", x.dtype)))
            return format_shape(x.shape)
        return None

    text = format_structure(out, leaf)
    return text, (dtypes[0] if len(set(dtypes)) == 1 else None)


def _rows(model: Any, example_inputs: Any) -> tuple[list[SummaryRow], Totals, str, tuple[str, str | None] | None]:
    fn, params, name = _unpack(model)
    leaves, types = _flatten(params)
    totals = Totals()
    members: dict[Path, dict[int, int]] = {}
    order: list[tuple[Path, Any]] = []
    for path, leaf in leaves:
        shape, dtype, bits = _leaf_info(leaf)
        count = numel(shape)
        totals.add(leaf, count, bits, True)
        for i in range(len(path)):
            prefix = path[:i]
            if prefix and prefix not in members:
                order.append((prefix, None))
            members.setdefault(prefix, {})[id(leaf)] = count
        order.append((path, leaf))
    rows = []
    for path, leaf in order:
        depth = max(len(path) - 1, 0)
        label = path[-1] if path else "(root)"
        if leaf is None:
            count = sum(members[path].values())
            rows.append(
                SummaryRow(label, types.get(path, "pytree"), "?", count, True if count else None, depth, "/".join(path))
            )
        else:
            shape, dtype, _ = _leaf_info(leaf)
            count = numel(shape)
            kind = f"{dtype}{list(shape)}" if _is_leaf(leaf) else dtype
            rows.append(SummaryRow(label, kind, "-", count, True, depth, "/".join(path)))
    output = None
    if fn is not None and example_inputs is not None:
        output = _output_shape(fn, params, example_inputs)
        rows.append(SummaryRow("output", name, output[0], 0, None, 0, "output"))
    return rows, totals, name, output


def summarize(model: Any, example_inputs: Any = None) -> Summary:
    """Summarize a parameter pytree (see the module docstring).

    Example:
        >>> import numpy as np
        >>> summarize({"w": np.zeros((2, 3)), "b": np.zeros(3)}).total_params
        9
    """
    rows, totals, name, _ = _rows(model, example_inputs)
    return Summary(
        name=name,
        kind="jax",
        rows=tuple(rows),
        trainable_params=totals.trainable_params,
        trainable_bytes=totals.trainable_bytes,
    )


def graph(model: Any, expand_nested: bool = False, example_inputs: Any = None) -> Graph:
    """The pytree as a tree: the model, its sub-trees and (with ``expand_nested``) its leaves.

    Example:
        >>> import numpy as np
        >>> [n.name for n in graph({"dense": {"w": np.zeros(2)}}, expand_nested=True).nodes]
        ['dict', 'dense', 'w']
    """
    rows, _, name, output = _rows(model, example_inputs)
    g = Graph(name=name)
    g.nodes.append(GraphNode("root", name, "pytree"))
    for row in rows:
        if row.path == "output":
            continue
        if row.depth and not expand_nested:
            continue
        parent = row.path.rsplit("/", 1)[0] if "/" in row.path else ""
        g.nodes.append(
            GraphNode(
                f"p:{row.path}",
                row.name,
                row.type,
                output_shape=None if row.output_shape in ("?", "-") else row.output_shape,
                trainable=row.trainable,
            )
        )
        g.add_edge(f"p:{parent}" if parent else "root", f"p:{row.path}", "contains")
    if output is not None:
        args, kwargs = split_inputs(example_inputs)
        for i, value in enumerate([*args, *kwargs.values()]):
            shape = format_shape(value.shape) if _is_leaf(value) else "?"
            g.nodes.append(GraphNode(f"in:{i}", f"input_{i}", "Input", output_shape=shape))
            g.add_edge(f"in:{i}", "root")
        g.nodes.append(GraphNode("out", "output", name, output_shape=output[0], dtype=output[1]))
        g.add_edge("root", "out")
    return g
