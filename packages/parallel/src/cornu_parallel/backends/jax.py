# SPDX-License-Identifier: Apache-2.0
"""JAX backend of ``replicate``: one ``jax.jit`` over a device mesh with the batch sharded.

The model is ``(apply, params)`` called as ``apply(params, *inputs)`` (or a plain function of
the inputs). The params are replicated over a 1-D mesh of the devices and every input is
sharded along axis 0 with ``jax.sharding.NamedSharding``. When the batch divides evenly the
parts are exactly Keras 2's; when it does not, each part is laid out in a padded slot (padding
rows copy a real row of the same part, so no NaN or inf can leak into gradients) and only the
real rows are kept — so device ``k`` still computes exactly Keras 2's part ``k``.
``rep.apply(params, *inputs)`` is differentiable (``jax.grad`` through it gives the
single-device gradient).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from cornu_parallel._split import batch_size, is_batch_leaf, map_structure, merge_outputs, split_sizes
from cornu_parallel.replica import ReplicatedModel

__all__ = ["JaxReplicatedModel", "make_replicated", "owns"]

_TRACER = getattr(jax.core, "Tracer", ())  # traced params (under jit/grad) are never cached


def _is_nnx(model: Any) -> bool:
    cls = type(model)
    return any(c.__module__.startswith("flax.nnx") and c.__name__ == "Module" for c in cls.__mro__)


def owns(model: Any) -> bool:
    """True for ``(apply, params)`` whose params hold JAX arrays, or a Flax NNX module."""
    if _is_nnx(model):
        return True
    if isinstance(model, tuple) and len(model) == 2 and callable(model[0]):
        return any(isinstance(leaf, jax.Array) for leaf in jax.tree_util.tree_leaves(model[1]))
    return False


def native(name: str) -> Any:
    """The ``jax.Device`` of a cornu device name."""
    from cornu_device import to_native

    return to_native(name, backend="jax")


def _layout(batch: int, parts: int) -> tuple[np.ndarray | None, np.ndarray | None, int]:
    """Gather indices into the padded, evenly shardable batch, and the rows to keep after.

    Returns ``(take, keep, slot)``; ``take``/``keep`` are None when the batch divides evenly.
    """
    sizes = split_sizes(batch, parts)
    slot = max(sizes)
    if batch % parts == 0:
        return None, None, slot
    take, keep, start = [], [], 0
    for k, size in enumerate(sizes):
        rows = list(range(start, start + size))
        filler = rows[-1] if rows else (start - 1 if start > 0 else 0)
        take.extend(rows + [filler] * (slot - size))
        keep.extend(range(k * slot, k * slot + size))
        start += size
    return np.asarray(take, dtype=np.int32), np.asarray(keep, dtype=np.int32), slot


class JaxReplicatedModel(ReplicatedModel):
    """``apply(params, *inputs)`` jitted over a mesh of devices; see :func:`replicate`."""

    backend = "jax"

    def __init__(self, model: Any, devices: list[str], merge_device: str, relocate: bool) -> None:
        super().__init__(model, devices, merge_device)
        from jax.sharding import Mesh, NamedSharding, PartitionSpec

        nnx_graph = None
        if _is_nnx(model):
            from flax import nnx

            nnx_graph, params = nnx.split(model)
            fn = self._nnx_apply
            has_params = True
        elif isinstance(model, tuple) and len(model) == 2 and callable(model[0]):
            fn, params, has_params = model[0], model[1], True
        elif callable(model):
            fn, params, has_params = model, None, False
        else:
            msg = (
                "`model` must be a pair (apply, params) called as apply(params, *inputs), a "
                f"function of the inputs, or a Flax NNX module on jax. Received: model={model!r}"
            )
            raise ValueError(msg)
        if relocate and has_params:
            params = jax.device_put(params, native("cpu:0"))
        devs = [native(d) for d in devices]
        mesh = Mesh(np.asarray(devs), ("batch",))
        state = {
            "_nnx_graph": nnx_graph,
            "_fn": fn,
            "_params": params,
            "_has_params": has_params,
            "_mesh": mesh,
            "_sharded": NamedSharding(mesh, PartitionSpec("batch")),
            "_replicated": NamedSharding(mesh, PartitionSpec()),
            "_merge": native(merge_device),
            "_jitted": jax.jit(self._run),
            "_placed": None,
        }
        for k, v in state.items():
            object.__setattr__(self, k, v)

    def _nnx_apply(self, state: Any, *args: Any, **kwargs: Any) -> Any:
        from flax import nnx

        return nnx.merge(self._nnx_graph, state)(*args, **kwargs)

    def _run(self, params: Any, args: tuple, kwargs: dict) -> Any:
        if self._has_params:
            return self._fn(params, *args, **kwargs)
        return self._fn(*args, **kwargs)

    @property
    def model(self) -> Any:
        """The template: ``(apply, params)`` with the current params (or the NNX module)."""
        if self._nnx_graph is not None:
            from flax import nnx

            return nnx.merge(self._nnx_graph, self._params)
        return (self._fn, self._params) if self._has_params else self._fn

    @property
    def sharding(self) -> Any:
        """The batch's ``NamedSharding`` over the mesh: ``jax.device_put(x, rep.sharding)``
        puts a batch in place ahead of a ``jax.jit`` around ``rep.apply`` (saving a copy)."""
        return self._sharded

    @property
    def params(self) -> Any:
        """The template's params; assign new ones after an optimizer step."""
        return self._params

    @params.setter
    def params(self, value: Any) -> None:
        object.__setattr__(self, "_params", value)

    def apply(self, params: Any, *args: Any, **kwargs: Any) -> Any:
        """Run with explicit ``params`` — the differentiable form (``jax.grad`` through it)."""
        parts = len(self.devices)
        batch = batch_size(args, kwargs)
        take, keep, _ = _layout(batch, parts)

        def place(x: Any) -> Any:
            if not is_batch_leaf(x):
                return x
            if take is not None:
                x = x[take] if isinstance(x, jax.Array) else np.asarray(x)[take]
            if isinstance(x, _TRACER):  # inside the caller's jit/grad: a sharding constraint
                return jax.lax.with_sharding_constraint(x, self._sharded)
            return jax.device_put(x, self._sharded)

        args_s, kwargs_s = map_structure(place, (args, kwargs))
        if self._has_params:
            params = self._replicate_params(params)
        out = self._jitted(params, args_s, kwargs_s)

        def finish(y: Any) -> Any:
            if y is None:
                return None
            if keep is not None:
                y = y[keep]
            return jax.device_put(y, self._merge)

        merge_outputs([out], None)  # every output must have a batch axis
        return map_structure(finish, out)

    def _replicate_params(self, params: Any) -> Any:
        """Params on every mesh device; the template's copy is made once until it changes."""
        cached = self._placed
        if cached is not None and cached[0] is params:
            return cached[1]
        if any(isinstance(leaf, _TRACER) for leaf in jax.tree_util.tree_leaves(params)):
            return jax.tree_util.tree_map(
                lambda leaf: jax.lax.with_sharding_constraint(leaf, self._replicated)
                if isinstance(leaf, _TRACER)
                else jax.device_put(leaf, self._replicated),
                params,
            )
        placed = jax.device_put(params, self._replicated)
        if params is self._params:
            object.__setattr__(self, "_placed", (params, placed))
        return placed

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.apply(self._params, *args, **kwargs)

    def get_weights(self) -> list[np.ndarray]:
        """The params' leaves as NumPy arrays (``jax.tree_util`` order)."""
        return [np.asarray(leaf) for leaf in jax.tree_util.tree_leaves(self._params)]

    def set_weights(self, weights: list[Any]) -> None:
        """Replace the params' leaves (same order and shapes as :meth:`get_weights`)."""
        leaves, treedef = jax.tree_util.tree_flatten(self._params)
        if len(weights) != len(leaves):
            msg = f"`weights` must hold {len(leaves)} arrays. Received: weights of length {len(weights)}"
            raise ValueError(msg)
        new = [jnp.asarray(w, dtype=old.dtype).reshape(old.shape) for old, w in zip(leaves, weights)]
        self.params = jax.tree_util.tree_unflatten(treedef, new)

    def state_dict(self) -> Any:
        """The params pytree (what a single-device ``apply`` takes)."""
        return self._params

    def load_state_dict(self, params: Any) -> None:
        """Replace the params with a pytree of the same structure."""
        if jax.tree_util.tree_structure(params) != jax.tree_util.tree_structure(self._params):
            msg = "`params` must have the template's tree structure. Received: params=" + repr(
                jax.tree_util.tree_structure(params)
            )
            raise ValueError(msg)
        self.params = params


