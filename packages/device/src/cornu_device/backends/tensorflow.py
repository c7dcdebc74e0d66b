# SPDX-License-Identifier: Apache-2.0
"""TensorFlow: visible (logical) devices, ``tf.device`` scopes and ``tf.name_scope``."""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from cornu_device._errors import too_late
from cornu_device._state import requests
from cornu_device.spec import DeviceSpec

__all__ = [
    "apply_soft_placement",
    "effective",
    "enter_device",
    "enter_name_scope",
    "exit_device",
    "exit_name_scope",
    "list_devices",
    "native",
    "set_num_threads",
    "set_visible_devices",
]

_TYPES = (("cpu", "CPU"), ("gpu", "GPU"), ("tpu", "TPU"))


def list_devices() -> list[DeviceSpec]:
    """Logical devices, counted from the visible physical ones and their logical
    configurations, so listing does not initialise the runtime (nor a GPU context)."""
    out = []
    for kind, tf_type in _TYPES:
        count = 0
        for physical in tf.config.get_visible_devices(tf_type):
            logical = tf.config.get_logical_device_configuration(physical)
            count += len(logical) if logical else 1
        out += [DeviceSpec(kind, i) for i in range(count)]
    return out


def native(spec: DeviceSpec) -> str:
    """TensorFlow's own name, such as ``"/device:GPU:0"``."""
    return f"/device:{spec.type.upper()}:{spec.index}"


# Eager fast path: TensorFlow's own `tf.device` / `tf.name_scope` set two thread-local fields
# of the eager context through several Python layers; doing the same directly, with the parse
# results TensorFlow caches itself, costs half. Graph mode (tf.function tracing), a cache miss,
# or a TensorFlow without these internals takes the public context managers.
try:
    from tensorflow.python.eager import context as _context

    _parsed = _context._device_parsing_cache
    _context.context()._thread_local_data  # noqa: B018 - probe the internals once
except (ImportError, AttributeError):  # pragma: no cover - other TensorFlow versions
    _context = None


def enter_device(spec: DeviceSpec, value: str) -> Any:
    if _context is not None:
        ctx = _context.context()
        if ctx.executing_eagerly():
            local = ctx._thread_local_data
            old = (local.device_name, local.device_spec)
            parsed = _parsed.get((old[0], value))
            if parsed is not None:
                local.device_name, local.device_spec = parsed
                return (local, old)
    scope = tf.device(value)
    scope.__enter__()
    return scope


def exit_device(token: Any) -> None:
    if type(token) is tuple:
        token[0].device_name, token[0].device_spec = token[1]
    else:
        token.__exit__(None, None, None)


def enter_name_scope(name: str) -> Any:
    if _context is not None:
        ctx = _context.context()
        if ctx.executing_eagerly():
            local = ctx._thread_local_data
            old = local.scope_name
            local.scope_name = f"{old}{name}/" if old else f"{name}/"
            return (local, old)
    scope = tf.name_scope(name)
    scope.__enter__()
    return scope


def exit_name_scope(token: Any) -> None:
    if type(token) is tuple:
        token[0].scope_name = token[1]
    else:
        token.__exit__(None, None, None)


def set_visible_devices(indices: tuple[int, ...], value: Any) -> None:
    gpus = tf.config.list_physical_devices("GPU")
    missing = [i for i in indices if i >= len(gpus)]
    if missing:
        msg = (
            f"TensorFlow sees {len(gpus)} GPU(s), so GPU index {missing[0]} does not exist. "
            f"Pass indices below {len(gpus)}, or 'cpu'. Received: devices={value!r}"
        )
        raise ValueError(msg)
    try:
        tf.config.set_visible_devices([gpus[i] for i in indices], "GPU")
    except RuntimeError:
        raise too_late(
            "set_visible_devices", "TensorFlow", "its runtime has started", "the visible devices",
            "CUDA_VISIBLE_DEVICES", "devices", value,
        ) from None


def set_num_threads(intra: int | None, inter: int | None) -> None:
    threading = tf.config.threading
    try:
        if inter is not None:
            threading.set_inter_op_parallelism_threads(inter)
        if intra is not None:
            threading.set_intra_op_parallelism_threads(intra)
    except RuntimeError:
        arg, value = ("inter_op", inter) if inter is not None else ("intra_op", intra)
        raise too_late(
            "set_num_threads", "TensorFlow", "its runtime has started", "the thread counts",
            "TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS", arg, value,
        ) from None


def apply_soft_placement() -> None:
    """Give TensorFlow's own switch the value asked of cornu, if one was asked."""
    if requests.get("soft_device_placement_set"):
        tf.config.set_soft_device_placement(bool(requests["soft_device_placement"]))


def effective() -> dict[str, Any]:
    """Settings read back from TensorFlow (0 threads means TensorFlow's own choice)."""
    return {
        "visible_devices": [str(d) for d in list_devices() if d.type != "cpu"],
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "soft_device_placement": tf.config.get_soft_device_placement(),
    }


def _apply_requested() -> None:
    """Settings asked for before TensorFlow was imported, given to its API while it still
    takes them (its environment variables do not show in ``tf.config``)."""
    apply_soft_placement()
    intra, inter = requests["intra_op_threads"], requests["inter_op_threads"]
    if intra is None and inter is None:
        return
    try:
        set_num_threads(intra, inter)
    except RuntimeError as e:
        import warnings

        warnings.warn(str(e), RuntimeWarning, stacklevel=2)


_apply_requested()
