# SPDX-License-Identifier: Apache-2.0
"""TensorFlow backend of ``replicate``: replicas under ``tf.device`` scopes, merged by ``tf.concat``.

The model is a Keras model, a ``tf.Module`` or any callable of tensors. Each part of the batch
is sliced, run under ``tf.device(<replica device>)`` (the template's variables are shared, as
in Keras 2's ``multi_gpu_model``), and the outputs are concatenated under
``tf.device(<merge device>)``. Everything is ordinary TensorFlow, so it is differentiable under
``tf.GradientTape`` and works inside a ``tf.function``.
"""

from __future__ import annotations

import sys
from typing import Any

import tensorflow as tf

from cornu_parallel._split import merge_outputs, split_inputs
from cornu_parallel.replica import ReplicatedModel

__all__ = ["TensorFlowReplicatedModel", "make_replicated", "owns"]


def owns(model: Any) -> bool:
    """True for a ``tf.Module`` or any TensorFlow-tracked object (Keras models on TF)."""
    return isinstance(model, (tf.Module, tf.__internal__.tracking.AutoTrackable))


def native(name: str) -> str:
    """TensorFlow's device string for a cornu device name (``"/device:GPU:1"``)."""
    from cornu_device import to_native

    return str(to_native(name, backend="tensorflow"))


class TensorFlowReplicatedModel(ReplicatedModel):
    """A TensorFlow model replicated under ``tf.device`` scopes; see :func:`replicate`."""

    backend = "tensorflow"

    def __init__(self, model: Any, devices: list[str], merge_device: str) -> None:
        super().__init__(model, devices, merge_device)
        object.__setattr__(self, "_native", [native(d) for d in devices])
        object.__setattr__(self, "_merge", native(merge_device))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        outs = []
        for k, a, kw in split_inputs(args, kwargs, len(self.devices)):
            with tf.device(self._native[k]):
                outs.append(self._model(*a, **kw))
        return merge_outputs(outs, self._concat)

    def _concat(self, column: list[Any]) -> Any:
        with tf.device(self._merge):
            if len(column) == 1:
                return tf.identity(column[0])
            return tf.concat(column, axis=0)

    def _variables(self) -> list[Any]:
        weights = getattr(self._model, "weights", None)
        if weights is not None:
            return list(weights)
        variables = getattr(self._model, "variables", None)
        if variables is None:
            msg = f"This model has no variables. Received: model={self._model!r}"
            raise ValueError(msg)
        return list(variables)

    def get_weights(self) -> list[Any]:
        """The template's weights as NumPy arrays (its own ``get_weights`` when it has one)."""
        getter = getattr(self._model, "get_weights", None)
        if getter is not None:
            return list(getter())
        return [v.numpy() for v in self._variables()]

    def set_weights(self, weights: list[Any]) -> None:
        """Assign NumPy arrays, in :meth:`get_weights` order, to the template's variables."""
        setter = getattr(self._model, "set_weights", None)
        if setter is not None:
            setter(weights)
            return
        variables = self._variables()
        if len(weights) != len(variables):
            msg = f"`weights` must hold {len(variables)} arrays. Received: weights of length {len(weights)}"
            raise ValueError(msg)
        for v, w in zip(variables, weights):
            v.assign(w)


def _device_of(variable: Any) -> str:
    """A variable's device; Keras 3 variables keep theirs on the tf.Variable in ``.value``."""
    device = getattr(variable, "device", None)
    if device is None:
        device = getattr(getattr(variable, "value", None), "device", None)
    return device or "/device:CPU:0"


def _relocated(model: Any) -> Any:
    """The template with its weights on ``/cpu:0``: itself when already there, else a clone."""
    variables = list(getattr(model, "weights", None) or getattr(model, "variables", ()) or ())
    if all("CPU" in _device_of(v).upper() for v in variables):
        return model
    root = sys.modules.get(type(model).__module__.split(".")[0])
    clone_model = getattr(getattr(root, "models", None), "clone_model", None)
    if clone_model is None or not hasattr(model, "get_weights"):
        msg = (
            "`relocate=True` (cpu_relocation) needs a Keras model, which can be cloned under "
            "/cpu:0, or a model whose variables are already on the CPU. Received: "
            f"model={type(model).__name__} with variables on {sorted({_device_of(v) for v in variables})}"
        )
        raise ValueError(msg)
    with tf.device("/cpu:0"):
        clone = clone_model(model)
        clone.set_weights(model.get_weights())
    return clone


