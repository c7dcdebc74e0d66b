# SPDX-License-Identifier: Apache-2.0
"""``summarize`` and ``print_summary``: a model's layers and parameters, for any framework.

:func:`summarize` returns data (a :class:`Summary`); :func:`print_summary` renders it in Keras 3's
table layout. Models: ``torch.nn.Module``, Keras models of any backend, ``tf.Module`` and JAX
(or NumPy) parameter pytrees, optionally paired with their apply function. The framework code
lives in ``cornu_utils.summarizers.<kind>``, imported only when a model of that kind arrives.
Shared and tied parameters are counted once in the totals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from cornu_config import filter_traceback, print_msg

__all__ = ["Summary", "SummaryRow", "print_summary", "summarize"]


@dataclass(frozen=True)
class SummaryRow:
    """One layer (module, sub-tree) of a model.

    Attributes:
        name: the layer's own name (for nested rows, the last part of ``path``).
        type: its class name (for a pytree leaf, ``dtype[shape]``).
        output_shape: Keras-style text such as ``"(None, 3)"``; ``"?"`` when unknown, ``"-"``
            when the row has no output (a parameter leaf).
        params: parameters of the layer and its sub-layers, each counted once.
        trainable: ``True``/``False``, or ``None`` for a layer without parameters.
        depth: nesting level, 0 for the model's direct layers.
        path: the unique dotted (or ``/``-separated) path of the layer in the model.
        connected_to: inbound layers as ``"name[call][tensor]"``: from a Keras functional
            graph, or, for a torch model run with example inputs, from what the run fed each
            direct child (model inputs appear under their ``forward`` argument names).
        built: ``False`` for a layer whose weights do not exist yet (shown ``0 (unbuilt)``).
    """

    name: str
    type: str
    output_shape: str = "?"
    params: int = 0
    trainable: bool | None = None
    depth: int = 0
    path: str = ""
    connected_to: tuple[str, ...] = ()
    built: bool = True


@dataclass(frozen=True)
class Summary:
    """What :func:`summarize` found: rows, and totals with shared parameters counted once.

    Attributes:
        name: the model's name.
        kind: which summarizer read it: ``"torch"``, ``"keras"``, ``"tensorflow"`` or ``"jax"``.
        rows: every layer, nested ones included (``depth > 0``), in model order.
        trainable_params, non_trainable_params: unique parameter counts.
        trainable_bytes, non_trainable_bytes: their memory (elements × dtype size).
        optimizer_params, optimizer_bytes: a compiled Keras model's built optimizer state.
        sequential_like: ``False`` when the model branches or shares layers, which adds the
            "Connected to" column, as Keras does.
    """

    name: str
    kind: str
    rows: tuple[SummaryRow, ...]
    trainable_params: int = 0
    non_trainable_params: int = 0
    trainable_bytes: int = 0
    non_trainable_bytes: int = 0
    optimizer_params: int = 0
    optimizer_bytes: int = 0
    sequential_like: bool = True

    @property
    def total_params(self) -> int:
        """Trainable, non-trainable and optimizer parameters together."""
        return self.trainable_params + self.non_trainable_params + self.optimizer_params

    @property
    def total_bytes(self) -> int:
        """Bytes of all parameters counted in :attr:`total_params`."""
        return self.trainable_bytes + self.non_trainable_bytes + self.optimizer_bytes

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict of everything, totals included.

        Example:
            >>> import numpy as np
            >>> s = summarize({"w": np.zeros((2, 3), "float32")})
            >>> s.to_dict()["total_params"]
            6
        """
        data = asdict(self)
        data["rows"] = [dict(r, connected_to=list(r["connected_to"])) for r in data["rows"]]
        data["total_params"] = self.total_params
        data["total_bytes"] = self.total_bytes
        return data

    def __str__(self) -> str:
        from cornu_utils.summarizers._table import render

        return render(self)


