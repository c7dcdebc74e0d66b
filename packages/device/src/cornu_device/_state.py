# SPDX-License-Identifier: Apache-2.0
"""Context-local scope state (reset by ``clear_session``) and process-wide requests.

``DEVICE`` holds the device scope in force, as ``(spec, native, backend)`` or ``None``;
``NAMES`` the name-scope stack as a linked tuple ``(parent, scope, parts)`` or ``None``.
"""

from __future__ import annotations

from typing import Any

import cornu_config

__all__ = ["DEVICE", "NAMES", "requests"]

DEVICE = cornu_config.register_session_state("cornu_device.device", lambda: None)
NAMES = cornu_config.register_session_state("cornu_device.name_scope_stack", lambda: None)

#: What the user asked for through the setters, for ``device_settings()``. Process-wide.
requests: dict[str, Any] = {
    "visible_devices": None,
    "intra_op_threads": None,
    "inter_op_threads": None,
    "soft_device_placement": False,
}