def make_replicated(model: Any, devices: list[str], merge_device: str, relocate: bool) -> JaxReplicatedModel:
    """Build the replicated model; ``relocate`` puts the params on ``cpu:0`` first."""
    return JaxReplicatedModel(model, devices, merge_device, relocate)


# --- distributed: jax.distributed and one jit over every process's devices ---


def initialize_engine(info: Any, timeout: float) -> None:
    """``jax.distributed.initialize`` at the coordinator (gloo collectives for CPU devices)."""
    if info.world_size == 1:
        return  # one process: nothing to coordinate, jax.process_count() is already 1
    try:
        jax.config.update("jax_cpu_collectives_implementation", "gloo")
    except (AttributeError, ValueError):  # older JAX: CPU collectives are not configurable
        pass
    jax.distributed.initialize(
        coordinator_address=info.address,
        num_processes=info.world_size,
        process_id=info.rank,
        initialization_timeout=max(1, int(timeout)),
    )


def engine_rank() -> int:
    return jax.process_index()


def engine_world_size() -> int:
    return jax.process_count()


def engine_barrier() -> None:
    from jax.experimental import multihost_utils

    multihost_utils.sync_global_devices("cornu_parallel.distributed.barrier")


def engine_shutdown() -> None:
    if jax.process_count() > 1:
        jax.distributed.shutdown()


