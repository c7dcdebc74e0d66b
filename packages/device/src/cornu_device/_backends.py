# SPDX-License-Identifier: Apache-2.0
"""Choosing and loading the framework module (``cornu_device.backends.<name>``) on first use."""

from __future__ import annotations

import importlib
from types import ModuleType

import cornu_config

__all__ = ["BACKENDS", "FRAMEWORKS", "backend_name", "current", "load"]

BACKENDS = ("numpy", "torch", "jax", "tensorflow")
#: The module each backend imports (the key of ``sys.modules`` that says it is loaded).
FRAMEWORKS = {"numpy": "numpy", "torch": "torch", "jax": "jax", "tensorflow": "tensorflow"}
_loaded: dict[str, ModuleType] = {}
_current: list[str | None] = [None]


def _forget_backend() -> None:
    _current[0] = None


# cornu_config.backend() resolves its sources on every call (µs); scopes are entered in tight
# loops, so the backend is read once per session. set_backend() clears the session.
cornu_config.register_session_state("cornu_device.backend", on_clear=_forget_backend)


def current() -> str:
    """The configured backend, read once per session (``set_backend`` starts a new one)."""
    name = _current[0]
    if name is None:
        name = _current[0] = cornu_config.backend()
    return name


def backend_name(backend: str | None) -> str:
    """The backend to act on: ``backend`` when given (validated), else the configured one."""
    if backend is None:
        return current()
    if isinstance(backend, str) and backend.lower() in BACKENDS:
        return backend.lower()
    msg = f"Argument `backend` must be one of {BACKENDS} or None. Received: backend={backend!r}"
    raise ValueError(msg)


def load(backend: str) -> ModuleType:
    """The backend module, imported (with its framework) the first time it is needed."""
    module = _loaded.get(backend)
    if module is None:
        try:
            module = importlib.import_module(f"cornu_device.backends.{backend}")
        except ModuleNotFoundError as e:
            if e.name is None or e.name.startswith("cornu_device"):
                raise
            msg = (
                f"The {backend} backend needs {e.name}, which is not installed. Install it with "
                f'`pip install "cornu-device[{backend}]"`.'
            )
            raise ImportError(msg) from e
        _loaded[backend] = module
    return module