def _summarizer(model: Any) -> Any:
    from cornu_utils import summarizers

    kind = summarizers.kind_of(model)
    if kind is None:
        raise TypeError(
            "`model` must be a torch.nn.Module, a Keras model or layer, a tf.Module, or a "
            "parameter pytree (dict/list/tuple of arrays, optionally as (apply_fn, params)). "
            f"Received: model={_short_repr(model)}"
        )
    return summarizers.load(kind)


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@filter_traceback
def summarize(model: Any, example_inputs: Any = None) -> Summary:
    """Read a model's layers, output shapes and parameter counts into a :class:`Summary`.

    Args:
        model: a ``torch.nn.Module``; a Keras model or layer (any backend); a ``tf.Module``;
            or a parameter pytree (nested dicts, lists and tuples of JAX or NumPy arrays, or
            any JAX pytree), optionally as a pair ``(apply_fn, params)`` or an object with
            ``apply_fn`` and ``params`` attributes (a flax ``TrainState``).
        example_inputs: optional inputs to run once for output shapes: one tensor/array, a
            tuple or list of positional arguments, or a dict of keyword arguments. torch
            modules run in eval mode under ``no_grad`` (their training flags are restored
            afterwards); a pytree's ``apply_fn(params, *inputs)`` runs under
            ``jax.eval_shape`` (no computation); a Keras model is called once as
            ``model(example_inputs)`` (a list or tuple is its list of inputs).

    Returns:
        A :class:`Summary` whose totals count every shared or tied parameter once.

    Raises:
        TypeError: ``model`` is none of the kinds above.

    Example:
        >>> import numpy as np
        >>> params = {"dense": {"kernel": np.zeros((4, 3), "float32"), "bias": np.zeros(3, "float32")}}
        >>> s = summarize(params)
        >>> s.total_params, s.rows[0].name, s.rows[0].params
        (15, 'dense', 15)
    """
    if isinstance(model, Summary):
        return model
    return _summarizer(model).summarize(model, example_inputs)


@filter_traceback
def print_summary(
    model: Any,
    line_length: int | None = None,
    positions: Sequence[float] | None = None,
    print_fn: Callable[[str], Any] | None = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
    example_inputs: Any = None,
    layer_range: Sequence[str] | None = None,
) -> None:
    """Print a model summary in Keras 3's table layout.

    Args:
        model: any model :func:`summarize` accepts, or a :class:`Summary`.
        line_length: total width of the table; default 88 (108 with a "Connected to"
            column; 12 more with ``show_trainable``), at most the terminal width minus 4.
        positions: right edge of each column, as fractions of ``line_length`` (all ≤ 1) or
            absolute columns; default ``[0.45, 0.80, 1.0]`` (``[0.3, 0.56, 0.74, 1.0]`` with
            "Connected to").
        print_fn: called once with the whole text; default: ``cornu_config.print_msg``
            (stdout with interactive logging on, the ``cornu`` logger otherwise).
        expand_nested: also list nested layers, indented with ``└``.
        show_trainable: add a "Trainable" column (``Y``, ``N``, or ``-`` without weights).
        example_inputs: passed to :func:`summarize` for output shapes.
        layer_range: as Keras 3: two regular expressions; only the top-level layers from the
            first match of the first to the last match of the second are printed (the totals
            stay the model's).

    Raises:
        ValueError: a column would be narrower than 4 characters, ``positions`` has the
            wrong length, or ``layer_range`` is malformed or matches no layer.

    Example:
        >>> import numpy as np
        >>> lines = []
        >>> print_summary({"w": np.zeros((2, 3), "float32")}, print_fn=lines.append)
        >>> lines[0].splitlines()[0]
        'Model: "dict"'
    """
    import dataclasses

    from cornu_utils.summarizers._table import render, select_range

    if line_length is not None and (not isinstance(line_length, int) or line_length < 1):
        raise ValueError(
            f"`line_length` must be a positive integer or None. Received: line_length={line_length!r}"
        )
    summary = summarize(model, example_inputs=example_inputs)
    if layer_range is not None:
        summary = dataclasses.replace(summary, rows=select_range(summary.rows, layer_range))
    text = render(summary, line_length, positions, expand_nested, show_trainable)
    if print_fn is None:
        print_msg(text, line_break=False)
    else:
        print_fn(text)
