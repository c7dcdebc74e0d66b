# SPDX-License-Identifier: Apache-2.0
"""``model_to_dot`` and ``plot_model``: a model's graph as DOT text, PNG, SVG or PDF.

The DOT text is written here, so a ``.dot`` file needs neither pydot nor Graphviz. Images go
through pydot and Graphviz's ``dot`` program; when either is missing the error says what to
install, or, with ``on_error="warn"`` (for a callback inside a training loop), a warning is
issued and the DOT text is written instead of the image.

Graphs: torch models by their ``torch.fx`` trace (the module tree when they do not trace),
Keras models by their layer connections (Sequential as a chain, a subclassed model as one
box), ``tf.Module`` and parameter pytrees by their tree of sub-modules or sub-trees.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pathlib

from cornu_config import filter_traceback

__all__ = ["DotGraph", "model_to_dot", "plot_model"]

_RANKDIRS = ("TB", "LR", "BT", "RL")
_TEXT_FORMATS = ("dot", "gv")
_IMAGE_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg", "gif", "ps", "eps", "bmp", "tif", "tiff", "webp")
_PYDOT_HINT = (
    "You must install pydot (`pip install pydot`, or `pip install cornu-utils[plot]`) and "
    "Graphviz (`apt-get install graphviz`, `brew install graphviz`, `conda install graphviz` "
    "or https://graphviz.org/download/) to render a model plot as {fmt}; a `.dot` file "
    "needs neither."
)
_GRAPHVIZ_HINT = (
    "Graphviz's `dot` program was not found on PATH: install Graphviz (`apt-get install "
    "graphviz`, `brew install graphviz`, `conda install graphviz` or "
    "https://graphviz.org/download/); pydot alone cannot draw images. A `.dot` file needs no "
    "Graphviz."
)


def _escape(text: str) -> str:
    """HTML-escape label text (``html.escape`` without importing ``html`` at import time)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;").replace("'", "&#x27;")
    )


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class DotGraph:
    """DOT text of a model graph, renderable with Graphviz.

    Mirrors the parts of ``pydot.Dot`` that Keras users call: :meth:`to_string`,
    :meth:`create` and :meth:`write`; :meth:`to_pydot` gives a real ``pydot.Dot``.

    Example:
        >>> import numpy as np
        >>> dot = model_to_dot({"w": np.zeros(3)})
        >>> dot.to_string().startswith("digraph")
        True
    """

    def __init__(self, source: str, name: str = "model") -> None:
        self.source = source
        self.name = name

    def to_string(self) -> str:
        """The DOT text."""
        return self.source

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return f"DotGraph(name={self.name!r}, {len(self.source)} characters)"

    def create(self, format: str = "png", prog: str = "dot") -> bytes:
        """Render with Graphviz through pydot and return the image bytes.

        Raises:
            ImportError: pydot is not installed.
            OSError: Graphviz's program is not on PATH, or it failed.
        """
        import shutil
        import tempfile

        fmt = format.lower()
        if fmt in _TEXT_FORMATS:
            return self.source.encode("utf-8")
        try:
            import pydot
        except ImportError as e:
            raise ImportError(_PYDOT_HINT.format(fmt=fmt.upper()) + f" Received: format={format!r}") from e
        if shutil.which(prog) is None:
            raise OSError(_GRAPHVIZ_HINT + f" Received: prog={prog!r}")
        call = getattr(getattr(pydot, "core", pydot), "call_graphviz", None) or pydot.call_graphviz
        with tempfile.TemporaryDirectory(prefix="cornu-plot-") as tmp:
            path = os.path.join(tmp, "graph.dot")
            with open(path, "w", encoding="utf-8") as f:
                f.write(self.source)
            stdout, stderr, process = call(prog, [f"-T{fmt}", path], tmp)
        if process.returncode != 0:
            message = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
            raise OSError(
                f"Graphviz's `{prog}` failed ({process.returncode}) to draw the graph as {fmt}: "
                f"{message.strip()[:500]} Received: format={format!r}"
            )
        return stdout

    def write(self, path: str | os.PathLike[str], format: str | None = None) -> pathlib.Path:
        """Write DOT text (``.dot``/``.gv``) or an image; the format defaults to the suffix.

        Example:
            >>> import numpy as np, tempfile, os
            >>> path = os.path.join(tempfile.mkdtemp(), "g.dot")
            >>> model_to_dot({"w": np.zeros(2)}).write(path).read_text().startswith("digraph")
            True
        """
        import pathlib

        target = pathlib.Path(path)
        fmt = (format or target.suffix.lstrip(".") or "png").lower()
        if fmt in _TEXT_FORMATS:
            target.write_text(self.source, encoding="utf-8")
        else:
            target.write_bytes(self.create(fmt))
        return target

    def to_pydot(self) -> Any:
        """Parse the text into a ``pydot.Dot`` (needs pydot)."""
        try:
            import pydot
        except ImportError as e:
            raise ImportError(_PYDOT_HINT.format(fmt="a pydot graph")) from e
        return pydot.graph_from_dot_data(self.source)[0]


