# SPDX-License-Identifier: Apache-2.0
"""Per-framework code of cornu_parallel, one module per backend, imported on first use."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

__all__ = ["load"]

_EXTRA = {"torch": "torch", "jax": "jax", "tensorflow": "tensorflow"}


def load(backend: str) -> ModuleType:
    """The backend module (``cornu_parallel.backends.<backend>``); ImportError names the extra."""
    if backend not in ("numpy", "torch", "jax", "tensorflow"):
        msg = (
            "`backend` must be one of 'numpy', 'torch', 'jax', 'tensorflow'. "
            f"Received: backend={backend!r}"
        )
        raise ValueError(msg)
    framework = _EXTRA.get(backend)
    if framework is not None and importlib.util.find_spec(framework) is None:
        msg = (
            f"The {backend} backend of cornu_parallel needs {framework}: "
            f'pip install "cornu-parallel[{framework}]"'
        )
        raise ImportError(msg)
    return importlib.import_module(f"cornu_parallel.backends.{backend}")


def __dir__() -> list[str]:
    return list(__all__)
