# SPDX-License-Identifier: Apache-2.0
"""``list_devices`` and ``to_native``: which devices the backend has, and their native form."""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

import cornu_config
from cornu_device import _backends
from cornu_device._state import requests
from cornu_device.spec import DEVICE_TYPES, DeviceSpec, _parse

__all__ = ["list_devices", "to_native"]

_lists: dict[str, tuple[DeviceSpec, ...]] = {}
# (backend, device name as given) -> (DeviceSpec, native device): what device() resolved.
_resolved: dict[tuple[str, Any], tuple[DeviceSpec, Any]] = {}
#: (backend, device name as given) -> what entering a scope does (``scope._Plan``).
plans: dict[tuple[str, Any], Any] = {}
_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOTS = (_HERE + os.sep, os.path.dirname(os.path.abspath(cornu_config.__file__)) + os.sep)


def forget_devices() -> None:
    """Drop the device lists and resolutions (``clear_session`` and the setters call it)."""
    _lists.clear()
    _resolved.clear()
    plans.clear()


cornu_config.register_session_state("cornu_device.device_cache", on_clear=forget_devices)


def devices_of(backend: str) -> tuple[DeviceSpec, ...]:
    """The backend's devices, listed once per session."""
    found = _lists.get(backend)
    if found is None:
        found = tuple(_backends.load(backend).list_devices())
        _lists[backend] = found
    return found


def _missing(spec: DeviceSpec, backend: str, existing: tuple[DeviceSpec, ...], value: Any, arg: str) -> str:
    names = [str(d) for d in existing]
    soft = "" if spec.type == "cpu" else (
        "Call `set_soft_device_placement(True)` to fall back to the CPU instead. "
    )
    if backend == "numpy" and spec.type != "cpu":
        return (
            f"NumPy runs on the CPU only: device '{spec}' does not exist on the numpy backend. "
            f"Existing devices: {names}. {soft}Received: {arg}={value!r}"
        )
    same = sum(1 for d in existing if d.type == spec.type)
    why = (
        f"there are {same} {spec.type} device(s), so index {spec.index} is out of range"
        if same
        else f"this machine has no {spec.type} device that {backend} can use"
    )
    return (
        f"Device '{spec}' does not exist on the {backend} backend: {why}. "
        f"Existing devices: {names}. {soft}Received: {arg}={value!r}"
    )


def _user_stacklevel() -> int:
    """The ``stacklevel`` of the first frame outside cornu (the user's call)."""
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_code.co_filename.startswith(_ROOTS):
        frame, level = frame.f_back, level + 1
    return level


def check_exists(spec: DeviceSpec, backend: str, value: Any, arg: str, soft: bool) -> DeviceSpec:
    """``spec`` when the backend has it; the CPU (with a warning) under soft placement."""
    existing = devices_of(backend)
    if spec in existing:
        return spec
    if soft and spec.type != "cpu":
        warnings.warn(
            f"Device '{spec}' does not exist on the {backend} backend (existing devices: "
            f"{[str(d) for d in existing]}); soft device placement is on, so 'cpu:0' is used "
            "instead.",
            RuntimeWarning,
            stacklevel=_user_stacklevel(),
        )
        return DeviceSpec("cpu", 0)
    raise ValueError(_missing(spec, backend, existing, value, arg))


def resolve(value: Any, backend: str, arg: str = "device_name") -> tuple[DeviceSpec, Any]:
    """(spec, native) for a device scope, checked and cached for the session."""
    try:
        return _resolved[(backend, value)]
    except KeyError:
        pass
    except TypeError:  # unhashable: parse() rejects it below with a clear message
        return _resolve(value, backend, arg)
    result = _resolve(value, backend, arg)
    if not isinstance(value, tuple):  # a plain tuple equal to a DeviceSpec must not hit it
        _resolved[(backend, value)] = result
    return result


def _resolve(value: Any, backend: str, arg: str) -> tuple[DeviceSpec, Any]:
    spec = _parse(value, arg)
    spec = check_exists(spec, backend, value, arg, bool(requests["soft_device_placement"]))
    return spec, _backends.load(backend).native(spec)


@cornu_config.filter_traceback
def list_devices(device_type: str | None = None, backend: str | None = None) -> list[str]:
    """The devices of the configured backend (or of ``backend``), as grammar strings.

    CUDA devices are counted without creating a CUDA context where the framework allows it
    (torch counts through NVML; TensorFlow lists physical devices and their logical
    configuration). JAX lists its local devices, which initialises its backends.

    Args:
        device_type: only this type: ``"cpu"``, ``"gpu"`` (or ``"cuda"``), ``"tpu"``, ``"mps"``.
        backend: ``"numpy"``, ``"torch"``, ``"jax"`` or ``"tensorflow"``; default the
            configured backend (``cornu_config.backend()``).

    Returns:
        Strings such as ``["cpu:0", "gpu:0", "gpu:1"]``, CPUs first.

    Raises:
        ValueError: for an unknown ``device_type`` or ``backend``.
        ImportError: when the backend's framework is not installed.

    Example:
        >>> from cornu_device import list_devices
        >>> list_devices("cpu", backend="numpy")
        ['cpu:0']
    """
    name = _backends.backend_name(backend)
    kind = None
    if device_type is not None:
        kind = device_type.lower() if isinstance(device_type, str) else None
        kind = "gpu" if kind == "cuda" else kind
        if kind not in DEVICE_TYPES:
            msg = (
                f"Argument `device_type` must be one of {DEVICE_TYPES} ('cuda' is a synonym of "
                f"'gpu') or None. Received: device_type={device_type!r}"
            )
            raise ValueError(msg)
    return [str(d) for d in devices_of(name) if kind is None or d.type == kind]


@cornu_config.filter_traceback
def to_native(name: Any, backend: str | None = None) -> Any:
    """The framework's own device for a cornu device name.

    ``torch.device("cuda:0")`` for ``"gpu:0"`` (``torch.device("cpu")`` for the CPU, since
    torch's CPU tensors carry no index), the ``jax.Device``, ``"/device:GPU:0"`` for
    TensorFlow, ``"cpu"`` for NumPy. Soft placement does not apply here.

    Args:
        name: a device of the grammar (see :func:`parse_device`) or a framework device.
        backend: the backend to translate for; default the configured one.

    Returns:
        The native device object or string.

    Raises:
        ValueError: when ``name`` is malformed or the device does not exist (the message lists
            the devices that do).

    Example:
        >>> from cornu_device import to_native
        >>> to_native("CPU:0", backend="numpy")
        'cpu'
    """
    backend = _backends.backend_name(backend)
    spec = check_exists(_parse(name, "name"), backend, name, "name", soft=False)
    return _backends.load(backend).native(spec)
