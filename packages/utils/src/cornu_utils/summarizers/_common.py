# SPDX-License-Identifier: Apache-2.0
"""Helpers shared by the summarizers: shapes as text, dtype sizes, totals, graph records."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Graph",
    "GraphNode",
    "Totals",
    "dtype_bits",
    "format_shape",
    "format_structure",
    "numel",
    "split_inputs",
]

_BITS = re.compile(r"(\d+)")


def dtype_bits(dtype: Any) -> int:
    """Bits per element of ``dtype`` (a string, NumPy/JAX dtype, torch or TF dtype)."""
    itemsize = getattr(dtype, "itemsize", None)
    if isinstance(itemsize, int) and itemsize > 0:
        name = str(getattr(dtype, "name", dtype))
        if name.startswith(("int4", "uint4", "float4")):
            return 4
        return itemsize * 8
    size = getattr(dtype, "size", None)  # tf.DType
    if isinstance(size, int) and size > 0:
        return size * 8
    name = str(getattr(dtype, "name", dtype)).rsplit(".", 1)[-1].lower()
    if name in ("bool", "uint8", "int8", "qint8", "quint8"):
        return 8
    match = _BITS.search(name)
    if match:
        return int(match.group(1))
    return 32


def format_shape(shape: Iterable[Any]) -> str:
    """Keras's shape text: ``(None, 3)`` (a 1-D shape is ``(3)``, a scalar ``()``)."""
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def format_structure(value: Any, leaf: Callable[[Any], str | None]) -> str:
    """Format a nested output: one leaf gives its own text, several a structure without quotes.

    ``leaf(x)`` returns the text for a tensor-like ``x`` or ``None`` for anything else.
    """
    leaves: list[str] = []

    def walk(x: Any) -> Any:
        text = leaf(x)
        if text is not None:
            leaves.append(text)
            return text
        if isinstance(x, dict):
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            items = [walk(v) for v in x]
            return tuple(items) if isinstance(x, tuple) else items
        return "?" if x is not None else "None"

    structure = walk(value)
    flat: list[Any] = []

    def collect(x: Any) -> None:
        if isinstance(x, dict):
            for v in x.values():
                collect(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                collect(v)
        else:
            flat.append(x)

    collect(structure)
    if len(flat) == 1:
        return str(flat[0])
    return str(structure).replace("'", "")


def split_inputs(example_inputs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """A tuple or list is the positional arguments, a dict the keyword ones, else one argument."""
    if isinstance(example_inputs, dict):
        return (), dict(example_inputs)
    if isinstance(example_inputs, (tuple, list)):
        return tuple(example_inputs), {}
    return (example_inputs,), {}


@dataclass
class Totals:
    """Unique-weight accumulator: each weight object counts once, however often it is seen."""

    trainable_params: int = 0
    non_trainable_params: int = 0
    trainable_bytes: int = 0
    non_trainable_bytes: int = 0
    _seen: set[int] = field(default_factory=set)

    def add(self, weight: Any, numel: int, bits: int, trainable: bool) -> bool:
        """Count ``weight`` unless it was counted already; return whether it was new."""
        key = id(weight)
        if key in self._seen:
            return False
        self._seen.add(key)
        nbytes = (numel * bits) // 8
        if trainable:
            self.trainable_params += numel
            self.trainable_bytes += nbytes
        else:
            self.non_trainable_params += numel
            self.non_trainable_bytes += nbytes
        return True


def numel(shape: Iterable[Any]) -> int:
    """Number of elements of a fully known shape (unknown dimensions count as 0)."""
    dims = [int(d) if d is not None else 0 for d in shape]
    return math.prod(dims)


@dataclass(frozen=True)
class GraphNode:
    """One box of a model graph."""

    id: str
    name: str
    type: str
    input_shape: str | None = None
    output_shape: str | None = None
    dtype: str | None = None
    trainable: bool | None = None
    cluster: tuple[str, ...] = ()


@dataclass
class Graph:
    """A model graph: boxes, edges ``(source_id, target_id, kind)`` and nested clusters.

    ``kind`` is ``"data"`` for a tensor flowing from one box to another and ``"contains"``
    for a module-tree edge (parent to child) where no data-flow graph could be traced.
    """

    name: str
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    note: str = ""

    def add_edge(self, source: str, target: str, kind: str = "data") -> None:
        """Add an edge once (the same pair twice is drawn once, as Keras does)."""
        edge = (source, target, kind)
        if edge not in self.edges:
            self.edges.append(edge)
