# SPDX-License-Identifier: Apache-2.0
"""CPU/GPU control: visible devices, thread counts and soft placement, before or after import.

Before the framework is imported, a setting goes into the environment the framework reads when
it starts. After, it goes through the framework's API where one exists. When neither can work
any more (CUDA, XLA or the TensorFlow runtime already started) the setter raises
:class:`TooLateError` instead of being silently ignored. ``device_settings()`` reports what
was asked and what the framework reads back.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import cornu_config
from cornu_device import _backends
from cornu_device._errors import TooLateError
from cornu_device._state import requests
from cornu_device.devices import forget_devices
from cornu_device.spec import _parse

__all__ = ["TooLateError", "set_num_threads", "set_soft_device_placement", "set_visible_devices"]

_INTRA_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TF_NUM_INTRAOP_THREADS")
_INTER_ENV = ("TF_NUM_INTEROP_THREADS",)
_XLA_ONE_THREAD = ("--xla_cpu_multi_thread_eigen=false", "intra_op_parallelism_threads=1")


def _hook(backend: str) -> Any:
    """The backend module when its framework is imported already (never imports one)."""
    if backend == "numpy" or _backends.FRAMEWORKS[backend] not in sys.modules:
        return None
    return _backends.load(backend)


def _visible_indices(devices: Any) -> tuple[int, ...]:
    """``()`` for CPU only, else the sorted accelerator indices."""
    msg = (
        "Argument `devices` must be 'cpu' (hide every accelerator) or a list of accelerator "
        f"indices such as [0, 1] (or names such as 'gpu:1'). Received: devices={devices!r}"
    )
    if isinstance(devices, str):
        if devices.lower() in ("cpu", "/cpu", "/device:cpu"):
            return ()
        devices = [devices]
    elif isinstance(devices, int) and not isinstance(devices, bool):
        devices = [devices]
    if not isinstance(devices, (list, tuple)):
        raise ValueError(msg)
    indices = []
    for item in devices:
        if isinstance(item, bool):
            raise ValueError(msg)
        if isinstance(item, int):
            index = item
        else:
            try:
                spec = _parse(item, "devices")
            except ValueError:
                raise ValueError(msg) from None
            if spec.type == "cpu":
                raise ValueError(msg)
            index = spec.index
        if index < 0 or index in indices:
            raise ValueError(msg)
        indices.append(index)
    return tuple(sorted(indices))


@cornu_config.filter_traceback
def set_visible_devices(devices: Any, backend: str | None = None) -> None:
    """Choose which accelerators the backend may use: none (``"cpu"``) or a list of indices.

    Before the framework is imported it sets ``CUDA_VISIBLE_DEVICES`` (and
    ``HIP_VISIBLE_DEVICES``; ``JAX_PLATFORMS=cpu`` for CPU only). After: TensorFlow through
    ``tf.config.set_visible_devices``, JAX through its ``jax_platforms`` /
    ``jax_cuda_visible_devices`` flags, torch through the environment, each only while it has
    not started its GPU runtime yet.

    Args:
        devices: ``"cpu"`` to hide every accelerator, or accelerator indices (``[0, 1]``,
            ``2``, ``["gpu:1"]``) to keep only those, renumbered from 0.
        backend: the backend whose framework to configure; default the configured one.

    Raises:
        ValueError: for anything else, or (TensorFlow) an index of a GPU that does not exist.
        TooLateError: when the framework already initialised its devices (CUDA started in
            torch, JAX backends created, the TensorFlow runtime started).

    Usage, first thing in a program: ``set_visible_devices("cpu")`` or
    ``set_visible_devices([0, 1])``. It changes the process (its environment), so the runnable
    example shows the argument check:

    Example:
        >>> from cornu_device import set_visible_devices
        >>> set_visible_devices("gpu0")
        Traceback (most recent call last):
        ...
        ValueError: Argument `devices` must be 'cpu' (hide every accelerator) or a list of accelerator indices such as [0, 1] (or names such as 'gpu:1'). Received: devices='gpu0'
    """
    indices = _visible_indices(devices)
    backend = _backends.backend_name(backend)
    hook = _hook(backend)
    if hook is not None:
        hook.set_visible_devices(indices, devices)
    value = ",".join(map(str, indices)) if indices else "-1"
    os.environ["CUDA_VISIBLE_DEVICES"] = value
    os.environ["HIP_VISIBLE_DEVICES"] = value
    if not indices and "jax" not in sys.modules:
        os.environ["JAX_PLATFORMS"] = "cpu"
    requests["visible_devices"] = "cpu" if not indices else list(indices)
    forget_devices()


def _thread_count(value: Any, arg: str) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value > 0):
        return value
    msg = f"Argument `{arg}` must be a positive integer or None. Received: {arg}={value!r}"
    raise ValueError(msg)


@cornu_config.filter_traceback
def set_num_threads(intra_op: int | None = None, inter_op: int | None = None, backend: str | None = None) -> None:
    """Set the threads used inside one op (``intra_op``) and between ops (``inter_op``).

    Before the framework is imported: ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``,
    ``OPENBLAS_NUM_THREADS``, ``TF_NUM_INTRAOP_THREADS`` / ``TF_NUM_INTEROP_THREADS``, and
    for one intra-op thread the XLA flags JAX reads. After: torch's ``set_num_threads`` /
    ``set_num_interop_threads`` and ``tf.config.threading``. Values that arrive too late raise.

    Args:
        intra_op: threads inside one op, a positive int, or None to leave it.
        inter_op: threads running independent ops, a positive int, or None to leave it.
        backend: the backend whose framework to configure; default the configured one.

    Raises:
        ValueError: when a value is not a positive int or None, or both are None.
        TooLateError: when the framework can no longer change it (torch's inter-op pool
            started, the TensorFlow runtime or the JAX backends initialised, NumPy's BLAS
            loaded).

    Usage, first thing in a program: ``set_num_threads(intra_op=4, inter_op=2)``. It changes
    the process, so the runnable example shows the argument check:

    Example:
        >>> from cornu_device import set_num_threads
        >>> set_num_threads(intra_op=0)
        Traceback (most recent call last):
        ...
        ValueError: Argument `intra_op` must be a positive integer or None. Received: intra_op=0
    """
    intra = _thread_count(intra_op, "intra_op")
    inter = _thread_count(inter_op, "inter_op")
    if intra is None and inter is None:
        msg = "Pass `intra_op`, `inter_op` or both. Received: intra_op=None, inter_op=None"
        raise ValueError(msg)
    backend = _backends.backend_name(backend)
    if backend == "numpy" and intra is not None and "numpy" in sys.modules:
        _numpy_threads(intra)
    hook = _hook(backend)
    if hook is not None:
        hook.set_num_threads(intra, inter)
    if intra is not None:
        for name in _INTRA_ENV:
            os.environ[name] = str(intra)
        flags = [f for f in os.environ.get("XLA_FLAGS", "").split() if f not in _XLA_ONE_THREAD]
        if intra == 1:
            flags += _XLA_ONE_THREAD
        if flags or "XLA_FLAGS" in os.environ:
            os.environ["XLA_FLAGS"] = " ".join(flags)
        requests["intra_op_threads"] = intra
    if inter is not None:
        for name in _INTER_ENV:
            os.environ[name] = str(inter)
        requests["inter_op_threads"] = inter


def _numpy_threads(intra: int) -> None:
    """NumPy's BLAS sizes its pool when loaded: threadpoolctl can still change it, else too late."""
    try:
        import threadpoolctl
    except ImportError:
        from cornu_device._errors import too_late

        raise too_late(
            "set_num_threads", "NumPy", "its BLAS library is loaded", "the BLAS thread count",
            "OMP_NUM_THREADS", "intra_op", intra,
        ) from None
    threadpoolctl.threadpool_limits(intra)


@cornu_config.filter_traceback
def set_soft_device_placement(enabled: bool) -> None:
    """Let a missing accelerator fall back to the CPU (one warning) instead of raising.

    Applies to :func:`device` on every backend, and sets TensorFlow's own switch
    (``tf.config.set_soft_device_placement``) now when TensorFlow is imported, else when
    cornu first uses it.

    Args:
        enabled: ``True`` or ``False``.

    Raises:
        ValueError: when ``enabled`` is not a bool.

    Usage: ``set_soft_device_placement(True)``, then ``device("gpu:3")`` on a machine
    without it warns once and uses ``cpu:0``. The runnable example shows the argument check:

    Example:
        >>> from cornu_device import set_soft_device_placement
        >>> set_soft_device_placement(1)
        Traceback (most recent call last):
        ...
        ValueError: Argument `enabled` must be True or False. Received: enabled=1
    """
    if not isinstance(enabled, bool):
        msg = f"Argument `enabled` must be True or False. Received: enabled={enabled!r}"
        raise ValueError(msg)
    requests["soft_device_placement"] = enabled
    requests["soft_device_placement_set"] = True
    forget_devices()
    if "tensorflow" in sys.modules:
        _backends.load("tensorflow").apply_soft_placement()
