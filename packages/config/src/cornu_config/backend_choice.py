# SPDX-License-Identifier: Apache-2.0
"""Which framework cornu works with when no tensor says otherwise."""

from __future__ import annotations

from cornu_config import _store
from cornu_config.session import clear_session

__all__ = ["backend", "backend_setting", "set_backend"]

_detected: str | None = None


def _detect() -> str:
    """The first of torch, jax, tensorflow that is installed (found, not imported), or numpy."""
    global _detected
    if _detected is None:
        import importlib.util

        found = "numpy"
        for name in ("torch", "jax", "tensorflow"):
            if importlib.util.find_spec(name) is not None:
                found = name
                break
        _detected = found
    return _detected


def backend_setting() -> _store.Setting:
    """The backend with its source; ``"detected"`` when found from the installed frameworks."""
    setting = _store.resolve("backend")
    if setting.value is None:
        return _store.Setting(_detect(), "detected")
    return setting


def backend() -> str:
    """The configured backend: ``"numpy"``, ``"torch"``, ``"jax"`` or ``"tensorflow"``.

    First hit wins: :func:`set_backend`, ``CORNU_BACKEND``, ``KERAS_BACKEND``, ``"backend"`` in
    the config file, the first of torch, jax, tensorflow that is installed, then numpy.

    Example:
        >>> from cornu_config import backend
        >>> backend() in ("numpy", "torch", "jax", "tensorflow")
        True
    """
    return backend_setting().value


def set_backend(backend: str) -> None:
    """Switch the backend for this process, with no module reload.

    Calls :func:`clear_session` and, when the backend changes, warns that tensors already made
    stay in their framework (they are not converted).

    Args:
        backend: ``"numpy"``, ``"torch"``, ``"jax"`` or ``"tensorflow"`` (any case).

    Raises:
        ValueError: for any other name; the setting is left unchanged.

    Example:
        >>> import warnings
        >>> from cornu_config import backend, set_backend
        >>> before = backend()
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     set_backend("numpy")
        >>> backend()
        'numpy'
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     set_backend(before)
    """
    old = backend_setting().value
    new = _store.set_value("backend", backend)
    clear_session(free_memory=False)
    if new != old:
        import warnings

        warnings.warn(
            f"The cornu backend changed from {old!r} to {new!r}. Tensors, models and variables "
            f"already made are not converted; they stay {old} objects.",
            UserWarning,
            stacklevel=2,
        )


