# SPDX-License-Identifier: Apache-2.0
"""Session state: ``clear_session``, ``get_uid`` and the state other packages register.

Scopes (device, name scope, custom objects) are context-local: each thread and asyncio task has
its own. ``clear_session()`` must still reset them everywhere, so every :class:`SessionState`
stores its value together with the session *generation* it was set in; ``clear_session()``
starts a new generation, and a value from an older one reads as the default. This resets the
state of every thread at once without touching their contexts.
"""

from __future__ import annotations

import contextvars
import gc
import itertools
import sys
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["SessionState", "clear_session", "get_uid", "register_session_state"]

T = TypeVar("T")

_lock = threading.Lock()
_generation = 0
_states: dict[str, SessionState[Any]] = {}
_on_clear: dict[str, Callable[[], None]] = {}
_uids: dict[str, itertools.count[int]] = {}


class SessionState(Generic[T]):
    """A context-local value that ``clear_session()`` resets in every thread.

    Made by :func:`register_session_state`. ``set`` returns a token for ``reset``, as
    ``contextvars.ContextVar`` does; a token stays valid across a ``clear_session()``.

    Example:
        >>> from cornu_config import register_session_state, clear_session
        >>> stack = register_session_state("doc_example_stack", tuple)
        >>> token = stack.set(("outer",))
        >>> stack.get()
        ('outer',)
        >>> clear_session(free_memory=False)
        >>> stack.get()
        ()
        >>> stack.reset(token)
    """

    __slots__ = ("_default", "_var", "name")

    def __init__(self, name: str, default_factory: Callable[[], T]) -> None:
        self.name = name
        self._default = default_factory
        self._var: contextvars.ContextVar[tuple[int, T]] = contextvars.ContextVar(f"cornu.{name}")

    def get(self) -> T:
        """The value in this context, or a fresh default if none was set this session."""
        entry = self._var.get(None)
        if entry is None or entry[0] != _generation:
            return self._default()
        return entry[1]

    def set(self, value: T) -> contextvars.Token[tuple[int, T]]:
        """Set the value in this context; returns a token for :meth:`reset`."""
        return self._var.set((_generation, value))

    def reset(self, token: contextvars.Token[tuple[int, T]]) -> None:
        """Restore the value from before the ``set`` that returned ``token``."""
        self._var.reset(token)

    def __repr__(self) -> str:
        return f"SessionState({self.name!r}, value={self.get()!r})"


def register_session_state(
    name: str,
    default_factory: Callable[[], T] | None = None,
    *,
    on_clear: Callable[[], None] | None = None,
) -> SessionState[T] | None:
    """Register state that ``clear_session()`` resets.

    Args:
        name: a unique name, such as ``"cornu_device.name_scope_stack"``. Registering the same
            name again returns the state already registered (so a module reloaded keeps it).
        default_factory: builds the default value of a context-local :class:`SessionState`.
            When given, the state is returned.
        on_clear: a callable run by every ``clear_session()`` (for process-wide caches).

    Returns:
        The :class:`SessionState` when ``default_factory`` is given, else ``None``.

    Raises:
        ValueError: when ``name`` is not a non-empty string or neither callable is given.

    Example:
        >>> from cornu_config import register_session_state
        >>> counter = register_session_state("doc_example_counter", lambda: 0)
        >>> counter.get()
        0
    """
    if not isinstance(name, str) or not name:
        msg = f"`name` must be a non-empty string. Received: name={name!r}"
        raise ValueError(msg)
    if default_factory is None and on_clear is None:
        msg = (
            "Pass `default_factory` (context-local state) or `on_clear` (a reset callback), or "
            f"both. Received: name={name!r}, default_factory=None, on_clear=None"
        )
        raise ValueError(msg)
    for arg, value in (("default_factory", default_factory), ("on_clear", on_clear)):
        if value is not None and not callable(value):
            msg = f"`{arg}` must be callable or None. Received: {arg}={value!r}"
            raise ValueError(msg)
    with _lock:
        if on_clear is not None:
            _on_clear[name] = on_clear
        if default_factory is None:
            return None
        state = _states.get(name)
        if state is None:
            state = SessionState(name, default_factory)
            _states[name] = state
        return state


def get_uid(prefix: str = "") -> int:
    """A counter per prefix: 1, 2, 3, … until ``clear_session()`` restarts it.

    Example:
        >>> from cornu_config import get_uid, clear_session
        >>> clear_session(free_memory=False)
        >>> get_uid("dense"), get_uid("dense"), get_uid("conv")
        (1, 2, 1)
    """
    counter = _uids.get(prefix)
    if counter is None:
        with _lock:
            counter = _uids.setdefault(prefix, itertools.count(1))
    return next(counter)


def _clear_framework_caches() -> None:
    """Clear caches of the frameworks that are already imported; never import one."""
    torch = sys.modules.get("torch")
    if torch is not None:
        dynamo = sys.modules.get("torch._dynamo")
        if dynamo is not None:
            dynamo.reset()
        cuda = getattr(torch, "cuda", None)
        if cuda is not None and cuda.is_initialized():
            cuda.empty_cache()
    jax = sys.modules.get("jax")
    if jax is not None and hasattr(jax, "clear_caches"):
        jax.clear_caches()
    keras = sys.modules.get("keras")
    if keras is not None and hasattr(keras, "backend"):
        keras.backend.clear_session(free_memory=False)
    tf = sys.modules.get("tensorflow")
    if tf is not None and hasattr(tf, "compat"):
        try:
            tf.compat.v1.reset_default_graph()
        except AssertionError:
            pass  # inside a graph's `as_default()` block: TensorFlow refuses, as it should


def clear_session(free_memory: bool = True) -> None:
    """Reset session state: names, scopes, counters and framework caches; keep settings.

    Restarts :func:`get_uid` counters, resets every state registered with
    :func:`register_session_state` (name-scope stacks, device scopes, custom-object scopes) in
    every thread, clears the caches of frameworks already imported (torch's dynamo and CUDA
    cache, ``jax.clear_caches()``, TensorFlow's default graph and a loaded Keras session), and
    runs the garbage collector when ``free_memory`` is true. Unlike Keras, it changes no setting:
    traceback filtering, logging, safe mode and flash attention keep their values.

    Args:
        free_memory: run ``gc.collect()`` afterwards (skip it in tight loops).

    Example:
        >>> from cornu_config import clear_session, get_uid
        >>> _ = get_uid("x")
        >>> clear_session(free_memory=False)
        >>> get_uid("x")
        1
    """
    global _generation
    with _lock:
        _generation += 1
        _uids.clear()
        callbacks = list(_on_clear.values())
    for callback in callbacks:
        callback()
    _clear_framework_caches()
    if free_memory:
        gc.collect()
