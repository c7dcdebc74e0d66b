# SPDX-License-Identifier: Apache-2.0
"""``device_settings()``: each device setting asked for, read back, and whether it took effect."""

from __future__ import annotations

import os
import sys
from typing import Any, NamedTuple

from cornu_device import _backends
from cornu_device._state import requests

__all__ = ["DeviceSetting", "DeviceSettings", "device_settings"]

_ENV = (
    "CUDA_VISIBLE_DEVICES", "JAX_PLATFORMS", "OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS", "XLA_FLAGS",
)


class DeviceSetting(NamedTuple):
    """One row of :func:`device_settings`.

    Attributes:
        name: ``"backend"``, ``"visible_devices"``, ``"intra_op_threads"``,
            ``"inter_op_threads"`` or ``"soft_device_placement"``.
        requested: what a setter asked for, or ``None`` when nothing was asked.
        effective: the value read back from the framework, or ``None`` when it cannot be read
            (the framework is not imported yet, or has no way to report it).
        took_effect: ``True``/``False`` when both are known, else ``None``.
        detail: how it is applied, or why it did not take effect.
    """

    name: str
    requested: Any
    effective: Any
    took_effect: bool | None
    detail: str


class DeviceSettings(tuple):
    """The rows of :func:`device_settings`; ``str()`` gives a table, ``[name]`` a row."""

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            for row in self:
                if row.name == key:
                    return row
            raise KeyError(key)
        return super().__getitem__(key)

    def __str__(self) -> str:
        lines = [f"{'setting':22} {'requested':>12} {'effective':>12}  {'took effect':11}  detail"]
        for row in self:
            took = {True: "yes", False: "NO", None: "-"}[row.took_effect]
            requested = "-" if row.requested is None else str(row.requested)
            effective = "-" if row.effective is None else str(row.effective)
            lines.append(f"{row.name:22} {requested:>12} {effective:>12}  {took:11}  {row.detail}")
        return "\n".join(lines)


def _compare(requested: Any, effective: Any) -> bool | None:
    if requested is None or effective is None:
        return None
    return requested == effective


def _pending(name: str, backend: str) -> str:
    env = {
        "visible_devices": "CUDA_VISIBLE_DEVICES",
        "intra_op_threads": "OMP_NUM_THREADS / TF_NUM_INTRAOP_THREADS / XLA_FLAGS",
        "inter_op_threads": "TF_NUM_INTEROP_THREADS",
    }[name]
    return f"pending: set through {env}; read back once {backend} is imported"


def device_settings(probe: bool = False) -> DeviceSettings:
    """Report each device setting: requested, read back from the framework, and whether it took.

    Reads only frameworks already imported, so it never starts one (nor a GPU context) unless
    ``probe`` is true. A setting asked for before the framework was imported shows as pending
    until it is.

    Args:
        probe: import the configured backend's framework first, to read everything back.

    Returns:
        A :class:`DeviceSettings` (a tuple of :class:`DeviceSetting` rows; ``str()`` is a table).

    Example:
        >>> from cornu_device import device_settings
        >>> report = device_settings()
        >>> report["soft_device_placement"].effective
        False
        >>> [row.name for row in report]
        ['backend', 'visible_devices', 'intra_op_threads', 'inter_op_threads', 'soft_device_placement', 'environment']
    """
    backend = _backends.current()
    framework = _backends.FRAMEWORKS[backend]
    if probe and backend != "numpy":
        from cornu_device.devices import devices_of

        devices_of(backend)  # imports the framework and lists its devices (JAX creates backends)
    loaded = backend == "numpy" or framework in sys.modules
    hook = _backends.load(backend) if loaded and backend != "numpy" else None
    effective: dict[str, Any] = hook.effective() if hook is not None else {}
    if backend == "numpy":
        effective = {"visible_devices": []}
    rows = [
        DeviceSetting(
            "backend", backend, backend, True,
            f"{framework} imported" if loaded else f"{framework} not imported yet",
        )
    ]

    asked = requests["visible_devices"]
    wanted = None if asked is None else ([] if asked == "cpu" else [f"gpu:{i}" for i in range(len(asked))])
    seen = effective.get("visible_devices")
    took = None if wanted is None or seen is None else len(seen) == len(wanted)
    if asked is None:
        detail = "not set"
    elif seen is None:
        detail = _pending("visible_devices", backend)
    elif took:
        detail = f"{len(seen)} accelerator(s) visible"
    else:
        detail = f"{backend} sees {len(seen)} accelerator(s), not {len(wanted)}"
    rows.append(DeviceSetting("visible_devices", asked, seen, took, detail))

    for name in ("intra_op_threads", "inter_op_threads"):
        asked = requests[name]
        seen = effective.get(name)
        if backend == "jax" or (backend == "numpy" and name == "inter_op_threads"):
            detail = f"{backend} cannot report it"
            if asked is not None:
                detail += "; applied through the environment"
        elif asked is None:
            detail = "not set"
        elif seen is None and not loaded:
            detail = _pending(name, backend)
        elif seen is None:
            detail = f"{backend} cannot report it"
        else:
            detail = "applied" if seen == asked else f"{backend} reports {seen}, not {asked}"
        rows.append(DeviceSetting(name, asked, seen, _compare(asked, seen), detail))

    soft = bool(requests["soft_device_placement"])
    asked = soft if requests.get("soft_device_placement_set") else None
    tf_soft = effective.get("soft_device_placement")
    detail = "cornu falls back to cpu:0 for a missing accelerator" if soft else "a missing device raises"
    took = None if asked is None else True
    if tf_soft is not None:
        detail += f"; TensorFlow's own switch is {tf_soft}"
        if asked is not None:
            took = tf_soft == asked
    rows.append(DeviceSetting("soft_device_placement", asked, soft, took, detail))

    env = {k: os.environ[k] for k in _ENV if k in os.environ}
    rows.append(DeviceSetting("environment", None, env or None, None, "variables the frameworks read"))
    return DeviceSettings(rows)
