# SPDX-License-Identifier: Apache-2.0
"""Summaries and graphs of Keras models and layers, on any Keras backend.

Reads the model the user handed in through its own attributes (``layers``, ``weights``,
``_operations``, ``_nodes_by_depth``, ``_inbound_nodes``), following Keras 3's
``summary_utils`` and ``model_visualization`` so that the rows, the "Connected to" column and
the totals match ``model.summary()``. It does not import ``keras`` itself: the model's own
objects carry everything needed. Keras 2 (``tf_keras``) models are read where their
attributes allow.
"""

from __future__ import annotations

import itertools
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
)
from cornu_utils.summary import Summary, SummaryRow

__all__ = ["graph", "summarize"]


def _class_names(obj: Any) -> set[str]:
    return {c.__name__ for c in type(obj).__mro__}


def _is_sequential(obj: Any) -> bool:
    return "Sequential" in _class_names(obj)


def _is_functional(obj: Any) -> bool:
    return "Functional" in _class_names(obj) and not _is_sequential(obj)


def _flatten(x: Any) -> list[Any]:
    if isinstance(x, dict):
        return [y for v in x.values() for y in _flatten(v)]
    if isinstance(x, (list, tuple)):
        return [y for v in x for y in _flatten(v)]
    return [x]


def _is_shape(x: Any) -> bool:
    return isinstance(x, (tuple, list)) and all(d is None or isinstance(d, int) for d in x)


def _shape_of(x: Any) -> str | None:
    shape = getattr(x, "shape", None)
    if shape is None or isinstance(x, (tuple, list, dict)):
        return None
    try:
        return format_shape(tuple(shape))
    except TypeError:  # a TensorShape of unknown rank
        return "?"


def _layer_shape(layer: Any) -> str:
    """Keras 3's ``format_layer_shape``: from the layer's call nodes, or its build shapes."""
    nodes = getattr(layer, "_inbound_nodes", None) or []
    if nodes:
        outputs = getattr(nodes[-1], "output_tensors", None)
        if outputs is not None:
            return format_structure(outputs, _shape_of)
    if hasattr(layer, "output_shape"):  # Keras 2; raises for layers called more than once
        try:
            shape = layer.output_shape
        except (AttributeError, RuntimeError, ValueError):
            return "multiple"
        if _is_shape(shape):
            return format_shape(shape)
        return format_structure(shape, lambda s: format_shape(s) if _is_shape(s) else None)
    build_shapes = getattr(layer, "_build_shapes_dict", None)
    if build_shapes:
        try:
            shapes = layer.compute_output_shape(**build_shapes)
        except Exception:
            return "?"
        if _is_shape(shapes):
            return format_shape(shapes)
        return format_structure(shapes, lambda s: format_shape(s) if _is_shape(s) else None)
    return "?"


def _unique(weights: Any) -> list[Any]:
    return list({id(w): w for w in weights}.values())


def _count(weights: Any) -> int:
    return sum(numel(tuple(w.shape)) for w in _unique(weights))


def _nodes(model: Any) -> list[Any]:
    by_depth = getattr(model, "_nodes_by_depth", None) or {}
    return [n for v in by_depth.values() for n in v]


def _inbound(node: Any) -> Iterator[tuple[Any, int, int]]:
    """(operation, node_index, tensor_index) for each input tensor of ``node``."""
    if hasattr(node, "iterate_inbound"):  # Keras 2 / tf_keras
        for layer, node_index, tensor_index, _ in node.iterate_inbound():
            yield layer, node_index, tensor_index
        return
    for tensor in _flatten(getattr(node, "input_tensors", [])):
        history = getattr(tensor, "_keras_history", None)
        if history is not None:
            yield history[0], history[1], history[2]


def _sequential_like(model: Any) -> bool:
    """Keras 3's rule: no depth with several nodes, no multi-input node, no shared layer."""
    if not _is_functional(model):
        return True
    nodes = []
    for level in (getattr(model, "_nodes_by_depth", None) or {}).values():
        if len(level) > 1 or (len(level) == 1 and len(_flatten(level[0].input_tensors)) > 1):
            return False
        nodes += level
    return all(sum(1 for n in layer._inbound_nodes if n in nodes) <= 1 for layer in model.layers)


def _connections(layer: Any, relevant: list[Any]) -> tuple[str, ...]:
    found = []
    for node in getattr(layer, "_inbound_nodes", None) or []:
        if relevant and node not in relevant:
            continue
        for op, node_index, tensor_index in _inbound(node):
            if op is not None:
                found.append(f"{op.name}[{node_index}][{tensor_index}]")
    return tuple(found)


def _top_layers(model: Any) -> list[Any]:
    if _is_functional(model) and hasattr(model, "_operations"):
        return list(model._operations)
    return list(getattr(model, "layers", None) or [])


