# SPDX-License-Identifier: Apache-2.0
"""The one device-string grammar of cornu: ``type[:index]``, and :class:`DeviceSpec`.

Pure string parsing: no framework is imported here. Framework device objects
(``torch.device``, ``jax.Device``, ``tf.DeviceSpec``) are recognised by their attributes.
"""

from __future__ import annotations

import re
import sys
from typing import Any, NamedTuple

__all__ = ["DEVICE_TYPES", "DeviceSpec", "parse_device"]

#: The device types of the grammar, in the order devices are listed.
DEVICE_TYPES = ("cpu", "gpu", "tpu", "mps")
_SYNONYMS = {"cpu": "cpu", "gpu": "gpu", "cuda": "gpu", "tpu": "tpu", "mps": "mps"}
# Names framework objects use for the same types (torch "cuda", jax "cuda"/"rocm"/"METAL").
_NATIVE_TYPES = {**_SYNONYMS, "rocm": "gpu", "metal": "mps"}
_GRAMMAR = re.compile(r"(?:/device:|/)?([a-z]+)(?::([0-9]+))?", re.IGNORECASE | re.ASCII)
_ALLOWED = "'cpu', 'gpu' (or its synonym 'cuda'), 'tpu' or 'mps'"


class DeviceSpec(NamedTuple):
    """A device of the cornu grammar: a type and an index, printed as ``"gpu:0"``.

    Example:
        >>> from cornu_device import DeviceSpec
        >>> spec = DeviceSpec("gpu", 1)
        >>> str(spec), spec.type, spec.index
        ('gpu:1', 'gpu', 1)
    """

    type: str
    index: int = 0

    def __str__(self) -> str:
        return f"{self.type}:{self.index}"


def _invalid(value: Any, arg: str, why: str) -> ValueError:
    return ValueError(
        f"Invalid device for argument `{arg}`: {why}. Expected a string `type[:index]` with "
        f"type {_ALLOWED} and an optional non-negative index, such as 'gpu:0', 'cpu', "
        f"'/device:GPU:1', or a `torch.device` / `jax.Device` / `DeviceSpec`. "
        f"Received: {arg}={value!r}"
    )


def _from_object(value: Any, arg: str) -> DeviceSpec:
    """A DeviceSpec from a framework device object, recognised by its attributes."""
    module = type(value).__module__.split(".")[0]
    if module == "torch" and hasattr(value, "type") and hasattr(value, "index"):
        kind, index = value.type, value.index
    elif module in ("jax", "jaxlib") and hasattr(value, "platform") and hasattr(value, "id"):
        kind, index = value.platform, _jax_local_index(value)
    elif hasattr(value, "device_type") and hasattr(value, "device_index"):  # tf.DeviceSpec
        kind, index = value.device_type, value.device_index
    else:
        raise _invalid(value, arg, f"a {type(value).__name__} is not a device")
    if not isinstance(kind, str) or kind.lower() not in _NATIVE_TYPES:
        raise _invalid(value, arg, f"unknown device type {kind!r}")
    return DeviceSpec(_NATIVE_TYPES[kind.lower()], 0 if index is None else int(index))


def _jax_local_index(device: Any) -> int:
    """The position of a jax.Device among the local devices of its platform (its cornu index)."""
    jax = sys.modules.get("jax")
    if jax is not None:
        try:
            return jax.local_devices(backend=device.platform).index(device)
        except (RuntimeError, ValueError):
            pass
    return int(device.id)


def _parse(value: Any, arg: str = "name") -> DeviceSpec:
    """:func:`parse_device` with the argument name used in error messages."""
    if isinstance(value, str):
        match = _GRAMMAR.fullmatch(value)
        if match is None:
            raise _invalid(value, arg, "malformed device string")
        kind = _SYNONYMS.get(match.group(1).lower())
        if kind is None:
            raise _invalid(value, arg, f"unknown device type {match.group(1)!r}")
        index = match.group(2)
        return DeviceSpec(kind, int(index) if index else 0)
    if isinstance(value, DeviceSpec):
        if value.type not in DEVICE_TYPES or not isinstance(value.index, int) or value.index < 0:
            raise _invalid(value, arg, "not a valid DeviceSpec")
        return value
    if value is None or isinstance(value, (int, float, bytes, tuple, list, dict)):
        raise _invalid(value, arg, f"a {type(value).__name__} is not a device")
    return _from_object(value, arg)


def parse_device(name: Any) -> DeviceSpec:
    """Parse a device name of the grammar ``type[:index]`` into a :class:`DeviceSpec`.

    Case-insensitive; an optional leading ``/`` or ``/device:`` is accepted; ``cuda`` is a
    synonym of ``gpu``; the index defaults to 0. A ``torch.device``, ``jax.Device``,
    ``tf.DeviceSpec`` or ``DeviceSpec`` is accepted too. Only parses: whether the device
    exists is checked by :func:`device` and :func:`to_native`.

    Args:
        name: the device, such as ``"gpu:1"``, ``"CPU"``, ``"/device:GPU:0"``, ``"cuda:0"``.

    Returns:
        The :class:`DeviceSpec` (``str()`` gives the canonical ``"gpu:1"``).

    Raises:
        ValueError: for a malformed string, an unknown type or a value that is not a device.

    Example:
        >>> from cornu_device import parse_device
        >>> parse_device("/device:GPU:1"), str(parse_device("cuda")), parse_device("CPU").index
        (DeviceSpec(type='gpu', index=1), 'gpu:0', 0)
    """
    return _parse(name, "name")
