# SPDX-License-Identifier: Apache-2.0
"""``replicate`` and Keras 2's ``multi_gpu_model`` over every backend."""

from __future__ import annotations

import sys
from typing import Any

from cornu_config import backend as configured_backend
from cornu_config import filter_traceback
from cornu_parallel import _devices
from cornu_parallel.backends import load
from cornu_parallel.replica import ReplicatedModel

__all__ = ["model_backend", "multi_gpu_model", "replicate"]


def model_backend(model: Any) -> str:
    """The backend a model belongs to: its own framework first, else the configured backend.

    A ``torch.nn.Module`` is torch's; a ``tf.Module`` or Keras-on-TensorFlow model is
    TensorFlow's; an ``(apply, params)`` pair holding JAX arrays (or a Flax NNX module) is JAX's.
    A plain callable follows ``cornu_config.backend()``.

    Example:
        >>> from cornu_parallel import model_backend
        >>> model_backend(lambda x: x) in ("numpy", "torch", "jax", "tensorflow")
        True
    """
    for name in ("torch", "tensorflow", "jax"):
        if name in sys.modules and load(name).owns(model):
            return name
    return configured_backend()


@filter_traceback
def replicate(
    model: Any,
    devices: Any = None,
    merge_device: Any = "cpu:0",
    relocate: bool = False,
) -> ReplicatedModel:
    """Replicate ``model`` over ``devices``: split each batch, run a replica per device, merge.

    Every input array (positional or keyword, inside tuples, lists and dicts too) is cut along
    axis 0 into contiguous parts, one per device, the last taking the remainder (Keras 2's rule:
    a batch of 10 over 3 devices is 3 + 3 + 4; a batch of 3 over 4 devices leaves the first three
    replicas idle). Outputs (an array, a tuple/list, a dict) are concatenated in replica order
    on ``merge_device``, so they equal the single-device model's. Gradients reach the template's
    weights, and the returned object delegates everything else — ``state_dict``,
    ``load_state_dict``, ``save``, ``save_weights``, ``parameters``, ``trainable_variables`` — to
    the template, so weights saved from it load into the single-device model unchanged.

    Per backend: torch takes any ``nn.Module`` (``torch.nn.parallel.replicate`` /
    ``parallel_apply`` / ``gather`` on accelerators, the same split/apply/merge on CPU); JAX takes
    ``(apply, params)`` called as ``apply(params, *inputs)`` and runs it as one ``jax.jit`` over
    a device mesh with the batch sharded (``rep.apply`` is differentiable, ``rep.params`` the
    template weights); TensorFlow takes a Keras model, a ``tf.Module`` or a callable and runs
    replicas under ``tf.device`` scopes (differentiable under ``tf.GradientTape``); NumPy takes a
    callable or ``(apply, params)`` and runs parts one after another on the CPU.

    Args:
        model: the template model (see above for what each backend takes).
        devices: device names in cornu's grammar (``"cpu:0"``, ``"gpu:1"``, ``"/device:GPU:1"``);
            ``None`` means every accelerator the backend has, or else its CPU devices (JAX's and
            TensorFlow's virtual CPU devices included). torch, TensorFlow and NumPy accept a
            repeated device (several replicas on one device); JAX needs distinct devices.
        merge_device: where outputs are concatenated; ``None`` keeps them on the first
            replica's device.
        relocate: put the template's weights on the CPU first (Keras 2's ``cpu_relocation``):
            torch moves the module, JAX the params; TensorFlow clones a Keras model under
            ``/cpu:0`` with the same weights (then ``rep.model`` is that clone).

    Returns:
        A :class:`ReplicatedModel`: call it like the model; ``.model`` is the template.

    Raises:
        ValueError: an unknown or missing device, a malformed name, a repeated device on JAX,
            a model the backend cannot run, or at call time inputs whose batch sizes differ.

    Example:
        >>> import numpy as np
        >>> from cornu_parallel import replicate
        >>> rep = replicate(lambda x: x * 2.0)  # devices=None: every device of the backend
        >>> np.asarray(rep(np.arange(5.0))).tolist()
        [0.0, 2.0, 4.0, 6.0, 8.0]
        >>> rep.model(3.0)  # the template
        6.0
    """
    backend = model_backend(model)
    if not isinstance(relocate, bool):
        msg = f"`relocate` must be True or False. Received: relocate={relocate!r}"
        raise ValueError(msg)
    names = _devices.resolve_devices(devices, backend)
    merge = _devices.resolve_merge_device(merge_device, names, backend)
    return load(backend).make_replicated(model, names, merge, relocate)


