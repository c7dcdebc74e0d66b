# SPDX-License-Identifier: Apache-2.0
"""Context-local scope state, reset by ``clear_session``, and process-wide requests.

``DEVICE`` holds the device scope in force as ``(name, native, backend, generation)``;
``NAMES`` the name-scope stack as a linked tuple ``(parent, scope, generation)``.
Each value carries the session generation it was made in: ``clear_session()`` starts a new
generation (through the ``on_clear`` hook of ``cornu_config.register_session_state``), so
values from before read as "no scope" in every thread and task at once. This is what
``cornu_config.SessionState`` does; it is inlined here because scopes are entered in tight
loops and the generation rides inside values that are built once and cached.
"""

from __future__ import annotations

import contextvars
from typing import Any

import cornu_config

__all__ = ["DEVICE", "NAMES", "generation", "requests"]

DEVICE: contextvars.ContextVar[Any] = contextvars.ContextVar("cornu_device.device", default=None)
NAMES: contextvars.ContextVar[Any] = contextvars.ContextVar("cornu_device.name_scope", default=None)
generation = 0


def _new_session() -> None:
    global generation
    generation += 1


# Registered before any cache of this package (they import this module), so it runs first.
cornu_config.register_session_state("cornu_device.scopes", on_clear=_new_session)

#: What the user asked for through the setters, for ``device_settings()``. Process-wide.
requests: dict[str, Any] = {
    "visible_devices": None,
    "intra_op_threads": None,
    "inter_op_threads": None,
    "soft_device_placement": False,
    "soft_device_placement_set": False,
}
