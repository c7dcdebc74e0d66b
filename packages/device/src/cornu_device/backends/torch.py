# SPDX-License-Identifier: Apache-2.0
"""PyTorch: devices, the default-device scope and ``record_function`` name scopes.

The device scope pushes a ``TorchFunctionMode`` that gives torch's own device constructors
(the list ``torch.device`` as a context manager uses) the device of the cornu scope *of the
calling context*. Reading the scope from the context variable, not from the mode, keeps
asyncio tasks that share a thread from placing tensors with each other's device, and a
``clear_session()`` inside a scope returns tensors to torch's default at once.
"""

from __future__ import annotations

from typing import Any

import torch
from torch.overrides import TorchFunctionMode
from torch.utils import _device as _torch_device

from cornu_device import _state
from cornu_device._errors import too_late
from cornu_device._state import DEVICE, requests
from cornu_device.spec import DeviceSpec

__all__ = [
    "effective", "enter_device", "enter_name_scope", "exit_device", "exit_name_scope",
    "list_devices", "native", "set_num_threads", "set_visible_devices",
]

_CONSTRUCTORS = _torch_device._device_constructors()
_get_scope = DEVICE.get
try:
    from torch._C import _pop_torch_function_stack as _pop
    from torch._C import _push_on_torch_function_stack as _push
except ImportError:  # pragma: no cover - older torch
    from torch.overrides import _pop_mode as _pop
    from torch.overrides import _push_mode as _push


class _CornuDeviceMode(TorchFunctionMode):
    """Fills in ``device=`` of torch's tensor constructors from the cornu scope in force."""

    def __init__(self) -> None:
        super().__init__()
        # A `torch.device(...)` block or `set_default_device` entered inside the cornu scope
        # changes torch's CURRENT_DEVICE; the innermost request then wins, so step aside.
        self.seen = _torch_device.CURRENT_DEVICE

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in _CONSTRUCTORS and kwargs.get("device") is None:
            scope = _get_scope()
            if (
                scope is not None
                and scope[3] == _state.generation
                and scope[2] == "torch"
                and _torch_device.CURRENT_DEVICE is self.seen
            ):
                kwargs["device"] = scope[1]
        return func(*args, **kwargs)


def list_devices() -> list[DeviceSpec]:
    """cpu:0, then gpu:N for each CUDA device (counted without a CUDA context), then mps:0."""
    out = [DeviceSpec("cpu", 0)]
    out += [DeviceSpec("gpu", i) for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        out.append(DeviceSpec("mps", 0))
    return out


def native(spec: DeviceSpec) -> torch.device:
    """``torch.device``: ``cpu`` (torch's CPU tensors carry no index), ``cuda:N``, ``mps:N``."""
    if spec.type == "cpu":
        return torch.device("cpu")
    return torch.device("cuda" if spec.type == "gpu" else spec.type, spec.index)


_mode = [None]


def enter_device(spec: DeviceSpec, value: torch.device) -> _CornuDeviceMode:
    # One mode serves every scope (it reads the scope from the context); a new one only when
    # torch's own default device changed since it was made.
    mode = _mode[0]
    if mode is None or mode.seen is not _torch_device.CURRENT_DEVICE:
        mode = _mode[0] = _CornuDeviceMode()
    _push(mode)
    return mode


def exit_device(mode: _CornuDeviceMode) -> None:
    top = _pop()
    if top is mode:
        return
    # Someone left modes above ours: take ours out from under them, keep theirs in order.
    above = [top]
    while torch._C._len_torch_function_stack() > 0:
        entry = _pop()
        if entry is mode:
            break
        above.append(entry)
    for entry in reversed(above):
        _push(entry)


#: Name scopes open a ``record_function`` range only while a profiler records (it costs µs
#: otherwise): ``getattr(*NAME_SCOPE_GUARD)`` is torch's own flag "for fast python checks".
NAME_SCOPE_GUARD = (
    (torch.autograd.profiler, "_is_profiler_enabled")
    if hasattr(torch.autograd.profiler, "_is_profiler_enabled")
    else (type("_Always", (), {"on": True}), "on")
)


def enter_name_scope(name: str) -> Any:
    """A ``record_function`` range (``NAME_SCOPE_GUARD`` says when it is worth it)."""
    scope = torch.autograd.profiler.record_function(name)
    scope.__enter__()
    return scope


def exit_name_scope(scope: Any) -> None:
    scope.__exit__(None, None, None)


def set_visible_devices(indices: tuple[int, ...], value: Any) -> None:
    """torch reads CUDA_VISIBLE_DEVICES when CUDA starts: fine until then, too late after."""
    if torch.cuda.is_initialized():
        raise too_late(
            "set_visible_devices", "torch", "CUDA is initialised", "the visible devices",
            "CUDA_VISIBLE_DEVICES", "devices", value,
        )


def set_num_threads(intra: int | None, inter: int | None) -> None:
    if inter is not None and torch.get_num_interop_threads() != inter:
        try:
            torch.set_num_interop_threads(inter)
        except RuntimeError:
            raise too_late(
                "set_num_threads", "torch", "its inter-op thread pool has started or was sized",
                "the inter-op thread count", None, "inter_op", inter,
            ) from None
    if intra is not None:
        torch.set_num_threads(intra)


def effective() -> dict[str, Any]:
    """Settings read back from torch (the device count through NVML: no CUDA context)."""
    return {
        "visible_devices": [f"gpu:{i}" for i in range(torch.cuda.device_count())],
        "intra_op_threads": torch.get_num_threads(),
        "inter_op_threads": torch.get_num_interop_threads(),
    }


def _apply_requested() -> None:
    """Thread counts asked for before torch was imported: torch reads no variable for its
    inter-op pool, so they are applied when cornu first uses torch (too late: a warning)."""
    intra, inter = requests["intra_op_threads"], requests["inter_op_threads"]
    if intra is None and inter is None:
        return
    try:
        set_num_threads(intra, inter)
    except RuntimeError as e:
        import warnings

        warnings.warn(str(e), RuntimeWarning, stacklevel=2)


_apply_requested()