class JaxDistributedFunction:
    """``fn(state, *batch)`` as one ``jax.jit`` over every process's devices.

    ``state`` (params, optimizer state ...) is the same on every process; each batch array is
    this process's part, and the parts of all processes, in rank order, form the global batch
    sharded along axis 0 over the global mesh. Outputs that are replicated (a loss, new params,
    gradients) come back usable on every process.
    """

    def __init__(self, fn: Any) -> None:
        from jax.sharding import Mesh, NamedSharding, PartitionSpec

        self.fn = fn
        self.mesh = Mesh(np.asarray(jax.devices()), ("batch",))
        self.sharding = NamedSharding(self.mesh, PartitionSpec("batch"))
        self._jitted = jax.jit(fn)

    def globalize(self, local: Any) -> Any:
        """This process's part of a batch as the global array (every batch leaf)."""

        def one(x: Any) -> Any:
            if not is_batch_leaf(x):
                return x
            return jax.make_array_from_process_local_data(self.sharding, np.asarray(x))

        return map_structure(one, local)

    def __call__(self, state: Any, *batch: Any, **kwargs: Any) -> Any:
        return self._jitted(state, *self.globalize(batch), **self.globalize(kwargs))


class JaxDistributedModel(ReplicatedModel):
    """``(apply, params)`` over every process's devices; ``params`` is the template."""

    backend = "jax"

    def __init__(self, apply: Any, params: Any) -> None:
        super().__init__((apply, params), ["cpu:0"], "cpu:0")
        object.__setattr__(self, "_params", params)
        object.__setattr__(self, "apply", JaxDistributedFunction(apply))

    model = JaxReplicatedModel.model
    params = JaxReplicatedModel.params
    get_weights = JaxReplicatedModel.get_weights
    set_weights = JaxReplicatedModel.set_weights
    state_dict = JaxReplicatedModel.state_dict
    load_state_dict = JaxReplicatedModel.load_state_dict
    _nnx_graph = None
    _has_params = True

    @property
    def _fn(self) -> Any:
        return self.apply.fn

    def __call__(self, *local_inputs: Any, **kwargs: Any) -> Any:
        return self.apply(self._params, *local_inputs, **kwargs)


def engine_wrap(model: Any) -> Any:
    """``(apply, params)`` -> :class:`JaxDistributedModel`; ``fn(state, *batch)`` -> jitted."""
    if isinstance(model, tuple) and len(model) == 2 and callable(model[0]):
        return JaxDistributedModel(model[0], model[1])
    if callable(model):
        return JaxDistributedFunction(model)
    msg = f"`model` must be (apply, params) or a function fn(state, *batch) on jax. Received: model={model!r}"
    raise ValueError(msg)
