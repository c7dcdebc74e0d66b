# SPDX-License-Identifier: Apache-2.0
"""Render a :class:`~cornu_utils.summary.Summary` as Keras 3's plain-text table.

Keras draws the table with ``rich``; this module reproduces the captured plain text (column
widths, word wrapping, ``…`` for words too long for their column, alignment) without rich.
One deliberate difference: a parameter count too wide for its column is folded over two
lines rather than cut to ``1,23…`` (Keras/rich lose the digits).
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Sequence
from typing import Any

__all__ = ["readable_memory_size", "render", "select_range"]

_WORD = re.compile(r"\s*\S+\s*")


def readable_memory_size(size: float) -> str:
    """Keras's byte text: ``92.00 B``, ``1.50 KB``, ... up to ``PB`` (scale 1024)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _wrap(text: str, width: int, justify: str, fold: bool = False) -> list[str]:
    """Word-wrap ``text`` into lines of exactly ``width`` cells, as rich does in a table cell.

    With ``fold``, a word longer than the width is cut into pieces over several lines instead
    of ending in ``…`` (used for parameter counts, which must never lose digits).
    """
    if fold and width > 0:
        text = " ".join(
            " ".join(w[i : i + width] for i in range(0, len(w), width)) for w in text.split(" ")
        )
    lines: list[str] = []
    for raw in text.split("\n"):
        breaks: list[int] = []
        offset = 0
        for match in _WORD.finditer(raw):
            start, word = match.start(), match.group(0)
            length = len(word.rstrip())
            if width - offset >= length:
                offset += len(word)
            elif length > width:
                if start:
                    breaks.append(start)
                offset = len(word)
            elif offset and start:
                breaks.append(start)
                offset = len(word)
        bounds = [0, *breaks, len(raw)]
        for a, b in itertools.pairwise(bounds):
            line = raw[a:b]
            if len(line) > width:  # trailing whitespace beyond the width goes first
                excess = len(line) - width
                stripped = line.rstrip()
                line = line[: len(line) - min(len(line) - len(stripped), excess)]
            if justify != "left":
                line = line.rstrip()
            if len(line) > width:
                line = line[: width - 1] + "…"
            if justify == "right":
                line = " " * (width - len(line)) + line
            elif justify == "center":
                line = " " * ((width - len(line)) // 2) + line
            lines.append(line.ljust(width))
    return lines


def select_range(rows: Sequence[Any], layer_range: Any) -> tuple[Any, ...]:
    """Keras's ``layer_range``: top-level rows from the first match of ``layer_range[0]`` to
    the last match of ``layer_range[1]`` (``re.match`` on names; swapped when reversed), with
    the nested rows under them."""
    if not isinstance(layer_range, (list, tuple)) or len(layer_range) != 2:
        length = len(layer_range) if hasattr(layer_range, "__len__") else "?"
        raise ValueError(
            "layer_range must be a list or tuple of length 2. "
            f"Received: layer_range = {layer_range} of length {length}"
        )
    if not all(isinstance(x, str) for x in layer_range):
        raise ValueError(f"layer_range should contain string type only. Received: layer_range={layer_range}")
    top = [i for i, r in enumerate(rows) if r.depth == 0]
    lower = [n for n, i in enumerate(top) if re.match(layer_range[0], rows[i].name)]
    upper = [n for n, i in enumerate(top) if re.match(layer_range[1], rows[i].name)]
    if not lower or not upper:
        raise ValueError(
            "Passed layer_names do not match the layer names in the model. "
            f"Received: layer_range={layer_range}"
        )
    first, last = (min(upper), max(lower)) if min(lower) > max(upper) else (min(lower), max(upper))
    start = top[first]
    stop = top[last + 1] if last + 1 < len(top) else len(rows)
    return tuple(rows[start:stop])


def column_widths(line_length: int, positions: Sequence[float]) -> list[int]:
    """Widths from cumulative positions (fractions of ``line_length``, or absolute columns)."""
    absolute = any(p > 1 for p in positions)
    widths, current = [], 0
    for pos in positions:
        width = int(pos if absolute else pos * line_length) - current
        if width < 4:
            raise ValueError(
                "Insufficient console width to print summary: every column needs at least 4 "
                "characters; pass a larger `line_length` or wider `positions`. "
                f"Received: line_length={line_length}, positions={list(positions)}"
            )
        widths.append(width)
        current += width
    return widths


def _rich_widths(widths: list[int], line_length: int) -> list[int]:
    """Cell widths (padding included) after rich fits fixed columns into the table width."""
    cells = [w + 2 for w in widths]
    room = line_length - (len(cells) + 1)
    excess = sum(cells) - room
    if excess <= 0:
        return cells
    total_ratio, remaining, result = len(cells), excess, []
    for cell in cells:
        cut = min(cell, round(remaining / total_ratio))
        result.append(cell - cut)
        remaining -= cut
        total_ratio -= 1
    return [min(c, max(room, 0)) for c in result]


def render(
    summary: Any,
    line_length: int | None = None,
    positions: Sequence[float] | None = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
) -> str:
    """The whole summary text, ending with a newline."""
    sequential_like = summary.sequential_like
    if sequential_like:
        default_length, default_positions = 88, [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        justify = ["left", "left", "right"]
    else:
        default_length, default_positions = 108, [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        justify = ["left", "left", "right", "left"]
    positions = list(positions) if positions is not None else default_positions
    if show_trainable:
        default_length += 12
        header.append("Trainable")
        justify.append("center")
    if line_length is None:
        line_length = min(default_length, shutil.get_terminal_size().columns - 4)
    if show_trainable:
        if any(p > 1 for p in positions):
            positions = [*positions, max(line_length, positions[-1] + 4)]
        else:
            positions = [p * 0.90 for p in positions] + [1.0]
    if len(positions) != len(header):
        raise ValueError(
            f"`positions` must give one position per column ({len(header)}: "
            f"{', '.join(header)}). Received: positions={positions}"
        )
    widths = column_widths(line_length, positions)
    cells = _rich_widths(widths, line_length)
    inner = [max(c - 2, 0) for c in cells]

    def rule(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * c for c in cells) + right

    def row(fields: list[str], bar: str, aligns: list[str], body: bool = True) -> list[str]:
        wrapped = [_wrap(f, w, j, fold=(k == 2 and body)) for k, (f, w, j) in enumerate(zip(fields, inner, aligns))]
        height = max(len(w) for w in wrapped)
        out = []
        for i in range(height):
            parts = [w[i] if i < len(w) else " " * width for w, width in zip(wrapped, inner)]
            out.append(bar + bar.join(f" {p} " for p in parts) + bar)
        return out

    lines = [f'Model: "{summary.name}"', rule("┏", "━", "┳", "┓")]
    lines += row(header, "┃", justify, body=False)
    lines.append(rule("┡", "━", "╇", "┩"))
    body = [r for r in summary.rows if expand_nested or r.depth == 0]
    for i, r in enumerate(body):
        prefix = "   " * r.depth + "└ " if r.depth else ""
        params = f"{r.params:,}" if r.built else f"{r.params:,} (unbuilt)"
        fields = [f"{prefix}{r.name} ({r.type})", r.output_shape, params]
        if not sequential_like:
            fields.append(", ".join(r.connected_to) or "-")
        if show_trainable:
            fields.append("-" if r.trainable is None else ("Y" if r.trainable else "N"))
        lines += row(fields, "│", justify)
        if i < len(body) - 1:
            lines.append(rule("├", "─", "┼", "┤"))
    lines.append(rule("└", "─", "┴", "┘"))
    size = readable_memory_size
    lines.append(f" Total params: {summary.total_params:,} ({size(summary.total_bytes)})")
    lines.append(
        f" Trainable params: {summary.trainable_params:,} ({size(summary.trainable_bytes)})"
    )
    lines.append(
        f" Non-trainable params: {summary.non_trainable_params:,} "
        f"({size(summary.non_trainable_bytes)})"
    )
    if summary.optimizer_params:
        lines.append(
            f" Optimizer params: {summary.optimizer_params:,} ({size(summary.optimizer_bytes)})"
        )
    return "\n".join(lines) + "\n"
