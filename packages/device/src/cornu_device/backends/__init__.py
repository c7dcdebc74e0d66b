# SPDX-License-Identifier: Apache-2.0
"""One module per framework, imported on first use by ``cornu_device._backends.load``.

Each module imports its framework at the top and provides ``list_devices()``,
``native(spec)``, ``enter_device(spec, native)`` / ``exit_device(token)`` and
``enter_name_scope(name)`` / ``exit_name_scope(token)``, plus the settings hooks used by
``cornu_device.control``.
"""

__all__: list[str] = []
