# SPDX-License-Identifier: Apache-2.0
"""Fixtures for the get_file tests: a real HTTP server on 127.0.0.1, in the test process.

``http_server`` serves routes registered with ``http_server.add(path, body, ...)``; each route
can answer with a list of statuses first (``statuses=[503, 503]``), cut the connection after
some bytes (``drop_after=n`` for the first ``drops`` answers), send HTML, ignore Range, wait
before answering (``delay``) or send the body slowly (``trickle=(bytes, seconds)``). Range requests get 206 when the ``If-Range`` validator matches the ETag.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Route:
    body: bytes
    content_type: str = "application/octet-stream"
    etag: str | None = '"v1"'
    statuses: list[int] = field(default_factory=list)
    retry_after: str | None = None
    drop_after: int | None = None
    drops: int = 1
    ranges: bool = True
    delay: float = 0.0
    trickle: tuple[int, float] | None = None  # (bytes per write, seconds between writes)
    chunked: bool = False  # Transfer-Encoding: chunked, no Content-Length


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        server: _Server = self.server  # type: ignore[assignment]
        with server.lock:
            server.log.append((path, dict(self.headers.items())))
            route = server.routes.get(path)
            status = route.statuses.pop(0) if route is not None and route.statuses else None
        if route is None:
            self._simple(404, b"not found")
            return
        if route.delay:
            time.sleep(route.delay)
        if status is not None:
            self.send_response(status)
            if route.retry_after is not None:
                self.send_header("Retry-After", route.retry_after)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, start = route.body, 0
        rng = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if rng and route.ranges and (if_range is None or if_range == route.etag):
            start = int(rng.split("=")[1].split("-")[0])
            if start >= len(body):
                self._simple(416, b"")
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Type", route.content_type)
        if route.etag:
            self.send_header("ETag", route.etag)
        payload = body[start:]
        if route.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(payload), 100_000):
                piece = payload[i : i + 100_000]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        with server.lock:
            drop = route.drop_after is not None and route.drops > 0
            if drop:
                route.drops -= 1
        if drop:
            self.wfile.write(payload[: route.drop_after])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if route.trickle is None:
            self.wfile.write(payload)
            return
        step, pause = route.trickle
        try:
            for i in range(0, len(payload), step):
                self.wfile.write(payload[i : i + step])
                self.wfile.flush()
                time.sleep(pause)
        except OSError:  # the client went away
            self.close_connection = True

    def _simple(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()

    def add(self, path: str, body: bytes, **options: object) -> str:
        """Serve ``body`` at ``path``; return its URL."""
        self.routes[path] = Route(body, **options)  # type: ignore[arg-type]
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def hits(self, path: str) -> list[dict[str, str]]:
        """Headers of every request made for ``path``."""
        with self.lock:
            return [h for p, h in self.log if p == path]


@pytest.fixture
def http_server():
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
