# SPDX-License-Identifier: Apache-2.0
"""Summaries and graphs of ``torch.nn.Module`` models.

Rows are the module tree (``named_modules``, each module once, however often it is reused),
with output shapes from forward hooks when example inputs are given; that run also records
which direct children feed which, so a branching model or one with a shared layer gets
Keras's "Connected to" column. Totals count parameters
(not buffers, as torchinfo), each ``Parameter`` object once, so tied weights count once.
The graph is the ``torch.fx`` trace where the model traces, the module tree where it does not.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from cornu_utils.summarizers._common import (
    Graph,
    GraphNode,
    Totals,
    format_shape,
    format_structure,
    split_inputs,
)
from cornu_utils.summary import Summary, SummaryRow

__all__ = ["graph", "summarize"]


def _tensor_text(x: Any) -> str | None:
    import torch

    if isinstance(x, torch.Tensor):
        return format_shape(x.shape)
    return None


def _dtype_text(x: Any) -> str | None:
    import torch

    if isinstance(x, torch.Tensor):
        return str(x.dtype).replace("torch.", "")
    return None


def _prepare(model: Any, example_inputs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    import torch

    args, kwargs = split_inputs(example_inputs)
    device = next((p.device for p in model.parameters()), None)

    def convert(x: Any) -> Any:
        if type(x).__module__.split(".", 1)[0] == "numpy" and hasattr(x, "shape"):
            return torch.as_tensor(x, device=device)
        return x

    return tuple(convert(a) for a in args), {k: convert(v) for k, v in kwargs.items()}


def _run_hooks(model: Any, example_inputs: Any, flow: Any = None) -> dict[int, list[tuple[str, str | None]]]:
    """Run the inputs once (eval mode, no grad) and record each module's output shapes.

    With a :class:`~cornu_utils.summarizers._torch_flow.Flow`, also record which direct
    children feed which.
    """
    import torch

    records: dict[int, list[tuple[str, str | None]]] = {}
    tensor = torch.Tensor
    plain = torch._C.DisableTorchFunction  # reading .shape under the flow's mode costs ~30 µs

    def hook(module: Any, inputs: Any, output: Any) -> None:
        with plain():
            shape_hook(module, output)

    def shape_hook(module: Any, output: Any) -> None:
        if isinstance(output, tensor):  # the common case, without walking a structure
            text = "(" + ", ".join(str(d) for d in output.shape) + ")"
            records.setdefault(id(module), []).append((text, str(output.dtype)[6:]))
            return
        dtypes: list[str] = []

        def dtype_leaf(x: Any) -> str | None:
            text = _dtype_text(x)
            if text is not None:
                dtypes.append(text)
            return text

        format_structure(output, dtype_leaf)
        dtype = dtypes[0] if dtypes and len(set(dtypes)) == 1 else None
        records.setdefault(id(module), []).append((format_structure(output, _tensor_text), dtype))

    modules = {id(m): m for _, m in model.named_modules(remove_duplicate=False)}
    handles = [m.register_forward_hook(hook) for m in modules.values()]
    args, kwargs = _prepare(model, example_inputs)
    mode: Any = contextlib.nullcontext()
    if flow is not None:
        for key in flow.top:
            handles.append(modules[key].register_forward_pre_hook(flow.pre_hook, with_kwargs=True))
            handles.append(modules[key].register_forward_hook(flow.hook, with_kwargs=True))
        flow.tag_inputs(args, kwargs)
        mode = flow.mode()
    try:
        with _eval_mode(modules.values()), torch.no_grad(), mode:
            model(*args, **kwargs)
    finally:
        for handle in handles:
            handle.remove()
    return records


@contextlib.contextmanager
def _eval_mode(modules: Any) -> Iterator[None]:
    """Eval mode for the duration (no running-statistics updates), every flag restored after.

    Sets ``training`` in each module's ``__dict__`` directly: ``Module.eval()`` recurses through
    ``__setattr__``, which costs more than the forward pass of small layers.
    """
    flags = [(m, m.__dict__.get("training", True)) for m in modules]
    for module, _ in flags:
        module.__dict__["training"] = False
    try:
        yield
    finally:
        for module, training in flags:
            module.__dict__["training"] = training


def _join(calls: list[tuple[str, str | None]] | None) -> str:
    if not calls:
        return "?"
    seen: list[str] = []
    for text, _ in calls:
        if text not in seen:
            seen.append(text)
    return " | ".join(seen)


def summarize(model: Any, example_inputs: Any = None) -> Summary:
    """Summarize a ``torch.nn.Module`` (see the module docstring).

    Example:
        >>> import torch
        >>> s = summarize(torch.nn.Sequential(torch.nn.Linear(4, 3)), torch.zeros(2, 4))
        >>> s.rows[0].output_shape, s.total_params
        ('(2, 3)', 15)
    """
    from torch.nn.parameter import is_lazy

    from cornu_utils.summarizers._torch_flow import Flow

    flow = None
    records: dict[int, Any] = {}
    if example_inputs is not None:
        top = {id(m): name for name, m in model.named_children()}
        flow = Flow(model, top)
        try:
            records = _run_hooks(model, example_inputs, flow)
        except Exception:  # an op that will not run under the tagging mode: shapes only
            flow = None
            records = _run_hooks(model, example_inputs)
    sequential_like = flow is None or flow.sequential_like()
    connections = {} if sequential_like or flow is None else flow.connections()
    rows = []
    for path, module in model.named_modules():
        if not path:
            continue
        params = list(module.parameters())
        built = not any(is_lazy(p) for p in params)
        count = sum(p.numel() for p in params if not is_lazy(p))
        trainable = any(p.requires_grad for p in params) if params else None
        rows.append(
            SummaryRow(
                name=path.rsplit(".", 1)[-1],
                type=type(module).__name__,
                output_shape=_join(records.get(id(module))),
                params=count,
                trainable=trainable,
                depth=path.count("."),
                path=path,
                connected_to=connections.get(path, ()) if "." not in path else (),
                built=built,
            )
        )
    totals = Totals()
    for p in model.parameters():
        if not is_lazy(p):
            totals.add(p, p.numel(), p.element_size() * 8, p.requires_grad)
    return Summary(
        name=type(model).__name__,
        kind="torch",
        rows=tuple(rows),
        trainable_params=totals.trainable_params,
        non_trainable_params=totals.non_trainable_params,
        trainable_bytes=totals.trainable_bytes,
        non_trainable_bytes=totals.non_trainable_bytes,
        sequential_like=sequential_like,
    )


def _trainable(module: Any) -> bool | None:
    params = list(module.parameters())
    return any(p.requires_grad for p in params) if params else None


def _module_tree(model: Any, expand_nested: bool, records: dict[int, Any], note: str) -> Graph:
    g = Graph(name=type(model).__name__, note=note)
    g.nodes.append(GraphNode("m:", type(model).__name__, type(model).__name__,
                             output_shape=_join(records.get(id(model))) if records else None,
                             trainable=_trainable(model)))
    for path, module in model.named_modules():
        if not path or (not expand_nested and "." in path):
            continue
        calls = records.get(id(module))
        g.nodes.append(
            GraphNode(
                f"m:{path}",
                path,
                type(module).__name__,
                output_shape=_join(calls) if calls else None,
                dtype=calls[0][1] if calls else None,
                trainable=_trainable(module),
            )
        )
        parent = path.rsplit(".", 1)[0] if "." in path else ""
        g.add_edge(f"m:{parent}", f"m:{path}", "contains")
    return g


def _flow_graph(model: Any, example_inputs: Any, note: str) -> Graph:
    """Direct children joined by what really flowed between them while the inputs ran."""
    from cornu_utils.summarizers._torch_flow import Flow

    flow = Flow(model, {id(m): name for name, m in model.named_children()})
    records = _run_hooks(model, example_inputs, flow)
    g = Graph(name=type(model).__name__, note=note)
    children = dict(model.named_children())
    for name, calls in flow.inbound.items():
        for tags in calls:
            for tag in tags:
                source = tag.rsplit("[", 2)[0]
                if source not in children and not any(n.id == f"in:{source}" for n in g.nodes):
                    g.nodes.append(GraphNode(f"in:{source}", source, "Input"))
                g.add_edge(f"m:{source}" if source in children else f"in:{source}", f"m:{name}")
    for name, module in children.items():
        calls = records.get(id(module))
        g.nodes.append(
            GraphNode(
                f"m:{name}",
                name,
                type(module).__name__,
                output_shape=_join(calls) if calls else None,
                dtype=calls[0][1] if calls else None,
                trainable=_trainable(module),
            )
        )
    return g


def graph(model: Any, expand_nested: bool = False, example_inputs: Any = None) -> Graph:
    """The data-flow graph from ``torch.fx``; when the model does not trace, the direct
    children joined by what the example inputs ran through, or without inputs the module tree.

    Without ``expand_nested`` each direct child of the model is one box; with it, tracing goes
    down to torch's own layers and nested modules become clusters.

    Example:
        >>> import torch
        >>> g = graph(torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU()))
        >>> [n.name for n in g.nodes], len(g.edges)
        (['input', '0', '1'], 2)
    """
    import torch.fx

    class _Tracer(torch.fx.Tracer):
        def is_leaf_module(self, m: Any, qualname: str) -> bool:
            if not expand_nested:
                return True
            return super().is_leaf_module(m, qualname)

    try:
        traced = torch.fx.GraphModule(model, _Tracer().trace(model))
    except Exception as e:  # data-dependent control flow and the like
        reason = f"torch.fx could not trace {type(model).__name__} ({type(e).__name__}: {e}"
        reason = reason.splitlines()[0][:240] + ")"
        if example_inputs is not None:
            return _flow_graph(model, example_inputs, f"{reason}; showing what the example inputs ran through")
        return _module_tree(model, expand_nested, {}, f"{reason}; showing the module tree")
    if example_inputs is not None:
        from torch.fx.passes.shape_prop import ShapeProp

        args, kwargs = _prepare(model, example_inputs)
        with _eval_mode(list(traced.modules())), torch.no_grad():
            ShapeProp(traced).propagate(*args, *kwargs.values())
    g = Graph(name=type(model).__name__)
    for node in traced.graph.nodes:
        if node.op == "output":
            continue
        meta = node.meta.get("tensor_meta")
        shape = dtype = None
        if meta is not None and hasattr(meta, "shape"):
            shape, dtype = format_shape(meta.shape), str(meta.dtype).replace("torch.", "")
        cluster: tuple[str, ...] = ()
        trainable = None
        if node.op == "placeholder":
            name, kind = node.target, "Input"
        elif node.op == "call_module":
            sub = traced.get_submodule(node.target)
            name, kind, trainable = node.target, type(sub).__name__, _trainable(sub)
            parts = node.target.split(".")
            cluster = tuple(".".join(parts[: i + 1]) for i in range(len(parts) - 1))
        elif node.op == "get_attr":
            value = traced
            for part in str(node.target).split("."):
                value = getattr(value, part, None)
            name, kind = str(node.target), type(value).__name__
            trainable = getattr(value, "requires_grad", None) if kind == "Parameter" else None
        else:
            name = node.name
            target = node.target
            kind = target if isinstance(target, str) else getattr(target, "__name__", str(target))
            stack = node.meta.get("nn_module_stack") or {}
            if stack:
                inner = list(stack.values())[-1]
                path = inner[0] if isinstance(inner, tuple) else str(inner)
                parts = [p for p in str(path).split(".") if p]
                cluster = tuple(".".join(parts[: i + 1]) for i in range(len(parts)))
        inputs = [n for n in node.all_input_nodes]
        in_shapes = [format_shape(n.meta["tensor_meta"].shape) for n in inputs
                     if hasattr(n.meta.get("tensor_meta"), "shape")]
        g.nodes.append(
            GraphNode(
                node.name,
                name,
                kind,
                input_shape=", ".join(in_shapes) if in_shapes else None,
                output_shape=shape,
                dtype=dtype,
                trainable=trainable,
                cluster=cluster if expand_nested else (),
            )
        )
        for source in inputs:
            g.add_edge(source.name, node.name)
    return g
