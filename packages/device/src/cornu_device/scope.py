# SPDX-License-Identifier: Apache-2.0
"""``device(device_name)``: one device scope for every backend, and ``current_device()``."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import cornu_config
from cornu_device import _backends
from cornu_device._state import DEVICE
from cornu_device.devices import resolve
from cornu_device.spec import DeviceSpec

__all__ = ["DeviceScope", "current_device", "device"]

_backend = cornu_config.backend


class DeviceScope:
    """The scope returned by :func:`device`; enter it with ``with``.

    Attributes:
        spec: the :class:`DeviceSpec` in force inside (``cpu:0`` after a soft-placement
            fallback).
        native: the framework's device (``torch.device``, ``jax.Device``, TensorFlow's
            ``"/device:GPU:0"``, ``"cpu"`` for NumPy), also bound by ``with ... as``.
        backend: the backend the scope was made for.

    The same scope may be entered again, also while already inside it.
    """

    __slots__ = ("_entry", "_module", "_open", "backend", "native", "spec")

    def __init__(self, spec: DeviceSpec, native: Any, backend: str, module: ModuleType) -> None:
        self.spec = spec
        self.native = native
        self.backend = backend
        self._module = module
        self._entry = (str(spec), native, backend)
        self._open: list[tuple[Any, Any]] = []

    def __enter__(self) -> Any:
        token = DEVICE.set(self._entry)
        try:
            native_token = self._module.enter_device(self.spec, self.native)
        except BaseException:
            DEVICE.reset(token)
            raise
        self._open.append((token, native_token))
        return self.native

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if not self._open:
            return
        token, native_token = self._open.pop()
        try:
            self._module.exit_device(native_token)
        finally:
            DEVICE.reset(token)

    def __repr__(self) -> str:
        return f"<DeviceScope {self.spec} backend={self.backend!r} native={self.native!r}>"


@cornu_config.filter_traceback
def device(device_name: Any) -> DeviceScope:
    """A scope placing new tensors, modules and ops on a device, the same on every backend.

    The name is checked when ``device()`` is called, not when the scope is entered. Inside
    the scope: torch's tensor constructors (and so new modules) use the device; JAX puts new
    arrays on it (``jax.default_device``); TensorFlow places ops and variables on it
    (``tf.device``); NumPy accepts only the CPU. Scopes nest, restore the outer device on
    exit (also when the block raises) and are context-local: threads and asyncio tasks each
    see their own scope.

    Args:
        device_name: ``type[:index]``, case-insensitive, optionally starting with ``/`` or
            ``/device:``; type ``cpu``, ``gpu`` (synonym ``cuda``), ``tpu`` or ``mps``; or a
            ``torch.device`` / ``jax.Device`` / :class:`DeviceSpec`.

    Returns:
        A :class:`DeviceScope`; ``with device(...) as d`` binds the framework's device.

    Raises:
        ValueError: for a malformed name, an unknown type, or a device the backend does not
            have (the message lists the devices that exist). With
            ``set_soft_device_placement(True)`` a missing accelerator falls back to ``cpu:0``
            with one warning instead.

    Example:
        >>> from cornu_device import device, current_device
        >>> with device("CPU:0"):
        ...     current_device()
        'cpu:0'
        >>> current_device() is None
        True
    """
    backend = _backend()
    spec, native = resolve(device_name, backend)
    return DeviceScope(spec, native, backend, _backends.load(backend))


def current_device() -> str | None:
    """The device of the innermost :func:`device` scope in this context, or ``None``.

    ``None`` means no cornu scope is open (or ``clear_session()`` ended it): the framework's
    own default placement applies.

    Example:
        >>> from cornu_device import device, current_device
        >>> with device("cpu"):
        ...     current_device()
        'cpu:0'
    """
    entry = DEVICE.get()
    return None if entry is None else entry[0]
