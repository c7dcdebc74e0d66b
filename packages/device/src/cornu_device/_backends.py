# SPDX-License-Identifier: Apache-2.0
"""Choosing and loading the framework module (``cornu_device.backends.<name>``) on first use."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["BACKENDS", "backend_name", "load"]

BACKENDS = ("numpy", "torch", "jax", "tensorflow")
_EXTRA = {"numpy": "numpy", "torch": "torch", "jax": "jax", "tensorflow": "tensorflow"}
_loaded: dict[str, ModuleType] = {}


def backend_name(backend: str | None) -> str:
    """The backend to act on: ``backend`` when given (validated), else the configured one."""
    if backend is None:
        import cornu_config

        return cornu_config.backend()
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
                f'`pip install "cornu-device[{_EXTRA[backend]}]"`.'
            )
            raise ImportError(msg) from e
        _loaded[backend] = module
    return module
