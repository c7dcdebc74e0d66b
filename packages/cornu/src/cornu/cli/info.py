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


def collect() -> dict[str, Any]:
    """Everything ``cornu info`` prints, as plain data (imports no framework)."""
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


def run(args: argparse.Namespace) -> int:
    data = collect()
    if args.json:
        print(json.dumps(data, indent=2, default=str))
    else:
        _print_text(data)
    return 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser("info", help="print versions, backend and settings (for bug reports)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(run=run)
