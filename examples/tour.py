# SPDX-License-Identifier: Apache-2.0
"""A tour of cornu: run it with `hatch run tour` from the repository root.

It shows the settings and where each comes from, then each package at work.
"""

from __future__ import annotations

import os
import tempfile

import cornu


def section(title: str) -> None:
    print(f"\n── {title} " + "─" * max(0, 60 - len(title)))


def tour_config() -> None:
    section("settings, and where each value comes from")
    for name, s in cornu.config.settings().items():
        print(f"  {name:22} {s.value!r:18} {s.source}")
    print(f"  config file: {cornu.config.config_path()}")
    cornu.config.set_floatx("float64")
    print(f"  after set_floatx('float64'): floatx={cornu.config.floatx()!r} "
          f"({cornu.config.settings()['floatx'].source})")
    cornu.config.set_floatx("float32")
    with tempfile.TemporaryDirectory() as folder:
        path = cornu.config.save_config(os.path.join(folder, "cornu.json"))
        print(f"  save_config wrote {os.path.getsize(path)} bytes atomically to a temp folder")


def main() -> None:
    print(f"cornu {cornu.__version__}, backend {cornu.config.backend()!r}")
    tour_config()


if __name__ == "__main__":
    main()