def _label(node: Any, show_shapes: bool, show_dtype: bool, show_layer_names: bool) -> str:
    esc = _escape
    cells = []
    if show_shapes:
        if node.type not in ("Input", "InputLayer"):
            cells.append(f"Input shape: <b>{esc(node.input_shape or '?')}</b>")
        cells.append(f"Output shape: <b>{esc(node.output_shape or '?')}</b>")
    if show_dtype:
        cells.append(f"Output dtype: <b>{esc(node.dtype or '?')}</b>")
    span = max(len(cells), 1)
    if show_layer_names:
        title = f"<b>{esc(node.name)}</b> ({esc(node.type)})"
    else:
        title = f"<b>{esc(node.type)}</b>"
    rows = [f'<tr><td colspan="{span}" bgcolor="lightgrey">{title}</td></tr>']
    if cells:
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return '<<table border="0" cellborder="1" cellspacing="0" cellpadding="6">' + "".join(rows) + "</table>>"


def _dot_source(g: Any, show_shapes: bool, show_dtype: bool, show_layer_names: bool, rankdir: str, dpi: float) -> str:
    lines = [f"digraph {_quote(g.name)} {{"]
    if g.note:
        lines.append(f"  // {g.note}")
    graph_attrs = f"rankdir={_quote(rankdir)}, concentrate=true, dpi={dpi:g}, fontname=\"Helvetica\""
    if g.note:
        graph_attrs += f", label={_quote(g.note)}, labelloc=\"b\", fontsize=10"
    lines.append(f"  graph [{graph_attrs}];")
    lines.append('  node [shape=plaintext, fontname="Helvetica", margin=0];')
    tree: dict[tuple[str, ...], list[Any]] = {}
    for node in g.nodes:
        tree.setdefault(node.cluster, []).append(node)
        for i in range(len(node.cluster)):
            tree.setdefault(node.cluster[:i], [])
    counter = [0]

    def emit(cluster: tuple[str, ...], indent: str) -> None:
        for node in tree.get(cluster, []):
            label = _label(node, show_shapes, show_dtype, show_layer_names)
            lines.append(f"{indent}{_quote(node.id)} [label={label}];")
        children = sorted(c for c in tree if len(c) == len(cluster) + 1 and c[: len(cluster)] == cluster)
        for child in children:
            counter[0] += 1
            lines.append(f"{indent}subgraph {_quote(f'cluster_{counter[0]}')} {{")
            lines.append(f'{indent}  label={_quote(child[-1])}; style=dashed; labeljust="l";')
            emit(child, indent + "  ")
            lines.append(f"{indent}}}")

    emit((), "  ")
    for source, target, kind in g.edges:
        style = " [style=dashed, arrowhead=none]" if kind == "contains" else ""
        lines.append(f"  {_quote(source)} -> {_quote(target)}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _check(rankdir: str, dpi: Any) -> None:
    if rankdir not in _RANKDIRS:
        raise ValueError(f"`rankdir` must be one of {_RANKDIRS}. Received: rankdir={rankdir!r}")
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or dpi <= 0:
        raise ValueError(f"`dpi` must be a positive number. Received: dpi={dpi!r}")


@filter_traceback
def model_to_dot(
    model: Any,
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: float = 96,
    example_inputs: Any = None,
) -> DotGraph:
    """The graph of a model as DOT text, built without pydot or Graphviz.

    Args:
        model: any model :func:`cornu_utils.summarize` accepts.
        show_shapes: add input and output shapes to each box (``?`` where unknown; torch
            models need ``example_inputs`` for shapes).
        show_dtype: add each box's output dtype.
        show_layer_names: title boxes ``name (Class)`` rather than ``Class``.
        rankdir: ``"TB"`` (top to bottom), ``"LR"``, ``"BT"`` or ``"RL"``.
        expand_nested: draw nested models as dashed clusters of their layers.
        dpi: resolution of rendered images.
        example_inputs: inputs run once for shapes (see :func:`cornu_utils.summarize`).

    Returns:
        A :class:`DotGraph`.

    Example:
        >>> import numpy as np
        >>> text = model_to_dot({"dense": {"kernel": np.zeros((4, 3))}}).to_string()
        >>> "dense" in text and "->" in text
        True
    """
    from cornu_utils.summary import _summarizer

    _check(rankdir, dpi)
    g = _summarizer(model).graph(model, expand_nested=expand_nested, example_inputs=example_inputs)
    return DotGraph(_dot_source(g, show_shapes, show_dtype, show_layer_names, rankdir, dpi), g.name)


@filter_traceback
def plot_model(
    model: Any,
    to_file: str | os.PathLike[str] = "model.png",
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: float = 96,
    on_error: str = "raise",
    example_inputs: Any = None,
) -> pathlib.Path:
    """Draw a model's graph into ``to_file``; the format is the file's suffix.

    ``.dot``/``.gv`` files are DOT text and need nothing installed. PNG, SVG, PDF and
    Graphviz's other formats need pydot and Graphviz's ``dot``; a name without a suffix gets
    PNG bytes, written under that exact name (as Keras does).

    Args:
        model: any model :func:`cornu_utils.summarize` accepts.
        to_file: where to write.
        show_shapes, show_dtype, show_layer_names, rankdir, expand_nested, dpi,
            example_inputs: as in :func:`model_to_dot`.
        on_error: ``"raise"`` (default) raises when pydot or Graphviz is missing or fails;
            ``"warn"`` warns and writes the DOT text next to ``to_file`` (suffix ``.dot``)
            instead, so a plotting callback cannot end a training run.

    Returns:
        The path written (the ``.dot`` fallback with ``on_error="warn"``).

    Raises:
        ImportError: pydot is missing (``pip install pydot``).
        OSError: Graphviz's ``dot`` is missing (``apt-get install graphviz``) or failed.
        ValueError: a bad ``to_file`` suffix, ``rankdir``, ``dpi`` or ``on_error``.

    Example:
        >>> import numpy as np, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "params.dot")
        >>> plot_model({"w": np.zeros(3)}, to_file=path).name
        'params.dot'
    """
    import pathlib
    import warnings

    if on_error not in ("raise", "warn"):
        raise ValueError(f"`on_error` must be 'raise' or 'warn'. Received: on_error={on_error!r}")
    target = pathlib.Path(os.fspath(to_file))
    fmt = target.suffix.lstrip(".").lower() or "png"
    if fmt not in _TEXT_FORMATS + _IMAGE_FORMATS:
        raise ValueError(
            f"`to_file` must end with one of {', '.join('.' + f for f in _TEXT_FORMATS + _IMAGE_FORMATS)} "
            f"(or have no suffix, for PNG). Received: to_file={os.fspath(to_file)!r}"
        )
    dot = model_to_dot(model, show_shapes, show_dtype, show_layer_names, rankdir, expand_nested, dpi,
                       example_inputs=example_inputs)
    if fmt in _TEXT_FORMATS:
        return dot.write(target, fmt)
    try:
        data = dot.create(fmt)
    except (ImportError, OSError) as e:
        if on_error == "raise":
            raise
        fallback = target.with_suffix(".dot") if target.suffix else target.with_name(target.name + ".dot")
        dot.write(fallback, "dot")
        warnings.warn(f"{e} Wrote the graph as DOT text to {fallback} instead.", RuntimeWarning, stacklevel=3)
        return fallback
    target.write_bytes(data)
    return target
