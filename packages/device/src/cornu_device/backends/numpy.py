# SPDX-License-Identifier: Apache-2.0
"""NumPy: one device, the CPU; scopes only record themselves."""

from __future__ import annotations

from typing import Any

from cornu_device.spec import DeviceSpec

__all__ = ["enter_device", "enter_name_scope", "exit_device", "exit_name_scope", "list_devices", "native"]


def list_devices() -> list[DeviceSpec]:
    return [DeviceSpec("cpu", 0)]


def native(spec: DeviceSpec) -> str:
    return "cpu"


def enter_device(spec: DeviceSpec, value: Any) -> None:
    return None


def exit_device(token: Any) -> None:
    return None


def enter_name_scope(name: str) -> None:
    return None


def exit_name_scope(token: Any) -> None:
    return None
