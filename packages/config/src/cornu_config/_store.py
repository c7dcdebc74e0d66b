# SPDX-License-Identifier: Apache-2.0
"""Where setting values come from: setter, ``CORNU_*``, ``KERAS_*``, config file, default.

Nothing here runs at import. Environment variables are read on every lookup (so a change made
with ``os.environ`` is seen at once); the config file is read on first use, cached per path,
and read again when it changes on disk.
"""

from __future__ import annotations

import os
import threading
from typing import Any, NamedTuple

from cornu_config._spec import SPECS

__all__ = [
    "Setting", "config_home", "config_path", "get", "resolve", "restore", "set_value", "snapshot", "unset",
]

_lock = threading.RLock()
_set: dict[str, Any] = {}
_file_cache: dict[str, tuple[tuple[int, int] | None, dict[str, Any]]] = {}
_warned: set[str] = set()
_MISSING = object()


class Setting(NamedTuple):
    """A setting's current value and where it came from.

    ``source`` is ``"setter"``, ``"env:<VAR>"``, ``"file"``, ``"detected"`` or ``"default"``.
    """

    value: Any
    source: str


def config_home() -> str:
    """The cornu folder: ``$CORNU_HOME`` when set and not empty, else ``~/.cornu``."""
    home = os.environ.get("CORNU_HOME", "").strip()
    return os.path.abspath(os.path.expanduser(home or os.path.join("~", ".cornu")))


def config_path() -> str:
    """The path of the config file, ``<config_home()>/cornu.json``; it may not exist."""
    return os.path.join(config_home(), "cornu.json")


def _read_file(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return {}
    except OSError as e:
        _warn_once(path, f"cornu could not read its config file {path} ({e}); it is ignored.")
        return {}
    import json  # here, not at import: keeps `import cornu_config` cheap

    try:
        data = json.loads(text)
    except ValueError as e:
        _warn_once(path, f"The cornu config file {path} is not valid JSON ({e}); it is ignored.")
        return {}
    if not isinstance(data, dict):
        kind = type(data).__name__
        _warn_once(path, f"The cornu config file {path} holds a JSON {kind}, not an object; it is ignored.")
        return {}
    return data


def _warn_once(key: str, message: str) -> None:
    if key not in _warned:
        import warnings

        _warned.add(key)
        warnings.warn(message, UserWarning, stacklevel=4)


def file_values(path: str | None = None) -> dict[str, Any]:
    """The parsed config file (``{}`` when absent or unusable).

    Cached per path and re-read when the file's modification time or size changes, so a file
    written while the process runs is seen; the cost of a lookup is one ``stat``.
    """
    path = path or config_path()
    try:
        st = os.stat(path)
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None
    cached = _file_cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        if cached is not None and cached[0] != stamp:
            _warned.discard(path)  # new content: say again if it is unusable
        data = _read_file(path) if stamp is not None else {}
        _file_cache[path] = (stamp, data)
    return data


def forget_file(path: str | None = None) -> None:
    """Drop the cached copy of the config file so the next lookup reads it again."""
    with _lock:
        if path is None:
            _file_cache.clear()
            _warned.clear()
        else:
            _file_cache.pop(path, None)
            _warned.discard(path)


def resolve(name: str) -> Setting:
    """Resolve ``name`` through setter, env vars, file and default; validate what is found."""
    value = _set.get(name, _MISSING)
    if value is not _MISSING:
        return Setting(value, "setter")
    spec = SPECS[name]
    if spec.env is not None:
        for prefix in ("CORNU_", "KERAS_"):
            var = prefix + spec.env
            text = os.environ.get(var)
            if text is not None and text.strip():
                return Setting(spec.from_env_text(text, var), f"env:{var}")
    if spec.in_file:
        path = config_path()
        raw = file_values(path).get(name)
        if raw is not None:
            try:
                return Setting(spec.check(raw, name), "file")
            except ValueError as e:
                msg = f"Invalid value in the cornu config file {path}: {e}"
                raise ValueError(msg) from None
    return Setting(spec.default, "default")


def get(name: str) -> Any:
    """The value of ``name`` (see :func:`resolve`)."""
    return resolve(name).value


def set_value(name: str, value: Any) -> Any:
    """Validate and store ``value`` as the setter value of ``name``; return the stored value."""
    checked = SPECS[name].check(value, name)
    with _lock:
        _set[name] = checked
    return checked


def snapshot() -> dict[str, Any]:
    """A copy of the setter values (for tests and tools that must restore them)."""
    with _lock:
        return dict(_set)


def restore(saved: dict[str, Any]) -> None:
    """Put back setter values taken with :func:`snapshot`; others are forgotten."""
    with _lock:
        _set.clear()
        _set.update(saved)


def unset(name: str) -> None:
    """Forget the setter value of ``name`` so env vars, file and default apply again."""
    with _lock:
        _set.pop(name, None)
