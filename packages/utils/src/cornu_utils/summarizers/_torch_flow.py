# SPDX-License-Identifier: Apache-2.0
"""Which of a torch model's direct layers feed which, recorded while the example inputs run.

Every tensor is tagged with the layer outputs it was computed from: model inputs tag
themselves, a direct child module's outputs are tagged ``name[call][tensor]``, and every torch
function in between (``+``, ``relu``, ``cat``, ...) passes its inputs' tags on to its outputs
(through a ``TorchFunctionMode``). A layer's "Connected to" entries are the tags of the
tensors it receives. Tensors are tracked by ``id`` with a weak reference to reject reused ids.
"""

from __future__ import annotations

import inspect
import weakref
from typing import Any

__all__ = ["Flow"]


_SKIP = (int, float, bool, str, bytes, type(None), type(Ellipsis), slice)
_WRAPPER = type(object.__dict__["__class__"].__get__)  # method-wrapper: a property's __get__


def _tensors(value: Any, out: list[Any], tensor: type) -> list[Any]:
    """Append the tensors in a (nested) value to ``out``; cheap type tests before isinstance."""
    kind = type(value)
    if kind is tuple or kind is list:
        for v in value:
            if type(v) not in _SKIP:
                _tensors(v, out, tensor)
    elif kind is dict:
        for v in value.values():
            if type(v) not in _SKIP:
                _tensors(v, out, tensor)
    elif kind in _SKIP:
        pass
    elif isinstance(value, tensor):
        out.append(value)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _tensors(v, out, tensor)
    elif isinstance(value, dict):
        for v in value.values():
            _tensors(v, out, tensor)
    return out


class Flow:
    """Tags tensors with their producing layers; see the module docstring."""

    def __init__(self, model: Any, top: dict[int, str]) -> None:
        import torch

        self.torch = torch
        self.top = top
        self.tags: dict[int, tuple[Any, tuple[str, ...]]] = {}
        self.calls: dict[int, int] = {}
        self.inbound: dict[str, list[tuple[str, ...]]] = {}
        self.model = model

    def tags_of(self, value: Any) -> tuple[str, ...]:
        found: tuple[str, ...] = ()
        for t in _tensors(value, [], self.torch.Tensor):
            entry = self.tags.get(id(t))
            if entry is not None and entry[0]() is t:
                found = entry[1] if not found else tuple(dict.fromkeys(found + entry[1]))
        return found

    def tag(self, value: Any, make: Any) -> None:
        for i, t in enumerate(_tensors(value, [], self.torch.Tensor)):
            tags = make(i)
            if tags:
                self.tags[id(t)] = (weakref.ref(t), tags)

    def tag_inputs(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            names = [
                p.name for p in inspect.signature(self.model.forward).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
            ]
        except (TypeError, ValueError):
            names = []
        for i, arg in enumerate(args):
            name = names[i] if i < len(names) else f"input_{i}"
            self.tag(arg, lambda k, name=name: (f"{name}[0][{k}]",))
        for name, arg in kwargs.items():
            self.tag(arg, lambda k, name=name: (f"{name}[0][{k}]",))

    def pre_hook(self, module: Any, args: Any, kwargs: Any) -> None:
        self.inbound.setdefault(self.top[id(module)], []).append(self.tags_of((args, kwargs)))

    def hook(self, module: Any, args: Any, kwargs: Any, output: Any) -> None:
        name = self.top[id(module)]
        call = self.calls.get(id(module), 0)
        self.calls[id(module)] = call + 1
        self.tag(output, lambda k: (f"{name}[{call}][{k}]",))

    def mode(self) -> Any:
        from torch.overrides import TorchFunctionMode

        flow = self

        class _Propagate(TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
                if kwargs:
                    out = func(*args, **kwargs)
                else:
                    out = func(*args)
                    if func.__class__ is _WRAPPER:  # attribute reads: .shape, .dtype, ...
                        return out
                tags = flow.tags_of((args, kwargs) if kwargs else args)
                if tags:
                    flow.tag(out, lambda k: tags)
                return out

        return _Propagate()

    def connections(self) -> dict[str, tuple[str, ...]]:
        """Each layer's inbound tags over all its calls, in call order."""
        return {name: tuple(t for call in calls for t in call) for name, calls in self.inbound.items()}

    def sequential_like(self) -> bool:
        """Keras's rule for torch: no shared layer, no layer fed by several, no branching."""
        consumers: dict[str, int] = {}
        for calls in self.inbound.values():
            if len(calls) > 1:
                return False
            for tags in calls:
                if len(tags) > 1:
                    return False
                for t in tags:  # per producing call: "split[0][1]" counts for "split[0]"
                    key = t.rsplit("[", 1)[0]
                    consumers[key] = consumers.get(key, 0) + 1
        return all(n <= 1 for n in consumers.values())
