# SPDX-License-Identifier: Apache-2.0
"""The config file: where it is, saving it, and a report of every setting with its source."""

from __future__ import annotations

import os

from cornu_config import _store
from cornu_config._spec import SPECS
from cornu_config.backend_choice import backend_setting

__all__ = ["config_path", "save_config", "settings"]


def config_path() -> str:
    """The config file's path: ``$CORNU_HOME/cornu.json``, default ``~/.cornu/cornu.json``.

    The file may not exist; nothing is created by asking.

    Example:
        >>> from cornu_config import config_path
        >>> config_path().endswith("cornu.json")
        True
    """
    return _store.config_path()


def settings() -> dict[str, _store.Setting]:
    """Every setting's current value and where it came from.

    Returns:
        A dict from setting name to a ``Setting(value, source)`` named tuple; ``source`` is
        ``"setter"``, ``"env:CORNU_…"``/``"env:KERAS_…"``, ``"file"``, ``"detected"`` (the
        backend, found from the installed frameworks) or ``"default"``.

    Raises:
        ValueError: when an env var or the config file holds a bad value (naming it).

    Example:
        >>> from cornu_config import settings
        >>> settings()["floatx"].value
        'float32'
    """
    out = {}
    for name in SPECS:
        out[name] = backend_setting() if name == "backend" else _store.resolve(name)
    return out


def save_config(path: str | None = None) -> str:
    """Write the current settings to the config file, atomically; return its path.

    Every setting that the file can hold is written with its current value (whatever its
    source), so a new process starts where this one is. Keys the file already had that cornu
    does not know are kept. The file is written to a temporary file beside it and renamed into
    place, so a crash never leaves it half-written. Safe mode is never written.

    Args:
        path: where to write; default :func:`config_path`.

    Raises:
        ValueError: when the existing file is not a JSON object (it is left as it is).

    Example:
        >>> import os, tempfile
        >>> from cornu_config import save_config
        >>> folder = tempfile.mkdtemp()
        >>> written = save_config(os.path.join(folder, "cornu.json"))
        >>> os.path.exists(written)
        True
    """
    import json
    import tempfile

    path = os.path.abspath(os.path.expanduser(path or _store.config_path()))
    data: dict = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            data = json.loads(text) if text.strip() else {}
        except ValueError as e:
            msg = f"The existing config file is not valid JSON ({e}); fix or delete it first. Received: path={path!r}"
            raise ValueError(msg) from None
        if not isinstance(data, dict):
            msg = f"The existing config file holds a JSON {type(data).__name__}, not an object; fix or delete it first. Received: path={path!r}"
            raise ValueError(msg)
    current = settings()
    for name, spec in SPECS.items():
        if spec.in_file:
            data[name] = current[name].value
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".cornu-", suffix=".json.tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=4)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _store.forget_file(path)
    return path
