# SPDX-License-Identifier: Apache-2.0
"""Splitting a batch into replica parts and merging the replicas' outputs (framework-free).

Structures are nested tuples, lists, namedtuples and dicts. A *batch leaf* is anything with a
``shape`` of at least one dimension (NumPy, torch, JAX and TensorFlow arrays alike); every batch
leaf is cut along axis 0. Other leaves (``None``, Python numbers, strings, 0-d arrays) go to every
replica unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "batch_size",
    "is_batch_leaf",
    "map_structure",
    "merge_outputs",
    "part_bounds",
    "split_inputs",
    "split_sizes",
]


def split_sizes(batch: int, parts: int) -> list[int]:
    """Keras 2's rule: ``batch // parts`` rows each, the last part takes the remainder.

    (64, 2) -> [32, 32]; (65, 2) -> [32, 33]; (10, 3) -> [3, 3, 4]; (3, 4) -> [0, 0, 0, 3].
    """
    if parts < 1:
        msg = f"`parts` must be at least 1. Received: parts={parts!r}"
        raise ValueError(msg)
    if batch < 0:
        msg = f"`batch` must be a non-negative size. Received: batch={batch!r}"
        raise ValueError(msg)
    step = batch // parts
    return [step] * (parts - 1) + [batch - step * (parts - 1)]


def part_bounds(batch: int, parts: int) -> list[tuple[int, int]]:
    """``(start, stop)`` rows of each part, contiguous and in order."""
    bounds = []
    start = 0
    for size in split_sizes(batch, parts):
        bounds.append((start, start + size))
        start += size
    return bounds


def is_batch_leaf(x: Any) -> bool:
    """True for an array-like with at least one dimension (a thing to cut along axis 0)."""
    if isinstance(x, (str, bytes, dict, list, tuple)) or x is None:
        return False
    shape = getattr(x, "shape", None)
    if shape is None:
        return False
    try:
        return len(shape) >= 1
    except TypeError:  # a TensorFlow shape of unknown rank
        return False


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def map_structure(fn: Callable[[Any], Any], structure: Any) -> Any:
    """Apply ``fn`` to every leaf of nested tuples, lists and dicts; keep the containers."""
    if isinstance(structure, dict):
        return type(structure)((k, map_structure(fn, v)) for k, v in structure.items())
    if _is_namedtuple(structure):
        return type(structure)(*(map_structure(fn, v) for v in structure))
    if isinstance(structure, (tuple, list)):
        return type(structure)(map_structure(fn, v) for v in structure)
    return fn(structure)


def _leaves(structure: Any) -> list[Any]:
    out: list[Any] = []
    map_structure(out.append, structure)
    return out


def batch_size(args: Any, kwargs: dict[str, Any] | None = None) -> int:
    """The shared axis-0 size of every batch leaf; ValueError when they differ or none exists."""
    sizes = {int(leaf.shape[0]) for leaf in _leaves((args, kwargs or {})) if is_batch_leaf(leaf)}
    if not sizes:
        msg = (
            "The inputs of a replicated model must contain at least one array with a batch axis "
            f"(axis 0) to split. Received: inputs={_describe(args)}"
        )
        raise ValueError(msg)
    if len(sizes) > 1:
        msg = (
            "Every input array of a replicated model must have the same batch size (axis 0) so "
            f"that it can be split across replicas. Received: batch sizes={sorted(sizes)}"
        )
        raise ValueError(msg)
    return sizes.pop()


def split_inputs(args: tuple, kwargs: dict[str, Any], parts: int) -> list[tuple[int, tuple, dict]]:
    """``(replica, args, kwargs)`` of each replica that has rows to run.

    Batch leaves are cut contiguously along axis 0 (Keras 2's sizes). Replicas whose part is
    empty (a batch smaller than the replica count) are left out, as their outputs would add no
    rows; when the whole batch is empty the last replica still runs once, so the output keeps
    its shape and structure.
    """
    if not kwargs and not any(isinstance(a, (dict, list, tuple)) for a in args):
        return _split_flat(args, parts)
    batch = batch_size(args, kwargs)
    out = []
    bounds = part_bounds(batch, parts)
    for k, (start, stop) in enumerate(bounds):
        if start == stop and not (batch == 0 and k == parts - 1):
            continue

        def cut(x: Any, start: int = start, stop: int = stop) -> Any:
            return x[start:stop] if is_batch_leaf(x) else x

        out.append((k, map_structure(cut, args), map_structure(cut, kwargs)))
    return out


def _split_flat(args: tuple, parts: int) -> list[tuple[int, tuple, dict]]:
    """:func:`split_inputs` for the common call ``model(x, ...)``: positional leaves only."""
    cut = [is_batch_leaf(a) for a in args]
    sizes = {int(a.shape[0]) for a, c in zip(args, cut) if c}
    if len(sizes) != 1:
        batch_size(args)  # raises the error that says what is wrong
    batch = sizes.pop()
    out = []
    for k, (start, stop) in enumerate(part_bounds(batch, parts)):
        if start == stop and not (batch == 0 and k == parts - 1):
            continue
        out.append((k, tuple(a[start:stop] if c else a for a, c in zip(args, cut)), {}))
    return out


def merge_outputs(outputs: list[Any], concat: Callable[[list[Any]], Any]) -> Any:
    """Concatenate the replicas' outputs leaf by leaf, in replica order.

    Every output must have the same structure; each leaf must be an array with a batch axis
    (``None`` leaves stay ``None``). ``concat`` receives the list of one leaf's parts.
    """
    if len(outputs) == 1:
        first = outputs[0]
        _check_leaves(first)
        return first
    if not any(isinstance(o, (dict, list, tuple)) for o in outputs):  # one array each
        if all(o is None for o in outputs):
            return None
        for o in outputs:
            _check_leaf(o)
        return concat(outputs)
    flat = [_leaves(o) for o in outputs]
    n = len(flat[0])
    if any(len(f) != n for f in flat):
        msg = (
            "Every replica must return outputs of the same structure to be merged. Received: "
            f"structures={[_describe(o) for o in outputs]}"
        )
        raise ValueError(msg)
    merged = []
    for i in range(n):
        column = [f[i] for f in flat]
        if all(c is None for c in column):
            merged.append(None)
            continue
        for c in column:
            _check_leaf(c)
        merged.append(concat(column))
    it = iter(merged)
    return map_structure(lambda _: next(it), outputs[0])


def _check_leaves(structure: Any) -> None:
    for leaf in _leaves(structure):
        if leaf is not None:
            _check_leaf(leaf)


def _check_leaf(leaf: Any) -> None:
    if not is_batch_leaf(leaf):
        msg = (
            "Every output of a replicated model must be an array with a batch axis (axis 0), "
            "so that the replicas' results can be concatenated; reduce (e.g. average a loss) "
            f"after the merge instead. Received: output={_describe(leaf)}"
        )
        raise ValueError(msg)


def _describe(x: Any) -> str:
    def one(leaf: Any) -> str:
        shape = getattr(leaf, "shape", None)
        if shape is not None:
            return f"{type(leaf).__name__}(shape={tuple(shape)})"
        return repr(leaf) if len(repr(leaf)) < 40 else type(leaf).__name__

    return repr(map_structure(one, x)).replace("'", "")
