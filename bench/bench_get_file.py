# SPDX-License-Identifier: Apache-2.0
"""Downloading a 512 MiB file from a local server (127.0.0.1), with and without a sha256 check:
cornu's ``get_file`` beside ``keras.utils.get_file``, ``pooch.retrieve``, a plain ``requests``
download (1 MiB chunks, hashing in the same loop when checked) and ``curl``.

The server runs in its own process and sends the file with ``sendfile``, so it costs the client
as little as possible. Files live on tmpfs (``/dev/shm``) when there is one, so the tools are
compared rather than the disk's write-back (``--dir DIR`` to work elsewhere). Every download goes to a fresh cache folder; the tools run in turn in each
round (fair to all under changing load) and the figure is the median MB/s. ``--size-mib N``
changes the size; every temp file is removed at the end.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from harness import Row

TITLE = "get_file: 512 MiB from 127.0.0.1 (median MB/s; ratio = reference MB/s / cornu MB/s)"

_SERVER = r"""
import http.server, os, socketserver, sys
ROOT = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        path = os.path.join(ROOT, os.path.basename(self.path))
        size = os.path.getsize(path)
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        with open(path, "rb") as f:
            self.connection.sendfile(f)
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"""


def _make_file(path: str, size: int) -> str:
    hasher = hashlib.sha256()
    block = os.urandom(1 << 20)
    with open(path, "wb") as f:
        for i in range(size >> 20):
            chunk = block[i % 251 :] + block[: i % 251]  # distinct blocks, cheap to make
            f.write(chunk)
            hasher.update(chunk)
    return hasher.hexdigest()


def run(args, rest) -> list[Row]:
    from cornu_utils import get_file

    size_mib = 64 if args.quick else 512
    if "--size-mib" in rest:
        size_mib = int(rest[rest.index("--size-mib") + 1])
    rounds = 1 if args.quick else 3
    where = None  # --dir DIR: work there (default: tmpfs when present, so the tools are timed, not the disk)
    if "--dir" in rest:
        where = rest[rest.index("--dir") + 1]
    elif os.access("/dev/shm", os.W_OK):
        where = "/dev/shm"
    work = tempfile.mkdtemp(prefix="cornu-bench-get-file-", dir=where)
    server = None
    try:
        serve = os.path.join(work, "serve")
        os.makedirs(serve)
        sha = _make_file(os.path.join(serve, "big.bin"), size_mib << 20)
        server = subprocess.Popen([sys.executable, "-c", _SERVER, serve], stdout=subprocess.PIPE, text=True)
        url = f"http://127.0.0.1:{int(server.stdout.readline())}/big.bin"
        cache = os.path.join(work, "cache")

        def cornu(check: bool) -> None:
            get_file("big.bin", url, cache_dir=cache, file_hash=sha if check else None)

        def plain_requests(check: bool) -> None:
            import requests

            hasher = hashlib.sha256()
            with requests.get(url, stream=True, timeout=30) as r, open(os.path.join(cache, "big.bin"), "wb") as f:
                for chunk in r.iter_content(1 << 20):
                    f.write(chunk)
                    if check:
                        hasher.update(chunk)
            assert not check or hasher.hexdigest() == sha

        def curl(check: bool) -> None:
            subprocess.run(["curl", "-sS", "-o", os.path.join(cache, "big.bin"), url], check=True)

        tools = {"cornu get_file": cornu, "requests (1 MiB chunks)": plain_requests}
        if shutil.which("curl"):
            tools["curl (no hash)"] = curl
        with contextlib.suppress(ImportError):
            os.environ.setdefault("KERAS_BACKEND", "numpy")
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            import keras

            keras.config.disable_interactive_logging()
            logging.getLogger("absl").setLevel(logging.ERROR)

            def keras_get_file(check: bool) -> None:
                keras.utils.get_file("big.bin", url, cache_dir=cache, file_hash=sha if check else None)

            tools["keras.utils.get_file"] = keras_get_file
        with contextlib.suppress(ImportError):
            import pooch

            pooch.get_logger().setLevel(logging.ERROR)

            def pooch_retrieve(check: bool) -> None:
                pooch.retrieve(url, f"sha256:{sha}" if check else None, fname="big.bin", path=cache, progressbar=False)

            tools["pooch.retrieve"] = pooch_retrieve

        speeds: dict[tuple[str, bool], list[float]] = {}
        for _ in range(rounds):
            for check in (False, True):
                for name, fn in tools.items():
                    if name.startswith("curl") and check:
                        continue
                    os.makedirs(cache)  # Keras would otherwise silently use /tmp/.keras
                    with contextlib.redirect_stdout(io.StringIO()):
                        start = time.perf_counter()
                        fn(check)
                        elapsed = time.perf_counter() - start
                    shutil.rmtree(cache)
                    speeds.setdefault((name, check), []).append((size_mib << 20) / elapsed / 1e6)
        mbs = {key: statistics.median(v) for key, v in speeds.items()}
        rows = []
        for check in (False, True):  # curl (no hash) is the yardstick of both
            mine = mbs[("cornu get_file", check)]
            tag = "sha256 checked" if check else "no hash"
            for (name, c), ref in mbs.items():
                if name != "cornu get_file" and (c == check or name.startswith("curl")):
                    rows.append(Row(f"get_file {size_mib} MiB, {tag}", mine, ref, name, "MB/s", higher_is_better=True,
                                extra={"in": where or tempfile.gettempdir()}))
        return rows
    finally:
        if server is not None:
            server.kill()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)
