# SPDX-License-Identifier: Apache-2.0
"""NumPy backend: the reference semantics — split, run each part, concatenate, all on the CPU.

The model is a callable ``fn(*inputs)`` or a pair ``(apply, params)`` called as
``apply(params, *inputs)``. NumPy has one device, so a device list may repeat ``"cpu:0"`` to run
several replicas on it (the results are the same as one call; this is what the other backends
are checked against).
"""

from __future__ import annotations

from typing import Any

from cornu_parallel._split import map_structure, merge_outputs, split_inputs
from cornu_parallel.replica import ReplicatedModel

__all__ = ["NumpyReplicatedModel", "make_replicated", "owns"]


def owns(model: Any) -> bool:
    """NumPy never claims a model by its type; it is the backend of plain callables."""
    return False


def _unpack(model: Any) -> tuple[Any, Any, bool]:
    """``(fn, params, has_params)`` of a callable or an ``(apply, params)`` pair."""
    if isinstance(model, tuple) and len(model) == 2 and callable(model[0]) and not callable(model[1]):
        return model[0], model[1], True
    if callable(model):
        return model, None, False
    msg = (
        "`model` must be a callable or a pair (apply, params) called as apply(params, *inputs) "
        f"on the numpy backend. Received: model={model!r}"
    )
    raise ValueError(msg)


class NumpyReplicatedModel(ReplicatedModel):
    """A callable run part by part on the CPU; see :func:`cornu_parallel.replicate`."""

    backend = "numpy"

    def __init__(self, model: Any, devices: list[str], merge_device: str) -> None:
        super().__init__(model, devices, merge_device)
        fn, params, has_params = _unpack(model)
        object.__setattr__(self, "_fn", fn)
        object.__setattr__(self, "_params", params)
        object.__setattr__(self, "_has_params", has_params)

    @property
    def model(self) -> Any:
        """The template: the callable, or ``(apply, params)`` with the current params."""
        return (self._fn, self._params) if self._has_params else self._fn

    @property
    def params(self) -> Any:
        """The template's params (``None`` for a plain callable); assign to update them."""
        return self._params

    @params.setter
    def params(self, value: Any) -> None:
        object.__setattr__(self, "_params", value)

    def apply(self, params: Any, *args: Any, **kwargs: Any) -> Any:
        """Run with explicit ``params`` (the functional form, for gradients by hand)."""
        import numpy as np

        parts = split_inputs(args, kwargs, len(self.devices))
        outs = []
        for _, a, k in parts:
            outs.append(self._fn(params, *a, **k) if self._has_params else self._fn(*a, **k))
        return merge_outputs(outs, lambda column: np.concatenate([np.asarray(c) for c in column]))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.apply(self._params, *args, **kwargs)

    def get_weights(self) -> list[Any]:
        """The template's weights as a list of arrays (params leaves, or its own get_weights)."""
        import numpy as np

        if self._has_params:
            leaves: list[Any] = []
            map_structure(leaves.append, self._params)
            return [np.array(leaf) for leaf in leaves]
        getter = getattr(self._fn, "get_weights", None)
        return list(getter()) if getter is not None else []

    def set_weights(self, weights: list[Any]) -> None:
        """Replace the template's weights (same order and shapes as :meth:`get_weights`)."""
        import numpy as np

        if not self._has_params:
            setter = getattr(self._fn, "set_weights", None)
            if setter is None:
                msg = "This model has no weights to set. Received: weights of length " + str(len(weights))
                raise ValueError(msg)
            setter(weights)
            return
        it = iter(weights)
        count = len(self.get_weights())
        if len(weights) != count:
            msg = f"`weights` must hold {count} arrays. Received: weights of length {len(weights)}"
            raise ValueError(msg)
        self.params = map_structure(lambda old: np.asarray(next(it)).reshape(np.shape(old)), self._params)


def make_replicated(model: Any, devices: list[str], merge_device: str, relocate: bool) -> NumpyReplicatedModel:
    """Build the replicated model; ``relocate`` is a no-op (everything is on the CPU already)."""
    return NumpyReplicatedModel(model, devices, merge_device)


# --- distributed: NumPy has no collective engine, so only a world of one process runs. ---


def initialize_engine(info: Any, timeout: float) -> None:
    """A world of one process only; more needs a framework's engine."""
    if info.world_size != 1:
        msg = (
            "The numpy backend has no collective engine, so cornu_parallel.distributed runs only "
            "a world of one process on it; set CORNU_BACKEND to torch, jax or tensorflow. "
            f"Received: world_size={info.world_size}"
        )
        raise ValueError(msg)


def engine_rank() -> int:
    return 0


def engine_world_size() -> int:
    return 1


def engine_barrier() -> None:
    """Nothing to wait for in a world of one."""


def engine_shutdown() -> None:
    """Nothing to stop."""


def engine_wrap(model: Any) -> Any:
    msg = (
        "The numpy backend has no data-parallel training engine to wrap a model in; set "
        f"CORNU_BACKEND to torch, jax or tensorflow. Received: model={type(model).__name__}"
    )
    raise ValueError(msg)
