# SPDX-License-Identifier: Apache-2.0
"""JAX: local devices, ``jax.default_device`` scopes and ``jax.named_scope``."""

from __future__ import annotations

from typing import Any

import jax

from cornu_device._errors import too_late
from cornu_device.spec import DeviceSpec

__all__ = [
    "effective", "enter_device", "enter_name_scope", "exit_device", "exit_name_scope",
    "list_devices", "native", "set_num_threads", "set_visible_devices",
]

_PLATFORMS = {"cpu": "cpu", "gpu": "gpu", "cuda": "gpu", "rocm": "gpu", "tpu": "tpu", "metal": "mps"}
_ORDER = {"cpu": 0, "gpu": 1, "tpu": 2, "mps": 3}


def _platform_devices() -> dict[str, list[Any]]:
    """Local devices per cornu type: the default backend's platform plus the CPU."""
    platforms = {d.platform for d in jax.local_devices()} | {"cpu"}
    out: dict[str, list[Any]] = {}
    for platform in platforms:
        kind = _PLATFORMS.get(platform.lower())
        if kind is None:
            continue
        try:
            out[kind] = list(jax.local_devices(backend=platform))
        except RuntimeError:
            continue
    return out


def list_devices() -> list[DeviceSpec]:
    found = _platform_devices()
    return [
        DeviceSpec(kind, i)
        for kind in sorted(found, key=_ORDER.__getitem__)
        for i in range(len(found[kind]))
    ]


def native(spec: DeviceSpec) -> Any:
    """The ``jax.Device``: the ``index``-th local device of that platform."""
    return _platform_devices()[spec.type][spec.index]


# `jax.default_device` is a config State whose context manager swaps a thread-local value
# (running its parser and hook around it). The value here is already a jax.Device, so the swap
# is done directly when the State offers it and has no hook; else the public context manager.
_default = jax.default_device
_swap = getattr(_default, "swap_local", None)
_restore = getattr(_default, "set_local", None)
_direct = _swap is not None and _restore is not None and not getattr(_default, "_update_thread_local_hook", 1)


class _Swapped:
    __slots__ = ("previous",)

    def __init__(self, previous: Any) -> None:
        self.previous = previous


def enter_device(spec: DeviceSpec, value: Any) -> Any:
    if _direct:
        return _Swapped(_swap(value))
    scope = jax.default_device(value)
    scope.__enter__()
    return scope


def exit_device(token: Any) -> None:
    if type(token) is _Swapped:
        _restore(token.previous)
    else:
        token.__exit__(None, None, None)


def enter_name_scope(name: str) -> Any:
    scope = jax.named_scope(name)
    scope.__enter__()
    return scope


def exit_name_scope(scope: Any) -> None:
    scope.__exit__(None, None, None)


def _initialized() -> bool:
    """Whether JAX created its backends (after which devices and XLA flags are fixed)."""
    try:
        from jax._src import xla_bridge

        return bool(xla_bridge.backends_are_initialized())
    except (ImportError, AttributeError):  # pragma: no cover - other JAX versions
        return True


def set_visible_devices(indices: tuple[int, ...], value: Any) -> None:
    if _initialized():
        raise too_late(
            "set_visible_devices", "JAX", "its backends are created", "the visible devices",
            "CUDA_VISIBLE_DEVICES or JAX_PLATFORMS", "devices", value,
        )
    if indices:
        jax.config.update("jax_cuda_visible_devices", ",".join(map(str, indices)))
    else:
        jax.config.update("jax_platforms", "cpu")


def set_num_threads(intra: int | None, inter: int | None) -> None:
    """XLA reads XLA_FLAGS when JAX creates its backends: the caller sets it, if not too late."""
    if intra is not None and _initialized():
        raise too_late(
            "set_num_threads", "JAX", "its backends are created", "the XLA thread count",
            "XLA_FLAGS", "intra_op", intra,
        )


def effective() -> dict[str, Any]:
    """Settings read back from JAX, without creating its backends."""
    if not _initialized():
        return {}
    return {"visible_devices": [str(d) for d in list_devices() if d.type != "cpu"]}
