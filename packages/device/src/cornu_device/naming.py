# SPDX-License-Identifier: Apache-2.0
"""``name_scope`` with Keras semantics, and ``current_path()``.

The stack is context-local (each thread and asyncio task has its own) and ``clear_session()``
empties it everywhere. It is a linked tuple ``(parent, scope, generation)``: entering a scope
builds one tuple, and ``current_path()`` joins the names when asked.
"""

from __future__ import annotations

import sys
from typing import Any

import cornu_config
from cornu_device import _backends, _state
from cornu_device._state import NAMES

__all__ = ["current_path", "name_scope"]

_get, _set, _reset = NAMES.get, NAMES.set, NAMES.reset
_UNKNOWN = object()
_CLOSED = object()
_native: list[Any] = [_UNKNOWN]


def _forget_native() -> None:
    _native[0] = _UNKNOWN


cornu_config.register_session_state("cornu_device.native_name_scopes", on_clear=_forget_native)


def _native_scopes() -> Any:
    """``(enter, exit, guard)`` of the backend's named scope when its framework is already
    imported, else ``None``; ``getattr(*guard)`` (when not None) says whether it is worth
    opening one now.

    A name scope never imports a framework: until the framework is imported there are no ops
    whose names it could change. The answer is kept for the session once the framework is in.
    """
    backend = _backends.current()
    if backend == "numpy":
        _native[0] = None
        return None
    if _backends.FRAMEWORKS[backend] not in sys.modules:
        return None
    module = _backends.load(backend)
    native = _native[0] = (
        module.enter_name_scope, module.exit_name_scope, getattr(module, "NAME_SCOPE_GUARD", None)
    )
    return native


class name_scope:
    """A named scope: ``current_path()`` inside it gives the joined names of the open scopes.

    Keras semantics: scopes nest into ``"outer/inner"``; a scope opened by the same ``caller``
    object with the same name as the innermost open scope is not pushed again (when
    ``deduplicate``); ``override_parent`` replaces the path above this scope (leading,
    trailing and doubled ``/`` are dropped, ``""`` means the root); a ``caller`` with a
    ``_parent_path`` attribute uses it as ``override_parent`` (how a layer keeps the path
    where it was first built). The framework's own named scope opens too when the scope is
    pushed: ``tf.name_scope``, ``jax.named_scope``, and torch's ``record_function`` while a
    profiler records, so names show up in traces and in TensorFlow variable names.

    The same scope object may be entered more than once, also nested.

    Args:
        name: a non-empty string without ``/``.
        caller: the object opening the scope (compared by identity), or None.
        deduplicate: skip pushing when ``caller`` and ``name`` match the innermost scope.
        override_parent: a path replacing the parents of this scope, or None.

    Raises:
        ValueError: when ``name`` is not a non-empty string without ``/``, or
            ``override_parent`` is not a string or None.

    Example:
        >>> from cornu_device import name_scope, current_path
        >>> with name_scope("outer"):
        ...     with name_scope("inner"):
        ...         current_path()
        'outer/inner'
        >>> with name_scope("outer"):
        ...     with name_scope("middle", override_parent="/absolute/path"):
        ...         current_path()
        'absolute/path/middle'
    """

    __slots__ = ("_entry", "_outer", "caller", "deduplicate", "name", "override_parent")

    def __init__(
        self,
        name: str,
        caller: Any = None,
        deduplicate: bool = True,
        override_parent: str | None = None,
    ) -> None:
        if not isinstance(name, str) or not name or "/" in name:
            msg = (
                "Argument `name` must be a non-empty string and cannot contain character `/`. "
                f"Received: name={name!r}"
            )
            raise ValueError(msg)
        if caller is not None and override_parent is None and deduplicate:
            override_parent = getattr(caller, "_parent_path", None)
        if override_parent is not None and not isinstance(override_parent, str):
            msg = (
                "Argument `override_parent` must be a string path (such as 'outer/block') or "
                f"None. Received: override_parent={override_parent!r}"
            )
            raise ValueError(msg)
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent
        # The innermost entry of this object: its context token, or ``(token, exit, handle)``
        # when a framework scope was opened too, or None when deduplicated (nothing pushed).
        # `_outer` keeps the entries of an object entered again while open.
        self._entry: Any = _CLOSED
        self._outer: list[Any] | None = None

    def __enter__(self) -> name_scope:
        if self._entry is not _CLOSED:  # entered again while open
            if self._outer is None:
                self._outer = []
            self._outer.append(self._entry)
        top = _get()
        generation = _state.generation
        if top is not None:
            if top[2] != generation:
                top = None
            elif (
                self.caller is not None
                and self.deduplicate
                and top[1].caller is self.caller
                and top[1].name == self.name
            ):
                self._entry = None
                return self
        token = self._entry = _set((top, self, generation))
        native = _native[0]
        if native is _UNKNOWN:
            native = _native_scopes()
        if native is None or (native[2] is not None and not getattr(*native[2])):
            return self
        try:
            self._entry = (token, native[1], native[0](self.name))
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        entry = self._entry
        if entry is _CLOSED:
            return
        self._entry = self._outer.pop() if self._outer else _CLOSED
        if entry is None:
            return
        if type(entry) is not tuple:
            _reset(entry)
            return
        try:
            entry[1](entry[2])
        finally:
            _reset(entry[0])

    def __repr__(self) -> str:
        return f"<name_scope {self.name!r} caller={self.caller!r}>"


def current_path() -> str:
    """The ``/``-joined names of the name scopes open in this context (``""`` outside).

    Example:
        >>> from cornu_device import name_scope, current_path
        >>> with name_scope("block"):
        ...     current_path()
        'block'
        >>> current_path()
        ''
    """
    node = _get()
    if node is None or node[2] != _state.generation:
        return ""
    names = []
    while node is not None:
        scope = node[1]
        names.append(scope.name)
        if scope.override_parent is not None:
            names.extend(reversed([p for p in scope.override_parent.split("/") if p]))
            break
        node = node[0]
    names.reverse()
    return "/".join(names)
