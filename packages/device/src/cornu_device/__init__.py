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
from cornu_device.devices import list_devices, to_native
from cornu_device.scope import DeviceScope, current_device, device
from cornu_device.spec import DeviceSpec, parse_device

__all__ = [
    "DeviceScope",
    "DeviceSpec",
    "__version__",
    "current_device",
    "device",
    "list_devices",
    "parse_device",
    "to_native",
]


def __dir__() -> list[str]:
    return list(__all__)
