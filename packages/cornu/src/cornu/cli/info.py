# SPDX-License-Identifier: Apache-2.0
"""``cornu info``: versions, the backend and every setting with its source, for bug reports."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from importlib import metadata
from typing import Any

import cornu_config

__all__ = ["add_parser", "collect"]

PACKAGES = ("cornu", "cornu-config", "cornu-device", "cornu-utils", "cornu-data", "cornu-parallel")
LIBRARIES = ("numpy", "torch", "jax", "jaxlib", "tensorflow", "tensorflow-cpu", "keras", "h5py", "requests")


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


FRAMEWORKS = {"numpy": "numpy", "torch": "torch", "jax": "jax", "tensorflow": "tensorflow"}


def _devices() -> dict[str, Any]:
    """Devices each installed framework sees (this imports the frameworks), or why not."""
    import importlib.util

    from cornu_device import list_devices

    out: dict[str, Any] = {}
    for backend, module in FRAMEWORKS.items():
        if importlib.util.find_spec(module) is None:
            continue
        try:
            out[backend] = list_devices(backend=backend)
        except Exception as e:  # a broken framework install is what a bug report must show
            out[backend] = f"error: {type(e).__name__}: {e}"
    return out


def _device_settings() -> list[dict[str, Any]]:
    from cornu_device import device_settings

    return [row._asdict() for row in device_settings()]


def collect(devices: bool = True) -> dict[str, Any]:
    """Everything ``cornu info`` prints, as plain data; ``devices`` imports each framework."""
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": {d: _version(d) for d in PACKAGES},
        "libraries": {d: v for d in LIBRARIES if (v := _version(d)) is not None},
        "settings": {
            name: {"value": s.value, "source": s.source}
            for name, s in cornu_config.settings().items()
        },
        "config_path": cornu_config.config_path(),
        "cache_dir": os.path.join(os.path.dirname(cornu_config.config_path()), "datasets"),
        "device_settings": _device_settings(),
        "devices": _devices() if devices else None,
    }


def _print_text(data: dict[str, Any]) -> None:
    print(f"python      {data['python']} ({data['platform']})")
    print("packages:")
    for name, version in data["packages"].items():
        print(f"  {name:22} {version or 'not installed'}")
    print("libraries:")
    for name, version in data["libraries"].items():
        print(f"  {name:22} {version}")
    print("settings:")
    for name, s in data["settings"].items():
        print(f"  {name:22} {s['value']!r:18} {s['source']}")
    print(f"config file {data['config_path']}")
    print(f"cache dir   {data['cache_dir']}")
    print("device settings (requested / effective / took effect):")
    for row in data["device_settings"]:
        print(f"  {row['name']:22} {row['requested']!r:14} {row['effective']!r:14} {row['took_effect']}")
    if data["devices"] is not None:
        print("devices:")
        for backend, found in data["devices"].items():
            print(f"  {backend:22} {found}")


def run(args: argparse.Namespace) -> int:
    data = collect(devices=not args.no_devices)
    if args.json:
        print(json.dumps(data, indent=2, default=str))
    else:
        _print_text(data)
    return 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser("info", help="print versions, backend and settings (for bug reports)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument(
        "--no-devices", action="store_true", help="skip listing devices (which imports each framework)"
    )
    p.set_defaults(run=run)
