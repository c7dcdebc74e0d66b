# SPDX-License-Identifier: Apache-2.0
"""cornu_device: one device scope, name scopes and CPU/GPU control for every backend.

One device grammar (``type[:index]``) for NumPy, PyTorch, JAX and TensorFlow. No framework
is imported until a function needs it.

Example:
    >>> import cornu_device
    >>> cornu_device.parse_device("GPU:1")
    DeviceSpec(type='gpu', index=1)
"""

from cornu_device.__about__ import __version__
from cornu_device._errors import TooLateError
from cornu_device.control import set_num_threads, set_soft_device_placement, set_visible_devices
from cornu_device.devices import list_devices, to_native
from cornu_device.naming import current_path, name_scope
from cornu_device.report import DeviceSetting, DeviceSettings, device_settings
from cornu_device.scope import DeviceScope, current_device, device
from cornu_device.spec import DeviceSpec, parse_device

__all__ = [
    "DeviceScope",
    "DeviceSetting",
    "DeviceSettings",
    "DeviceSpec",
    "TooLateError",
    "__version__",
    "current_device",
    "current_path",
    "device",
    "device_settings",
    "list_devices",
    "name_scope",
    "parse_device",
    "set_num_threads",
    "set_soft_device_placement",
    "set_visible_devices",
    "to_native",
]


def __dir__() -> list[str]:
    return list(__all__)
