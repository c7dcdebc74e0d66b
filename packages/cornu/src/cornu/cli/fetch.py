# SPDX-License-Identifier: Apache-2.0
"""``cornu fetch URL``: ``get_file`` from the shell, with a progress bar; prints the path."""

from __future__ import annotations

import argparse
import os
from typing import Any
from urllib.parse import urlparse

__all__ = ["add_parser"]


def run(args: argparse.Namespace) -> int:
    from cornu_utils import get_file

    fname = args.name or os.path.basename(urlparse(args.url).path) or None
    path = get_file(
        fname=fname,
        origin=args.url,
        file_hash=args.hash,
        extract=args.extract,
        cache_dir=args.cache_dir,
        cache_subdir=args.cache_subdir,
        force_download=args.force,
    )
    print(path)
    return 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser("fetch", help="download (and check, and extract) a file into the cache")
    p.add_argument("url", help="http(s):// or file:// address of the file")
    p.add_argument("--hash", help="expected hash, e.g. sha256:<hex> (no prefix: length decides)")
    p.add_argument("--extract", action="store_true", help="extract the archive safely")
    p.add_argument("--cache-dir", help="cache folder (default $CORNU_HOME, then ~/.cornu)")
    p.add_argument("--cache-subdir", default="datasets", help="sub-folder of the cache (default datasets)")
    p.add_argument("--name", help="file name in the cache (default: the URL's last part)")
    p.add_argument("--force", action="store_true", help="download again even when cached")
    p.set_defaults(run=run)