def _keras_name(name: str) -> str:
    return "/" + name


@filter_traceback
def multi_gpu_model(
    model: Any,
    gpus: Any = None,
    cpu_merge: bool = True,
    cpu_relocation: bool = False,
) -> ReplicatedModel:
    """Keras 2's ``multi_gpu_model`` on every backend: replicate over GPUs, merge on the CPU.

    The argument rules and messages are Keras 2's: ``gpus`` is a count of at least 2 (GPUs
    ``0..gpus-1``) or a list of at least 2 GPU ids; ``None`` (or ``0``/``[]``) means every GPU
    the backend sees, which must then be at least 2; every requested GPU, and ``/cpu:0``, must
    exist. Unlike Keras 2 this is not limited to TensorFlow, and the result is a
    :class:`ReplicatedModel` (saving it saves the template). For CPU devices use
    :func:`replicate`.

    Args:
        model: the template model (as for :func:`replicate`).
        gpus: an int ≥ 2, a list of ≥ 2 GPU ids, or ``None`` for every GPU.
        cpu_merge: concatenate outputs on ``/cpu:0`` (else on the first GPU).
        cpu_relocation: build the template's weights on the CPU first.

    Returns:
        A :class:`ReplicatedModel` over ``gpu:<id>`` for each id.

    Raises:
        ValueError: fewer than 2 GPUs asked for, or a requested device that does not exist.

    Example:
        >>> from cornu_parallel import multi_gpu_model
        >>> try:
        ...     multi_gpu_model(lambda x: x, gpus=1)
        ... except ValueError as e:
        ...     print(str(e).split(".")[0])
        For multi-gpu usage to be effective, call `multi_gpu_model` with `gpus >= 2`
    """
    backend = model_backend(model)
    for arg, value in (("cpu_merge", cpu_merge), ("cpu_relocation", cpu_relocation)):
        if not isinstance(value, bool):
            msg = f"`{arg}` must be True or False. Received: {arg}={value!r}"
            raise ValueError(msg)
    if gpus is None or (isinstance(gpus, (list, tuple)) and not gpus) or (
        isinstance(gpus, int) and not isinstance(gpus, bool) and gpus == 0
    ):  # falsy: every GPU, as Keras 2
        available_gpus = [d for d in _devices.available(backend) if d.startswith("gpu:")]
        count = len(available_gpus)
        if count <= 1:
            msg = (
                "For multi-gpu usage to be effective, call `multi_gpu_model` with `gpus >= 2`. "
                f"`gpus=None` means every GPU, and this machine has {count}. Received: gpus={gpus!r}"
            )
            raise ValueError(msg)
        ids = [int(d.split(":")[1]) for d in available_gpus]
    elif isinstance(gpus, (list, tuple)):
        if len(gpus) <= 1:
            msg = (
                "For multi-gpu usage to be effective, call `multi_gpu_model` with `len(gpus) >= 2`. "
                f"Received: gpus={gpus!r}"
            )
            raise ValueError(msg)
        if not all(isinstance(g, int) and not isinstance(g, bool) and g >= 0 for g in gpus):
            msg = f"`gpus` must be an int or a list of non-negative int GPU ids. Received: gpus={gpus!r}"
            raise ValueError(msg)
        ids = list(gpus)
    elif isinstance(gpus, int) and not isinstance(gpus, bool):
        if gpus <= 1:
            msg = (
                "For multi-gpu usage to be effective, call `multi_gpu_model` with `gpus >= 2`. "
                f"Received: gpus={gpus!r}"
            )
            raise ValueError(msg)
        ids = list(range(gpus))
    else:
        msg = f"`gpus` must be an int, a list of GPU ids or None. Received: gpus={gpus!r}"
        raise ValueError(msg)
    wanted = ["cpu:0"] + [f"gpu:{i}" for i in ids]
    have = _devices.available(backend)
    if any(w not in have for w in wanted):
        msg = (
            f"To call `multi_gpu_model` with `gpus={gpus!r}`, we expect the following devices to "
            f"be available: {[_keras_name(w) for w in wanted]}. However this machine only has: "
            f"{[_keras_name(h) for h in have]}. Try reducing `gpus`. Received: gpus={gpus!r}"
        )
        raise ValueError(msg)
    return replicate(
        model,
        devices=wanted[1:],
        merge_device="cpu:0" if cpu_merge else wanted[1],
        relocate=cpu_relocation,
    )
