# SPDX-License-Identifier: Apache-2.0
"""torch backend of ``replicate``: any ``nn.Module`` (or callable of tensors).

On accelerators, when the template's parameters sit on the first replica's device, replicas are
made and run by torch's own ``torch.nn.parallel.replicate`` / ``parallel_apply`` and merged by
``gather`` (as ``DataParallel`` does, but with Keras 2's split). Otherwise (CPU devices, or a
template relocated to the CPU) each part runs the template itself on its device — with the
parameters copied there through autograd (``torch.func.functional_call``) when they live
elsewhere — so gradients always flow back to the template's parameters and a normal optimizer
step on the template trains it.
"""

from __future__ import annotations

from typing import Any

import torch

from cornu_parallel._split import map_structure, merge_outputs, split_inputs
from cornu_parallel.replica import ReplicatedModel

__all__ = ["TorchReplicatedModel", "make_replicated", "owns"]


def owns(model: Any) -> bool:
    """True for a ``torch.nn.Module``."""
    return isinstance(model, torch.nn.Module)


def native(name: str) -> torch.device:
    """torch's device for a cornu name (``"gpu:1"`` -> ``cuda:1``; ``"cpu:k"`` -> ``cpu``)."""
    from cornu_device import to_native

    dev = to_native(name, backend="torch")
    dev = torch.device(dev) if not isinstance(dev, torch.device) else dev
    return torch.device("cpu") if dev.type == "cpu" else dev


def _same(a: torch.device, b: torch.device) -> bool:
    return a.type == b.type and (a.index or 0) == (b.index or 0)


def _to(structure: Any, dev: torch.device) -> Any:
    def move(x: Any) -> Any:
        if isinstance(x, torch.Tensor) and not _same(x.device, dev):
            return x.to(dev, non_blocking=True)
        return x

    if type(structure) is tuple and all(isinstance(x, torch.Tensor) for x in structure):
        return tuple(move(x) for x in structure)  # model(x, ...): no structure walk
    return map_structure(move, structure)