def summarize(model: Any, example_inputs: Any = None) -> Summary:
    """Summarize a Keras model or layer (see the module docstring).

    Example:
        >>> import keras
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        >>> summarize(model).total_params
        15
    """
    if example_inputs is not None:
        model(example_inputs)  # Keras models take one `inputs` argument (a list for several)
    sequential_like = _sequential_like(model)
    relevant = [] if sequential_like else _nodes(model)
    rows: list[SummaryRow] = []

    def add(layer: Any, depth: int, prefix: str) -> None:
        built = getattr(layer, "built", True)
        weights = list(getattr(layer, "weights", []) or []) if built else []
        path = f"{prefix}/{layer.name}" if prefix else layer.name
        rows.append(
            SummaryRow(
                name=layer.name,
                type=type(layer).__name__,
                output_shape=_layer_shape(layer),
                params=_count(weights),
                trainable=bool(layer.trainable) if weights else None,
                depth=depth,
                path=path,
                connected_to=() if sequential_like else (_connections(layer, relevant) or ()),
                built=bool(built) or not hasattr(layer, "built"),
            )
        )
        for sub in getattr(layer, "layers", None) or []:
            add(sub, depth + 1, path)

    for layer in _top_layers(model):
        add(layer, 0, "")
    trainable = getattr(model, "_collected_trainable_weights", None) or model.trainable_weights
    totals = Totals()
    for weights, flag in ((trainable, True), (model.non_trainable_weights, False)):
        for w in weights:
            totals.add(w, numel(tuple(w.shape)), dtype_bits(w.dtype), flag)
    opt_params = opt_bytes = 0
    optimizer = getattr(model, "optimizer", None)
    if getattr(model, "compiled", False) and optimizer is not None and getattr(optimizer, "built", False):
        for v in _unique(optimizer.variables):
            n = numel(tuple(v.shape))
            opt_params += n
            opt_bytes += n * dtype_bits(v.dtype) // 8
    return Summary(
        name=model.name,
        kind="keras",
        rows=tuple(rows),
        trainable_params=totals.trainable_params,
        non_trainable_params=totals.non_trainable_params,
        trainable_bytes=totals.trainable_bytes,
        non_trainable_bytes=totals.non_trainable_bytes,
        optimizer_params=opt_params,
        optimizer_bytes=opt_bytes,
        sequential_like=sequential_like,
    )


def _node(layer: Any, cluster: tuple[str, ...]) -> GraphNode:
    shape = dtype = input_shape = None
    try:
        shape = format_structure(layer.output, _shape_of)
        outs = [getattr(t, "dtype", None) for t in _flatten(layer.output)]
        dtype = str(outs[0]) if outs and len({str(d) for d in outs}) == 1 else None
        if type(layer).__name__ != "InputLayer":
            input_shape = format_structure(layer.input, _shape_of)
    except (AttributeError, ValueError, RuntimeError):
        pass
    weights = getattr(layer, "weights", None) or []
    return GraphNode(
        str(id(layer)),
        layer.name,
        type(layer).__name__,
        input_shape=input_shape,
        output_shape=shape,
        dtype=dtype,
        trainable=bool(layer.trainable) if weights else None,
        cluster=cluster,
    )


def _is_model(layer: Any) -> bool:
    return _is_functional(layer) or _is_sequential(layer)


def _add(g: Graph, model: Any, expand_nested: bool, cluster: tuple[str, ...]) -> None:
    if not _is_model(model):
        g.nodes.append(_node(model, cluster))
        if expand_nested:
            for sub in getattr(model, "layers", None) or []:
                g.nodes.append(_node(sub, (*cluster, model.name)))
        return
    layers = list(model.layers) if _is_sequential(model) else list(model._operations)
    for layer in layers:
        if expand_nested and _is_model(layer):
            _add(g, layer, expand_nested, (*cluster, layer.name))
        else:
            g.nodes.append(_node(layer, cluster))
    if _is_sequential(model) and not expand_nested:
        for a, b in itertools.pairwise(layers):
            g.add_edge(str(id(a)), str(id(b)))
        return
    keys = getattr(model, "_nodes", None)
    for layer in layers if _is_functional(model) else layers[1:]:
        for index, inbound in enumerate(getattr(layer, "_inbound_nodes", None) or []):
            if keys is not None and _is_functional(model) and f"{id(layer)}_ib-{index}" not in keys:
                continue
            for input_index, tensor in enumerate(_flatten(getattr(inbound, "input_tensors", []))):
                history = getattr(tensor, "_keras_history", None)
                if history is None or history[0] is None:
                    continue
                source, output_index, target = history[0], history[2], layer
                if expand_nested:
                    while _is_model(source):
                        source, _, output_index = source.outputs[output_index]._keras_history
                    while _is_model(target):
                        if _is_functional(target):
                            target = target.inputs[input_index]._keras_history[0]
                        else:
                            target = target.layers[0]
                g.add_edge(str(id(source)), str(id(target)))


def graph(model: Any, expand_nested: bool = False, example_inputs: Any = None) -> Graph:
    """Keras's plot graph: Sequential as a chain, Functional by its layer connections,
    a subclassed model as one box (its layers as a cluster with ``expand_nested``).

    Example:
        >>> import keras
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2)])
        >>> len(graph(model).edges)
        1
    """
    if example_inputs is not None:
        model(example_inputs)
    if not getattr(model, "built", True):
        raise ValueError(
            "This model has not yet been built. Build the model first by calling `build()` "
            "or by calling the model on a batch of data (or pass `example_inputs`). "
            f"Received: model={model.name!r} (unbuilt)"
        )
    g = Graph(name=model.name)
    _add(g, model, expand_nested, ())
    return g
