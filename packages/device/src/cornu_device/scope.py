# SPDX-License-Identifier: Apache-2.0
"""``device(device_name)``: one device scope for every backend, and ``current_device()``."""

from __future__ import annotations

from typing import Any, NamedTuple

import cornu_config
from cornu_device import _backends, _state
from cornu_device._state import DEVICE
from cornu_device.devices import plans as _plans
from cornu_device.devices import resolve
from cornu_device.spec import DeviceSpec

__all__ = ["DeviceScope", "current_device", "device"]

_current = _backends._current
_set, _reset = DEVICE.set, DEVICE.reset
_CLOSED = object()


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

    __slots__ = ("_native_token", "_outer", "_plan", "_token")

    def __init__(self, plan: _Plan) -> None:
        self._plan = plan
        self._token: Any = _CLOSED
        self._outer: list[tuple[Any, Any]] | None = None

    spec = property(lambda self: self._plan.spec)
    native = property(lambda self: self._plan.native)
    backend = property(lambda self: self._plan.backend)

    def __enter__(self) -> Any:
        plan = self._plan
        if self._token is not _CLOSED:  # entered again while open
            if self._outer is None:
                self._outer = []
            self._outer.append((self._token, self._native_token))
        token = self._token = _set(plan.entry)
        self._native_token = None
        if plan.enter is not None:
            try:
                self._native_token = plan.enter(plan.spec, plan.native)
            except BaseException:
                if self._outer:
                    self._token, self._native_token = self._outer.pop()
                else:
                    self._token = _CLOSED
                _reset(token)
                raise
        return plan.native

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        token = self._token
        if token is _CLOSED:
            return
        native_token = self._native_token
        if self._outer:
            self._token, self._native_token = self._outer.pop()
        else:
            self._token = _CLOSED
        if native_token is None:
            _reset(token)
            return
        try:
            self._plan.exit(native_token)
        finally:
            _reset(token)

    def __repr__(self) -> str:
        return f"<DeviceScope {self.spec} backend={self.backend!r} native={self.native!r}>"


class _Plan(NamedTuple):
    """What entering a scope does, resolved once per (backend, device name) and session."""

    spec: DeviceSpec
    native: Any
    backend: str
    entry: tuple[str, Any, str, int]
    enter: Any
    exit: Any




@cornu_config.filter_traceback
def _plan(device_name: Any, backend: str) -> _Plan:
    spec, native = resolve(device_name, backend)
    module = _backends.load(backend)
    enter = getattr(module, "enter_device", None) if backend != "numpy" else None
    plan = _Plan(spec, native, backend, (str(spec), native, backend, _state.generation), enter, module.exit_device)
    if not isinstance(device_name, tuple):
        # A DeviceSpec is not kept: a plain tuple equal to it must not find its plan.
        _plans[(backend, device_name)] = plan
    return plan


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
    backend = _current[0] or _backends.current()
    try:
        plan = _plans[(backend, device_name)]
    except (KeyError, TypeError):
        # First use this session (or an unhashable name): resolve, check, and report errors
        # through the traceback filter. Later calls cost one dict lookup.
        plan = _plan(device_name, backend)
    return DeviceScope(plan)


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
    return None if entry is None or entry[3] != _state.generation else entry[0]