class TorchReplicatedModel(ReplicatedModel):
    """An ``nn.Module`` replicated over torch devices; see :func:`cornu_parallel.replicate`."""

    backend = "torch"

    def __init__(self, model: Any, devices: list[str], merge_device: str) -> None:
        super().__init__(model, devices, merge_device)
        object.__setattr__(self, "_native", [native(d) for d in devices])
        object.__setattr__(self, "_merge", native(merge_device))

    def _state_device(self) -> torch.device | None:
        if not isinstance(self._model, torch.nn.Module):
            return None
        for t in self._model.parameters():
            return t.device
        for t in self._model.buffers():
            return t.device
        return None

    def _torch_parallel(self, run: list[int], home: torch.device | None) -> bool:
        """Whether torch's replicate/parallel_apply can run these replicas."""
        devs = [self._native[k] for k in run]
        return (
            isinstance(self._model, torch.nn.Module)
            and len(run) > 1
            and all(d.type == "cuda" for d in devs)
            and len({d.index for d in devs}) == len(devs)
            and home is not None
            and _same(home, devs[0])
        )

    def _call_on(self, dev: torch.device, home: torch.device | None, args: tuple, kwargs: dict) -> Any:
        if home is None or _same(home, dev):
            return self._model(*args, **kwargs)
        state = {
            name: t.to(dev)
            for name, t in list(self._model.named_parameters()) + list(self._model.named_buffers())
        }
        return torch.func.functional_call(self._model, state, args, kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        parts = split_inputs(args, kwargs, len(self.devices))
        run = [k for k, _, _ in parts]
        home = self._state_device()  # once per call: it walks the module tree
        if self._torch_parallel(run, home):
            from torch.nn.parallel import parallel_apply
            from torch.nn.parallel import replicate as torch_replicate

            devs = [self._native[k] for k in run]
            replicas = torch_replicate(self._model, devs, detach=not torch.is_grad_enabled())
            inputs = [_to(a, d) for (_, a, _), d in zip(parts, devs)]
            kwargs_tup = [_to(kw, d) for (_, _, kw), d in zip(parts, devs)]
            outs = parallel_apply(replicas, inputs, kwargs_tup, devs)
        else:
            outs = []
            for k, a, kw in parts:
                dev = self._native[k]
                outs.append(self._call_on(dev, home, _to(a, dev), _to(kw, dev) if kw else kw))
        return merge_outputs(outs, self._concat)

    def _concat(self, column: list[Any]) -> torch.Tensor:
        merge = self._merge
        if merge.type == "cuda" and all(c.device.type == "cuda" for c in column) and len(column) > 1:
            from torch.nn.parallel import gather

            return gather(column, merge, dim=0)
        moved = [c if _same(c.device, merge) else c.to(merge) for c in column]
        return moved[0] if len(moved) == 1 else torch.cat(moved, dim=0)

    def get_weights(self) -> list[Any]:
        """The template's ``state_dict`` values as NumPy arrays, in order (Keras style)."""
        return [t.detach().cpu().numpy() for t in self._template_state().values()]

    def set_weights(self, weights: list[Any]) -> None:
        """Load NumPy arrays in :meth:`get_weights` order into the template."""
        state = self._template_state()
        if len(weights) != len(state):
            msg = f"`weights` must hold {len(state)} arrays. Received: weights of length {len(weights)}"
            raise ValueError(msg)
        new = {k: torch.as_tensor(w).to(dtype=v.dtype) for (k, v), w in zip(state.items(), weights)}
        self._model.load_state_dict(new)

    def _template_state(self) -> dict[str, Any]:
        if not isinstance(self._model, torch.nn.Module):
            msg = f"Only an nn.Module has weights. Received: model={self._model!r}"
            raise ValueError(msg)
        return self._model.state_dict()


def make_replicated(model: Any, devices: list[str], merge_device: str, relocate: bool) -> TorchReplicatedModel:
    """Build the replicated model; ``relocate`` moves the template's weights to the CPU."""
    if not callable(model):
        msg = f"`model` must be an nn.Module or a callable of tensors on torch. Received: model={model!r}"
        raise ValueError(msg)
    if relocate and isinstance(model, torch.nn.Module):
        model.to("cpu")
    return TorchReplicatedModel(model, devices, merge_device)


# --- distributed: torch.distributed (gloo on CPU, NCCL on GPUs) and DistributedDataParallel ---


class TorchDistributedModel(TorchReplicatedModel):
    """``DistributedDataParallel`` around the template; weights and saving go to the template."""

    def __init__(self, model: torch.nn.Module, ddp: Any, device: str) -> None:
        super().__init__(model, [device], device)
        object.__setattr__(self, "_ddp", ddp)

    @property
    def ddp(self) -> Any:
        """The ``DistributedDataParallel`` module itself."""
        return self._ddp

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._ddp(*args, **kwargs)


def initialize_engine(info: Any, timeout: float) -> None:
    """``init_process_group`` over TCP at the coordinator (gloo, or NCCL when CUDA is there)."""
    import datetime
    import os

    import torch.distributed as dist

    if dist.is_initialized():
        if (dist.get_rank(), dist.get_world_size()) != (info.rank, info.world_size):
            msg = (
                f"torch.distributed is already running as rank {dist.get_rank()} of "
                f"{dist.get_world_size()}. Received: rank={info.rank}, world_size={info.world_size}"
            )
            raise RuntimeError(msg)
        return
    use_nccl = torch.cuda.is_available() and dist.is_nccl_available()
    dist.init_process_group(
        "nccl" if use_nccl else "gloo",
        init_method=f"tcp://{info.address}",
        rank=info.rank,
        world_size=info.world_size,
        timeout=datetime.timedelta(seconds=timeout),
    )
    if use_nccl:
        local = int(os.environ.get("LOCAL_RANK", info.rank % torch.cuda.device_count()))
        torch.cuda.set_device(local)


def engine_rank() -> int:
    import torch.distributed as dist

    return dist.get_rank()


def engine_world_size() -> int:
    import torch.distributed as dist

    return dist.get_world_size()


def engine_barrier() -> None:
    import torch.distributed as dist

    dist.barrier()


def engine_shutdown() -> None:
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()


def engine_wrap(model: Any) -> TorchDistributedModel:
    """``DistributedDataParallel(model)`` on the device holding its parameters."""
    from torch.nn.parallel import DistributedDataParallel

    if not isinstance(model, torch.nn.Module):
        msg = f"`model` must be a torch.nn.Module to wrap in DistributedDataParallel. Received: model={model!r}"
        raise ValueError(msg)
    home = next(iter(model.parameters()), torch.zeros(())).device
    if home.type == "cuda":
        ddp = DistributedDataParallel(model, device_ids=[home.index])
        return TorchDistributedModel(model, ddp, f"gpu:{home.index}")
    return TorchDistributedModel(model, DistributedDataParallel(model), "cpu:0")
