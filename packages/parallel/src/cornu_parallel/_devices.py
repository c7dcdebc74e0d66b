# SPDX-License-Identifier: Apache-2.0
"""Device arguments of ``replicate`` / ``multi_gpu_model``: parsing, checking, Keras 2 names."""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "accelerators",
    "available",
    "normalize_device_name",
    "resolve_devices",
    "resolve_merge_device",
]

# Backends without virtual devices run several replicas on one device (a list may repeat one).
REPEATABLE = frozenset({"numpy", "torch", "tensorflow"})
_PREFIX = re.compile(r"^/?(job:[^/]*/)?(replica:[^/]*/)?(task:[^/]*/)?", re.IGNORECASE)


def normalize_device_name(name: Any) -> str:
    """A device name in cornu's grammar (``"gpu:1"``), TensorFlow's full names included.

    ``"/job:localhost/replica:0/task:0/device:GPU:1"`` -> ``"gpu:1"``; ``"/cpu:0"`` -> ``"cpu:0"``;
    ``"GPU:3"`` -> ``"gpu:3"``. Anything else is parsed by ``cornu_device.parse_device``
    (ValueError on a malformed name or unknown type).
    """
    from cornu_device import parse_device

    if isinstance(name, str):
        name = _PREFIX.sub("", name.strip(), count=1)
        if name and not name.startswith("/"):
            name = "/" + name if name.lower().startswith("device:") else name
    return str(parse_device(name))


def available(backend: str) -> list[str]:
    """Devices the backend has, in cornu names (``["cpu:0", "gpu:0", ...]``)."""
    from cornu_device import list_devices

    return [normalize_device_name(d) for d in list_devices(backend=backend)]


def accelerators(backend: str) -> list[str]:
    """The backend's GPUs (then TPUs) — what ``devices=None`` / ``gpus=None`` mean."""
    devs = available(backend)
    for kind in ("gpu", "tpu", "mps"):
        found = [d for d in devs if d.startswith(kind + ":")]
        if found:
            return found
    return []


def resolve_devices(devices: Any, backend: str) -> list[str]:
    """Validated cornu device names for ``replicate(devices=...)``.

    ``None`` means every accelerator the backend has, else every CPU device it has (one CPU on
    torch and NumPy; the virtual CPU devices on JAX and TensorFlow). A single string means one
    device. Every device must exist; JAX needs them distinct (one mesh position each), the other
    backends may repeat a device to run several replicas on it.
    """
    if devices is None:
        found = accelerators(backend) or [d for d in available(backend) if d.startswith("cpu:")]
        return found or ["cpu:0"]
    if isinstance(devices, str) or not hasattr(devices, "__iter__"):
        devices = [devices]
    names = []
    for d in devices:
        try:
            names.append(normalize_device_name(d))
        except (ValueError, TypeError) as e:
            msg = (
                "`devices` must be a list of device names such as 'cpu:0' or 'gpu:1' "
                f"(type[:index]; types cpu, gpu, tpu, mps). {e} Received: devices={devices!r}"
            )
            raise ValueError(msg) from None
    if not names:
        msg = f"`devices` must name at least one device. Received: devices={devices!r}"
        raise ValueError(msg)
    have = available(backend)
    missing = [n for n in names if n not in have]
    if missing:
        msg = (
            f"`devices` names devices the {backend} backend does not have: {missing}. "
            f"Available devices: {have}. Received: devices={devices!r}"
        )
        raise ValueError(msg)
    if backend not in REPEATABLE and len(set(names)) != len(names):
        msg = (
            f"`devices` must not repeat a device on the {backend} backend (each replica is one "
            f"position of a device mesh). Available devices: {have}. Received: devices={devices!r}"
        )
        raise ValueError(msg)
    return names


def resolve_merge_device(merge_device: Any, devices: list[str], backend: str) -> str:
    """The device outputs are concatenated on; ``None`` means the first replica's device."""
    if merge_device is None:
        return devices[0]
    try:
        name = normalize_device_name(merge_device)
    except (ValueError, TypeError) as e:
        msg = (
            "`merge_device` must be a device name such as 'cpu:0' or 'gpu:0', or None for the "
            f"first replica's device. {e} Received: merge_device={merge_device!r}"
        )
        raise ValueError(msg) from None
    have = available(backend)
    if name not in have:
        msg = (
            f"`merge_device` names a device the {backend} backend does not have. Available "
            f"devices: {have}. Received: merge_device={merge_device!r}"
        )
        raise ValueError(msg)
    return name