def make_replicated(model: Any, devices: list[str], merge_device: str, relocate: bool) -> TensorFlowReplicatedModel:
    """Build the replicated model; ``relocate`` builds the template's weights on the CPU."""
    if not callable(model):
        msg = f"`model` must be a Keras model, a tf.Module or a callable on tensorflow. Received: model={model!r}"
        raise ValueError(msg)
    if relocate:
        model = _relocated(model)
    return TensorFlowReplicatedModel(model, devices, merge_device)


# --- distributed: tf.distribute.MultiWorkerMirroredStrategy from TF_CONFIG ---

_strategy: list[Any] = []


def initialize_engine(info: Any, timeout: float) -> None:
    """Create the ``MultiWorkerMirroredStrategy`` (it reads ``TF_CONFIG``) with a timeout."""
    if info.world_size > 1 and info.tf_config is None:
        msg = (
            "TensorFlow's MultiWorkerMirroredStrategy needs every worker's address in TF_CONFIG "
            '({"cluster": {"worker": ["host:port", ...]}, "task": {"type": "worker", "index": i}}). '
            f"Received: TF_CONFIG unset, world_size={info.world_size}"
        )
        raise ValueError(msg)
    if info.tf_config is not None and (info.rank, info.world_size) != (
        info.tf_config["index"],
        len(info.tf_config["workers"]),
    ):
        msg = (
            "`rank`/`world_size` disagree with TF_CONFIG, which TensorFlow follows. Received: "
            f"rank={info.rank}, world_size={info.world_size}, TF_CONFIG index="
            f"{info.tf_config['index']} of {len(info.tf_config['workers'])} workers"
        )
        raise ValueError(msg)
    options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=timeout)
    _strategy[:] = [tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)]


def _get() -> Any:
    return _strategy[0]


def engine_rank() -> int:
    resolver = _get().cluster_resolver
    return int(resolver.task_id or 0) if resolver is not None else 0


def engine_world_size() -> int:
    resolver = _get().cluster_resolver
    if resolver is None:
        return 1
    spec = resolver.cluster_spec().as_dict()
    return max(1, len(spec.get("worker", [])) + len(spec.get("chief", [])))


def engine_barrier() -> None:
    """An all-reduce of one scalar: it returns only when every worker has joined it."""
    strategy = _get()
    strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(lambda: tf.constant(1.0)), axis=None)


def engine_shutdown() -> None:
    _strategy.clear()


def engine_scope() -> Any:
    return _get().scope()


class TensorFlowDistributedModel(TensorFlowReplicatedModel):
    """A model whose variables are mirrored by the strategy; saving goes to the template."""

    def __init__(self, model: Any, strategy: Any) -> None:
        super().__init__(model, ["cpu:0"], "cpu:0")
        object.__setattr__(self, "strategy", strategy)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._model(*args, **kwargs)

    def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """``strategy.run(fn, args, kwargs)``: ``fn`` on this worker's replica, with this
        worker's part of the batch; inside it, ``tf.distribute.get_replica_context()``
        all-reduces gradients across workers."""
        return self.strategy.run(fn, args=args, kwargs=kwargs)


def engine_wrap(model: Any) -> TensorFlowDistributedModel:
    """A model built under the strategy's scope, or a zero-argument builder called there."""
    import inspect

    strategy = _get()
    if callable(model) and not owns(model):
        try:
            inspect.signature(model).bind()
        except (TypeError, ValueError):
            msg = (
                "`model` must be a TensorFlow model built under cornu_parallel.distributed.scope(), "
                f"or a zero-argument function that builds one. Received: model={model!r}"
            )
            raise ValueError(msg) from None
        with strategy.scope():
            model = model()
    variables = list(getattr(model, "variables", ()) or ())
    outside = [v.name for v in variables if not strategy.extended.variable_created_in_scope(v)]
    if outside:
        msg = (
            "The model's variables were made outside the strategy's scope, so they would not be "
            "mirrored: build it under cornu_parallel.distributed.scope() or pass a function that "
            f"builds it. Received: variables outside the scope={outside[:5]}"
        )
        raise ValueError(msg)
    return TensorFlowDistributedModel(model, strategy)
