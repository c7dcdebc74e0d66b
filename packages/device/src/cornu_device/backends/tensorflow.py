# SPDX-License-Identifier: Apache-2.0
"""TensorFlow: visible (logical) devices, ``tf.device`` scopes and ``tf.name_scope``."""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from cornu_device.spec import DeviceSpec

__all__ = ["enter_device", "enter_name_scope", "exit_device", "exit_name_scope", "list_devices", "native"]

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


def enter_device(spec: DeviceSpec, value: str) -> Any:
    scope = tf.device(value)
    scope.__enter__()
    return scope


def exit_device(scope: Any) -> None:
    scope.__exit__(None, None, None)


def enter_name_scope(name: str) -> Any:
    scope = tf.name_scope(name)
    scope.__enter__()
    return scope


def exit_name_scope(scope: Any) -> None:
    scope.__exit__(None, None, None)
