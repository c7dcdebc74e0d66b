# SPDX-License-Identifier: Apache-2.0
# Package: cornu-utils 0.1.0 (module cornu_utils.files)
# Source: https://github.com/cornu-project/cornu/blob/main/packages/utils/src/cornu_utils/files.py
# Copyable: this one file stands alone. It imports only the standard library at the top,
# `requests` on the first HTTP(S) download, and cornu's settings and Progbar only when they are
# installed (each through a guarded import with a plain fallback).
"""Download, cache, verify and safely extract files: ``get_file`` and its helpers.

``get_file`` keeps Keras 3's signature and return values and adds what Keras lacks: a temp file
beside the target hashed while it downloads and published by an atomic rename, a cross-process
lock (N processes fetch a file once), HTTP Range resume, retries with backoff, timeouts,
``file://`` origins, mirrors, an offline mode, algorithm-prefixed hashes, HTML-page detection,
and archive extraction that validates every member and runs once per archive content.

Example:
    >>> import os, tempfile, pathlib
    >>> from cornu_utils.files import get_file
    >>> src = pathlib.Path(tempfile.mkdtemp(), "data.txt")
    >>> _ = src.write_text("hello")
    >>> path = get_file(origin=src.as_uri(), cache_dir=tempfile.mkdtemp(),
    ...                 file_hash="md5:5d41402abc4b2a76b9719d911017c592")
    Downloading data from file://...data.txt
    >>> open(path).read()
    'hello'
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import tarfile

# The rest of the standard library this file uses (hashlib, json, logging, queue, shutil,
# tarfile, tempfile, threading, urllib, zipfile) is imported where it is needed, so importing
# cornu_utils stays cheap.

try:  # cornu's traceback filtering when installed; a no-op decorator when copied alone
    from cornu_config import filter_traceback as _filter_traceback
except ImportError:  # pragma: no cover - exercised by the copy test

    def _filter_traceback(fn: Callable) -> Callable:
        return fn


__all__ = ["DownloadError", "extract_archive", "get_file", "hash_file", "validate_file"]

try:  # the installed package's version; the header's when this file is copied alone
    from cornu_utils.__about__ import __version__ as _VERSION
except ImportError:  # pragma: no cover
    _VERSION = "0.1.0"

_CHUNK = 1 << 20  # receive/write/hash unit
_NBUF = 8  # ring of receive buffers shared with the hashing thread (8 MiB in flight at most)
_BACKOFF = 0.25  # seconds before the first retry; doubles each time, capped at _BACKOFF_MAX
_BACKOFF_MAX = 8.0
_PROGRESS_DELAY = 0.5  # seconds before a progress bar appears
_PREFIXES = ("sha256", "sha512", "md5", "blake2b", "sha1", "sha384", "sha224", "blake2s")
_CASELESS_FS = sys.platform in ("darwin", "win32")


class DownloadError(OSError):
    """A file could not be fetched from any of its URLs (after retries)."""


class _Retry(Exception):
    """An HTTP status or short body worth retrying (5xx, 429, connection cut)."""

    def __init__(self, msg: str, retry_after: float | None = None):
        super().__init__(msg)
        self.retry_after = retry_after


class _Fatal(Exception):
    """Wraps an error that must not be retried on the same URL."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


class _SinkError(Exception):
    """A local write failed (disk full, permissions): never retried."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


# --------------------------------------------------------------------------- messages


def _logger() -> Any:
    import logging

    return logging.getLogger("cornu")


def _interactive() -> bool:
    try:
        from cornu_config import is_interactive_logging_enabled
    except ImportError:
        return True
    return bool(is_interactive_logging_enabled())


def _say(msg: str) -> None:
    try:
        from cornu_config import print_msg
    except ImportError:
        if _interactive():
            print(msg, flush=True)
        else:  # pragma: no cover
            _logger().info(msg)
        return
    print_msg(msg)


class _PlainBar:
    """Fallback progress when cornu's Progbar is not importable: throttled, never a flood."""

    def __init__(self, target: int | None):
        self.target, self.tty = target, sys.stdout.isatty()
        self.last = 0.0

    def update(self, current: int, finalize: bool | None = None) -> None:
        now = time.monotonic()
        if not finalize and now - self.last < (0.1 if self.tty else 10.0):
            return
        self.last = now
        total = f"/{self.target / 2**20:.1f}" if self.target else ""
        start = "\r" if self.tty else ""
        end = "\n" if finalize or not self.tty else ""
        sys.stdout.write(f"{start}{current / 2**20:.1f}{total} MiB{end}")
        sys.stdout.flush()


class _Progress:
    """Progbar with interactive logging on, throttled `cornu` log lines otherwise.

    Nothing is drawn for a download that ends within ``_PROGRESS_DELAY`` seconds: small files
    stay quiet, as pip does.
    """

    def __init__(self, total: int | None, start: int, label: str):
        self.total, self.label, self.start = total, label, start
        self.t0, self.last = time.monotonic(), 0.0
        self.bar: Any = None
        self.log = not _interactive()

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last < (5.0 if self.log else 0.05) or now - self.t0 < _PROGRESS_DELAY:
            return
        self.last = now
        if self.log:
            if self.total:
                _logger().info("%s: %d%% (%d of %d bytes)", self.label, 100 * done // self.total, done, self.total)
            return
        if self.bar is None:
            try:
                from cornu_utils.progbar import Progbar
            except ImportError:
                self.bar = _PlainBar(self.total)
            else:
                self.bar = Progbar(target=self.total)
        self.bar.update(done)

    def finish(self, done: int) -> None:
        if self.bar is not None:
            self.bar.update(done, finalize=True)
        secs = max(time.monotonic() - self.t0, 1e-9)
        _logger().info("%s: %d bytes in %.2f s (%.1f MB/s)", self.label, done, secs, (done - self.start) / secs / 1e6)


# --------------------------------------------------------------------------- hashing


def _new_hasher(algorithm: Any, arg: str = "algorithm") -> Any:
    if not isinstance(algorithm, str):
        if hasattr(algorithm, "update") and hasattr(algorithm, "hexdigest"):
            return algorithm
        raise ValueError(f"`{arg}` must be a hashlib algorithm name or a hasher object. Received: {arg}={algorithm!r}")
    import hashlib

    name = algorithm.lower()
    try:
        return hashlib.new(name)
    except (ValueError, TypeError):
        raise ValueError(
            f"`{arg}` must be one of 'auto', {', '.join(repr(p) for p in _PREFIXES)} or another hashlib "
            f"algorithm. Received: {arg}={algorithm!r}"
        ) from None


def _parse_hash(file_hash: Any, algorithm: Any = "auto", arg: str = "file_hash") -> tuple[str, str]:
    """``(algorithm, lower-case hex digest)`` from ``"sha256:ab12…"`` or a bare digest."""
    text = str(file_hash).strip()
    prefix, sep, rest = text.partition(":")
    if sep:
        name, digest = prefix.strip().lower(), rest.strip().lower()
        try:
            _new_hasher(name, arg)
        except ValueError:
            raise ValueError(
                f"`{arg}` has an unknown algorithm prefix {prefix!r}; use one of "
                f"{', '.join(p + ':' for p in _PREFIXES)} or another hashlib name. Received: {arg}={file_hash!r}"
            ) from None
    else:
        digest = text.lower()
        name = algorithm.lower() if isinstance(algorithm, str) else getattr(algorithm, "name", "")
        if name in ("auto", ""):  # Keras: 64 hex digits are sha256, anything else md5; cornu adds sha512
            name = {64: "sha256", 128: "sha512"}.get(len(digest), "md5")
    size = _new_hasher(name, arg).digest_size * 2
    if len(digest) != size or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(
            f"`{arg}` must be a {name} hex digest of {size} characters, optionally prefixed with the "
            f"algorithm ('sha256:…', 'sha512:…', 'md5:…', 'blake2b:…'). Received: {arg}={file_hash!r}"
        )
    return name, digest


def _hash_stream(readinto: Callable[[memoryview], int], hasher: Any, chunk: int) -> None:
    buf = memoryview(bytearray(chunk))
    while n := readinto(buf):
        hasher.update(buf[:n])


@_filter_traceback
def hash_file(fpath: str | os.PathLike, algorithm: Any = "sha256", chunk_size: int = 65535) -> str:
    """The hex digest of a file.

    Args:
        fpath: path of the file.
        algorithm: a hashlib name (``"sha256"``, ``"sha512"``, ``"md5"``, ``"blake2b"``, …,
            case-insensitive) or a hasher object. ``"auto"`` means md5, as in Keras.
        chunk_size: bytes read at a time.

    Returns:
        The lower-case hex digest.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp(), "hello.txt")
        >>> _ = p.write_bytes(b"hello")
        >>> hash_file(p, "md5")
        '5d41402abc4b2a76b9719d911017c592'
    """
    if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size <= 0:
        raise ValueError(f"`chunk_size` must be a positive int. Received: chunk_size={chunk_size!r}")
    hasher = _new_hasher("md5" if algorithm == "auto" else algorithm)
    with open(fpath, "rb", buffering=0) as f:
        _hash_stream(f.readinto, hasher, chunk_size)
    return hasher.hexdigest()


@_filter_traceback
def validate_file(fpath: str | os.PathLike, file_hash: str, algorithm: Any = "auto", chunk_size: int = 65535) -> bool:
    """Whether a file's hash equals ``file_hash`` (case-insensitive).

    Args:
        fpath: path of the file.
        file_hash: the expected hex digest, optionally prefixed (``"sha256:…"``, ``"sha512:…"``,
            ``"md5:…"``, ``"blake2b:…"``). Without a prefix, ``algorithm`` decides, and ``"auto"``
            picks by length as Keras does (64 digits: sha256; 128: sha512; 32: md5).
        algorithm: used for a bare digest: ``"auto"`` or a hashlib name.
        chunk_size: bytes read at a time.

    Returns:
        True when the digest matches.

    Raises:
        ValueError: ``file_hash`` is not a digest of the algorithm's length.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp(), "hello.txt")
        >>> _ = p.write_bytes(b"hello")
        >>> validate_file(p, "MD5:5D41402ABC4B2A76B9719D911017C592")
        True
    """
    name, digest = _parse_hash(file_hash, algorithm)
    return hash_file(fpath, name, chunk_size) == digest


# --------------------------------------------------------------------------- locking


class _Lock:
    """An exclusive cross-process lock on ``path`` (fcntl.flock, or msvcrt on Windows)."""

    def __init__(self, path: str, what: str):
        self.path, self.what, self.fd = path, what, -1

    def __enter__(self) -> _Lock:
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except PermissionError:  # another user's lock file in a shared cache: reading is enough for flock
            self.fd = os.open(self.path, os.O_RDONLY)
        try:
            if os.name == "nt":  # pragma: no cover - Windows only
                import msvcrt

                said = False
                while True:
                    try:
                        os.lseek(self.fd, 0, os.SEEK_SET)
                        msvcrt.locking(self.fd, msvcrt.LK_NBLCK, 1)
                        break
                    except OSError:
                        if not said:
                            _say(f"Waiting for another process to finish {self.what}")
                            said = True
                        time.sleep(0.05)
            else:
                import fcntl

                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    _say(f"Waiting for another process to finish {self.what}")
                    fcntl.flock(self.fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(self.fd)
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            if os.name == "nt":  # pragma: no cover
                import msvcrt

                os.lseek(self.fd, 0, os.SEEK_SET)
                msvcrt.locking(self.fd, msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)


# --------------------------------------------------------------------------- receiving


class _Sink:
    """Writes received chunks to a file while a second thread hashes them.

    The receive loop fills buffers from a small ring, writes each one and hands it to the
    hashing thread, which returns it to the ring: receiving, writing and hashing overlap (all
    three release the GIL) and memory stays bounded.
    """

    def __init__(self, path: str, append: bool, hasher: Any):
        import queue
        import threading

        self.file = open(path, "ab" if append else "wb")  # noqa: SIM115 - closed by close()
        self.hasher, self.size, self.head = hasher, 0, b""
        self.free: queue.SimpleQueue = queue.SimpleQueue()
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        for _ in range(_NBUF if hasher is not None else 1):
            self.free.put(bytearray(_CHUNK))
        self.thread, self.error = None, None
        if hasher is not None:
            self.thread = threading.Thread(target=self._hash_loop, name="cornu-hash", daemon=True)
            self.thread.start()

    def _hash_loop(self) -> None:
        update, get, put = self.hasher.update, self.jobs.get, self.free.put
        while (job := get()) is not None:
            try:
                if self.error is None:
                    update(memoryview(job[0])[: job[1]])
            except BaseException as e:  # keep returning buffers so the receiver never blocks
                self.error = e
            put(job[0])

    def fill(self, readinto: Callable[[Any], int]) -> int:
        buf = self.free.get()
        n = readinto(buf)
        if not n:
            self.free.put(buf)
            return 0
        try:
            self.file.write(memoryview(buf)[:n])
        except OSError as e:
            self.free.put(buf)
            raise _SinkError(e) from e
        if not self.size:
            self.head = bytes(buf[: min(n, 4096)])  # for sniffing an HTML page
        self.size += n
        (self.jobs if self.thread is not None else self.free).put((buf, n) if self.thread is not None else buf)
        return n

    def close(self) -> str | None:
        """Wait for the hashing thread, close the file, return the hex digest (or None)."""
        if self.thread is not None:
            self.jobs.put(None)
            self.thread.join()
            self.thread = None
        if self.error is not None:
            self.file.close()
            raise self.error
        try:
            self.file.close()
        except OSError as e:
            raise _SinkError(e) from e
        return self.hasher.hexdigest() if self.hasher is not None else None


def _looks_like_html(first: bytes) -> bool:
    head = first[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return True
    return head.startswith((b"<head", b"<!--", b"<meta")) and b"<html" in head


def _file_url_path(url: str) -> str:
    import urllib.parse
    import urllib.request

    parts = urllib.parse.urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return urllib.request.url2pathname("//" + parts.netloc + parts.path)
    return urllib.request.url2pathname(parts.path)


def _fetch_file_url(url: str, part: str, algo: str | None, label: str) -> str | None:
    path = _file_url_path(url)
    try:
        src = open(path, "rb", buffering=0)  # noqa: SIM115 - a `with` follows the error mapping
    except OSError as e:
        raise DownloadError(f"URL fetch failure on {url}: {e.errno} -- {e.strerror}") from e
    with src:
        total = os.fstat(src.fileno()).st_size
        sink = _Sink(part, False, _new_hasher(algo) if algo else None)
        progress = _Progress(total, 0, label)
        try:
            while sink.fill(src.readinto):
                progress.update(sink.size)
        finally:
            digest = sink.close()
        progress.finish(sink.size)
    return digest


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _fetch_http(url: str, part: str, algo: str | None, label: str, opts: dict) -> str | None:
    """Download ``url`` into ``part`` with resume and retries; return the digest of the whole file."""
    import http.client
    import json

    try:
        import requests
    except ImportError:
        raise ImportError(
            f"Downloading {url} needs `requests`: pip install 'cornu-utils[download]' (or pip install "
            "requests). file:// origins work without it."
        ) from None

    meta_path = part + ".json"
    retryable = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                 http.client.HTTPException, OSError, _Retry)
    headers = {"Accept-Encoding": "identity", "User-Agent": f"cornu/{_VERSION} python-requests/{requests.__version__}"}
    headers.update(opts.get("headers") or {})
    attempt, fresh = 0, False
    with requests.Session() as session:
        while True:
            have, validator = 0, None
            if not fresh and os.path.exists(part):
                try:
                    with open(meta_path) as f:
                        meta = json.load(f)
                except (OSError, ValueError):
                    meta = {}
                if meta.get("url") == url and (meta.get("validator") or algo):
                    have, validator = os.path.getsize(part), meta.get("validator")
            req = dict(headers)
            if have:
                req["Range"] = f"bytes={have}-"
                if validator:
                    req["If-Range"] = validator
            sink = None
            try:
                try:
                    resp = session.get(url, headers=req, stream=True, timeout=opts["timeout"])
                except (requests.exceptions.InvalidURL, requests.exceptions.SSLError) as e:
                    raise _Fatal(DownloadError(f"URL fetch failure on {url}: {type(e).__name__}: {e}")) from e
                with resp:
                    code = resp.status_code
                    if code == 416 and have:
                        fresh = True
                        raise _Retry(f"{code} -- {resp.reason} (discarding the partial download)", 0.0)
                    if code >= 500 or code in (408, 429):
                        raise _Retry(f"{code} -- {resp.reason}", _retry_after(resp.headers.get("Retry-After")))
                    if code >= 400:
                        hint = ""
                        if code in (401, 403):
                            hint = " (the server refused the request: pass `headers=` with credentials or a User-Agent it accepts)"
                        raise _Fatal(DownloadError(f"URL fetch failure on {url}: {code} -- {resp.reason}{hint}"))
                    start = 0
                    if code == 206:
                        rng = resp.headers.get("Content-Range", "")
                        try:
                            start = int(rng.split()[1].split("-")[0])
                        except (IndexError, ValueError):
                            start = -1
                        if start != have:
                            fresh = True
                            raise _Retry(f"unexpected Content-Range {rng!r} for a resume at {have}", 0.0)
                    length = resp.headers.get("Content-Length")
                    total = start + int(length) if length and length.isdigit() else None
                    ctype = resp.headers.get("Content-Type", "").lower()
                    if "text/html" in ctype and not opts["html_ok"]:
                        sample = resp.raw.read(300, decode_content=True) or b""
                        raise _Fatal(_html_error(url, ctype, sample))
                    if not start:
                        with open(meta_path, "w") as f:
                            json.dump({"url": url, "validator": resp.headers.get("ETag") or resp.headers.get("Last-Modified")}, f)
                    hasher = _new_hasher(algo) if algo else None
                    if start and hasher is not None:  # the whole file is hashed: the kept part first
                        with open(part, "rb", buffering=0) as f:
                            _hash_stream(f.readinto, hasher, _CHUNK)
                    sink = _Sink(part, bool(start), hasher)
                    fresh = False  # what is written from here on may be resumed
                    fp = getattr(resp.raw, "_fp", None)  # http.client's response: no copy, no decoding
                    readinto = fp.readinto if isinstance(fp, http.client.HTTPResponse) else resp.raw.readinto
                    progress = _Progress(total, start, label)
                    sniff = not start and not opts["html_ok"]
                    while sink.fill(readinto):
                        if sniff:
                            sniff = False
                            if _looks_like_html(sink.head):
                                raise _Fatal(_html_error(url, ctype or "unknown", sink.head))
                        progress.update(start + sink.size)
                    got = start + sink.size
                    digest, sink = sink.close(), None
                    if total is not None and got != total:
                        raise _Retry(f"connection closed after {got} of {total} bytes")
                    if start and opts["expected"] and digest != opts["expected"]:
                        fresh = True  # the kept part was not the same file: start over, once
                        _logger().info("The resumed download of %s does not match its hash; restarting it", url)
                        continue
                    progress.finish(got)
                    return digest
            except _Fatal as e:
                _close_quietly(sink)
                raise e.error from e.__cause__
            except _SinkError:
                _close_quietly(sink)
                raise
            except retryable as e:
                _close_quietly(sink)
                attempt += 1
                detail = f"{e}" if isinstance(e, _Retry) else f"{type(e).__name__}: {e}"
                if attempt > opts["retries"]:
                    raise DownloadError(f"URL fetch failure on {url}: {detail} (gave up after {attempt} attempts)") from e
                wait = getattr(e, "retry_after", None)
                wait = min(_BACKOFF_MAX, _BACKOFF * 2 ** (attempt - 1) if wait is None else wait)
                _logger().info("Retrying %s in %.2f s (attempt %d of %d): %s", url, wait, attempt + 1, opts["retries"] + 1, detail)
                time.sleep(wait)
            except BaseException:
                _close_quietly(sink)
                raise


def _close_quietly(sink: _Sink | None) -> None:
    if sink is not None:
        try:
            sink.close()
        except Exception:  # the original error matters more
            pass


def _html_error(url: str, ctype: str, sample: bytes) -> ValueError:
    snippet = sample[:200].decode("utf-8", "replace").strip()
    return ValueError(
        f"The server at {url} sent an HTML page (Content-Type: {ctype}) where a file was expected: "
        f"usually a login, quota, consent or error page rather than the data. It begins: {snippet!r}. "
        f"Check the URL or pass `mirrors=[...]`. Received: origin={url}"
    )


# --------------------------------------------------------------------------- safe extraction


class _Members:
    """Validates archive members one at a time, as they are extracted, with no system calls.

    It keeps a model of the tree being written (directories and symbolic links so far) and
    resolves every path through it, so a member can neither name a place outside the target
    nor write through a link that leads there. Files and hard links are written at once, so
    only symbolic links can change meaning later: each link remembers the names its target
    went through, and a new link at one of those names re-checks the links that depend on it
    (``p -> q/..`` is inside until ``q -> .`` arrives; then ``q`` is refused).
    """

    def __init__(self, archive: str):
        self.archive = archive
        self.links: dict[tuple[str, ...], tuple[str, list[str], list[str]]] = {}  # key -> (member, dir, target)
        self.dirs: set[tuple[str, ...]] = set()
        self.deps: dict[tuple[str, ...], set[tuple[str, ...]]] = {}  # name -> links resolved through it

    def refuse(self, name: str, why: str) -> ValueError:
        return ValueError(f"Refusing to extract {self.archive!r}: member {name!r} {why}. Nothing was written to the target.")

    def parts(self, name: str, raw: str, what: str = "has") -> list[str]:
        text = raw.replace("\\", "/")
        if "\x00" in text:
            raise self.refuse(name, f"{what} a NUL character in its path")
        if text.startswith("/") or (len(text) > 1 and text[1] == ":" and text[0].isalpha()):
            raise self.refuse(name, f"{what} an absolute path ({raw!r})")
        parts = [p for p in text.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise self.refuse(name, f"{what} a '..' component ({raw!r})")
        return parts

    def key(self, parts: list[str] | tuple[str, ...]) -> tuple[str, ...]:
        if _CASELESS_FS:  # pragma: no cover - macOS / Windows
            import unicodedata

            return tuple(unicodedata.normalize("NFC", p).casefold() for p in parts)
        return tuple(parts)

    def resolve(self, name: str, parts: list[str], link: tuple[str, ...] | None = None) -> list[str]:
        """Follow the links recorded so far; raise if the path leaves the target."""
        stack: list[str] = []
        todo, hops = list(reversed(parts)), 0
        while todo:
            p = todo.pop()
            if p in ("", "."):
                continue
            if p == "..":
                if not stack:
                    raise self.refuse(name, "leads outside the target through a link")
                stack.pop()
                continue
            k = self.key([*stack, p])
            if link is not None:
                self.deps.setdefault(k, set()).add(link)
            entry = self.links.get(k)
            if entry is not None:
                hops += 1
                if hops > 40:
                    raise self.refuse(name, "goes through a loop of links")
                todo.extend(reversed(entry[2]))
                continue
            stack.append(p)
        return stack

    def check(self, name: str, kind: str, linkname: str = "") -> bool:
        """Validate one member; False for the target itself ('./'), which is skipped."""
        parts = self.parts(name, name)
        if not parts:
            if kind == "dir":
                return False
            raise self.refuse(name, "has an empty name")
        parent = self.resolve(name, parts[:-1])
        where = [*parent, parts[-1]]
        k = self.key(where)
        if k in self.links:
            raise self.refuse(name, "replaces a symbolic link extracted earlier")
        for i in range(1, len(parent) + 1):  # written parents become real directories
            self.dirs.add(self.key(parent[:i]))
        if kind == "sym":
            text = linkname.replace("\\", "/")
            if not text or text.startswith("/") or (len(text) > 1 and text[1] == ":"):
                raise self.refuse(name, f"is a symbolic link to an absolute path ({linkname!r})")
            if k in self.dirs:
                raise self.refuse(name, "is a symbolic link replacing a directory extracted earlier")
            target = text.split("/")
            self.resolve(name, parent + target, k)
            self.links[k] = (name, parent, target)
            for other in sorted(self.deps.get(k, ())):  # links whose target went through this name
                if other != k:
                    member, where_from, their = self.links[other]
                    try:
                        self.resolve(member, where_from + their, other)
                    except ValueError:
                        raise self.refuse(name, f"makes the earlier link {member!r} lead outside the target") from None
        elif kind == "hard":
            self.resolve(name, self.parts(name, linkname, "is a hard link to"))
        elif kind == "dir":
            self.dirs.add(k)
        elif kind != "file":
            raise self.refuse(name, f"is a {kind}, which is never extracted")
        return True


def _tar_kind(m: tarfile.TarInfo) -> str:
    if m.isreg():
        return "file"
    if m.isdir():
        return "dir"
    if m.issym():
        return "sym"
    if m.islnk():
        return "hard"
    if m.ischr() or m.isblk():
        return "device file"
    if m.isfifo():
        return "FIFO"
    return f"member of unsupported type {m.type!r}"


_TAR_CLASS: Any = None


def _open_tar(archive: str) -> tarfile.TarFile:
    """``tarfile.open`` with a TarFile that never gives files the archive's owners (root would)."""
    global _TAR_CLASS
    import tarfile

    if _TAR_CLASS is None:

        class _TarFile(tarfile.TarFile):
            def chown(self, *args: Any, **kwargs: Any) -> None:
                pass

        _TAR_CLASS = _TarFile
    return _TAR_CLASS.open(archive, "r:*")


_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_OPEN_FLAGS |= getattr(os, "O_BINARY", 0)


def _write_member(tar: tarfile.TarFile, m: tarfile.TarInfo, target: str) -> None:
    """Write a regular member straight from the archive stream (tarfile's path, minus its overheads)."""
    import tarfile

    mode = (m.mode & 0o755) | 0o600  # no setuid/setgid/sticky, no group/other write
    fd = os.open(target, _OPEN_FLAGS, mode)
    with open(fd, "wb", closefd=True) as out:
        src, left = tar.fileobj, m.size
        src.seek(m.offset_data)
        while left:
            block = src.read(min(left, _CHUNK))
            if not block:
                raise tarfile.ReadError(f"unexpected end of data in member {m.name!r}")
            out.write(block)
            left -= len(block)
        out.flush()
        if os.utime in os.supports_fd:
            os.utime(fd, (m.mtime, m.mtime))
    if os.utime not in os.supports_fd:  # pragma: no cover - Windows
        os.utime(target, (m.mtime, m.mtime))


def _extract_tar(archive: str, dest: str) -> None:
    import tarfile

    check = _Members(os.path.basename(archive))
    trusted = {"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}
    dirs, made = [], {dest}
    with _open_tar(archive) as tar:
        for m in tar:  # one pass: each member is checked, then written, as the archive is read
            if not check.check(m.name, _tar_kind(m), m.linkname):
                continue
            target = os.path.join(dest, m.name.rstrip("/"))
            parent = os.path.dirname(target)
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            if m.isreg() and not m.issparse():
                _write_member(tar, m, target)
            elif m.isdir():
                if target not in made:
                    os.makedirs(target, exist_ok=True)
                    made.add(target)
                dirs.append((target, m))
            else:  # links (checked above) and sparse files: tarfile's own code
                tar.extract(m, dest, set_attrs=False, **trusted)
    for target, m in reversed(dirs):  # modes last, so a read-only directory does not block its members
        os.chmod(target, (m.mode & 0o755) | 0o700)
        os.utime(target, (m.mtime, m.mtime))


def _extract_zip(archive: str, dest: str) -> None:
    import zipfile

    check = _Members(os.path.basename(archive))
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            mode = info.external_attr >> 16
            kind = "dir" if info.is_dir() else "file"
            if stat.S_ISLNK(mode):  # zipfile writes links as small files; still refuse escaping ones
                link = zf.read(info).decode("utf-8", "replace")
                text = link.replace("\\", "/")
                if not text or text.startswith("/") or (len(text) > 1 and text[1] == ":"):
                    raise check.refuse(info.filename, f"is a symbolic link to an absolute path ({link!r})")
                where = check.parts(info.filename, info.filename)[:-1]
                check.resolve(info.filename, check.resolve(info.filename, where) + text.split("/"))
            elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
                kind = "device file"
            elif stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
                kind = "FIFO"
            if check.check(info.filename, kind):
                zf.extract(info, dest)


def _archive_kind(path: str, formats: list[str]) -> str | None:
    import tarfile
    import zipfile

    for fmt in formats:
        if fmt == "tar" and tarfile.is_tarfile(path):
            return "tar"
        if fmt == "zip" and zipfile.is_zipfile(path):
            return "zip"
    return None


def _resolve_formats(archive_format: Any) -> list[str]:
    if archive_format is None or (isinstance(archive_format, (list, tuple)) and not archive_format):
        return []
    if archive_format == "auto":
        return ["tar", "zip"]
    formats = [archive_format] if isinstance(archive_format, str) else list(archive_format)
    for fmt in formats:
        if fmt not in ("tar", "zip"):
            raise NotImplementedError(fmt)
    return formats


def _extract_to_temp(archive: str, kind: str, parent: str, prefix: str) -> str:
    import shutil
    import tempfile

    tmp = tempfile.mkdtemp(prefix=prefix, suffix=".extracting", dir=parent)
    try:
        (_extract_tar if kind == "tar" else _extract_zip)(archive, tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def _merge(src: str, dst: str) -> None:
    """Rename the entries of ``src`` into ``dst``; merge real directories, replace the rest."""
    import shutil

    with os.scandir(src) as it:
        for entry in it:
            target = os.path.join(dst, entry.name)
            is_dir = entry.is_dir(follow_symlinks=False)
            if os.path.lexists(target):
                if os.path.isdir(target) and not os.path.islink(target):
                    if is_dir:
                        _merge(entry.path, target)
                        continue
                    shutil.rmtree(target)
                elif is_dir:
                    os.unlink(target)
            os.replace(entry.path, target)


@_filter_traceback
def extract_archive(file_path: str | os.PathLike, path: str | os.PathLike = ".", archive_format: Any = "auto") -> bool:
    """Extract a tar (plain, gz, bz2, xz) or zip archive safely into ``path``.

    Every member is validated before it is written, on every Python version: absolute paths,
    ``..``, symbolic and hard links leading outside ``path`` (directly or through other links),
    devices and FIFOs raise ``ValueError`` naming the member. Members go to a temp folder inside
    ``path`` and are renamed into place only when the whole archive succeeded, so a failure
    leaves ``path`` as it was. Files get the archive's modes without setuid/setgid and
    group/other write bits, and never the archive's owners.

    Args:
        file_path: the archive.
        path: the folder to extract into (created if missing; existing entries with the same
            names are replaced, folders merged).
        archive_format: ``"auto"`` (tar, then zip), ``"tar"``, ``"zip"``, a list of those, or
            None (extract nothing).

    Returns:
        True if the archive was extracted, False if it is not of an accepted format.

    Raises:
        ValueError: a member is unsafe (nothing is extracted).
        NotImplementedError: an unknown format name, as in Keras.

    Example:
        >>> import io, os, tarfile, tempfile
        >>> d = tempfile.mkdtemp(); archive = os.path.join(d, "a.tar.gz")
        >>> with tarfile.open(archive, "w:gz") as tar:
        ...     info = tarfile.TarInfo("data/x.txt"); info.size = 2
        ...     tar.addfile(info, io.BytesIO(b"hi"))
        >>> extract_archive(archive, os.path.join(d, "out"))
        True
        >>> open(os.path.join(d, "out", "data", "x.txt")).read()
        'hi'
    """
    import shutil

    formats = _resolve_formats(archive_format)
    file_path, path = os.fspath(file_path), os.fspath(path)
    if not formats:
        return False
    if not os.path.exists(file_path):
        raise FileNotFoundError(errno.ENOENT, "No such archive", file_path)
    kind = _archive_kind(file_path, formats)
    if kind is None:
        return False
    created = not os.path.isdir(path)
    os.makedirs(path, exist_ok=True)
    try:
        tmp = _extract_to_temp(file_path, kind, path, ".cornu-")
        try:
            _merge(tmp, path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        if created:
            shutil.rmtree(path, ignore_errors=True)
        raise
    return True


# --------------------------------------------------------------------------- get_file


def _marker_path(extract_dir: str) -> str:
    return os.path.join(os.path.dirname(extract_dir), f".{os.path.basename(extract_dir)}.cornu-extracted")


def _write_marker(archive: str, marker: str, digest: str | None = None) -> None:
    import json

    st = os.stat(archive)
    data = {"archive": os.path.basename(archive), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
            "sha256": digest or hash_file(archive, "sha256", _CHUNK)}
    tmp = f"{marker}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.replace(tmp, marker)


def _extraction_current(archive: str, extract_dir: str, marker: str) -> bool:
    """True when ``extract_dir`` holds this archive's content (checked by size and mtime, then hash)."""
    import json

    if not os.path.isdir(extract_dir):
        return False
    try:
        with open(marker) as f:
            data = json.load(f)
        st = os.stat(archive)
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict) or data.get("size") != st.st_size:
        return False
    if data.get("mtime_ns") == st.st_mtime_ns:
        return True
    if data.get("sha256") != hash_file(archive, "sha256", _CHUNK):
        return False
    try:  # same content, new timestamp (re-downloaded): remember it; a read-only cache is fine
        _write_marker(archive, marker, data["sha256"])
    except OSError:
        pass
    return True


def _extract_for_cache(archive: str, extract_dir: str, archive_format: Any, digest: str | None) -> None:
    """Extract to a temp folder beside ``extract_dir``, swap it into place, write the marker."""
    import shutil

    kind = _archive_kind(archive, _resolve_formats(archive_format))
    if kind is None:
        warnings.warn("Could not extract archive.", stacklevel=4)
        return
    marker = _marker_path(extract_dir)
    parent, base = os.path.split(extract_dir)
    tmp = _extract_to_temp(archive, kind, parent, f".{base}.")
    try:
        os.chmod(tmp, 0o755)
        if os.path.exists(marker):
            os.remove(marker)
        old = None
        if os.path.lexists(extract_dir):
            old = tmp[: -len(".extracting")] + ".old"
            os.rename(extract_dir, old)
        os.rename(tmp, extract_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        if os.path.isdir(old) and not os.path.islink(old):
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.unlink(old)
    _write_marker(archive, marker, digest)


def _discard(*paths: str) -> None:
    for p in paths:
        try:
            os.remove(p)
        except FileNotFoundError:
            pass


def _download(urls: list[str], target: str, expected: tuple[str, str] | None, label: str, opts: dict) -> str | None:
    """Fetch the first URL that works into ``target`` (temp file + atomic rename); return its digest."""
    import urllib.parse

    part = target + ".part"
    algo = expected[0] if expected else None
    errors: list[Exception] = []
    for url in urls:
        _say(f"Downloading data from {url}")
        try:
            if urllib.parse.urlsplit(url).scheme.lower() == "file":
                digest = _fetch_file_url(url, part, algo, label)
            else:
                digest = _fetch_http(url, part, algo, label, opts)
        except (DownloadError, ValueError) as e:
            errors.append(e)
            if isinstance(e, ValueError) or url != urls[-1]:  # a cut download of the last URL stays
                _discard(part, part + ".json")  # for the next call to resume
            continue
        except _SinkError as e:
            _discard(part, part + ".json")
            raise e.error from None
        if expected and digest != expected[1]:
            _discard(part, part + ".json")
            errors.append(ValueError(
                f"Incomplete or corrupted file detected. The {algo} file hash of the data downloaded from "
                f"{url} does not match the provided value: expected {expected[1]}, actual {digest}. "
                f"The file was deleted."
            ))
            continue
        os.replace(part, target)
        _discard(part + ".json")
        return digest
    if len(errors) == 1:
        raise errors[0]
    text = "\n".join(f"  {url}: {e}" for url, e in zip(urls, errors))
    kind = ValueError if any(isinstance(e, ValueError) for e in errors) else DownloadError
    raise kind(f"Could not fetch {label!r} from any of its {len(urls)} URLs:\n{text}")


def _cached(path: str, expected: tuple[str, str] | None) -> bool | None:
    """True: present and valid; None: absent; False: present with another hash."""
    if not os.path.isfile(path):
        return None
    return expected is None or hash_file(path, expected[0], _CHUNK) == expected[1]


def _check_url(url: Any, arg: str) -> str:
    import urllib.parse

    if isinstance(url, os.PathLike):
        url = os.fspath(url)
    if not isinstance(url, str) or urllib.parse.urlsplit(url).scheme.lower() not in ("http", "https", "file"):
        raise ValueError(f"`{arg}` must be an http://, https:// or file:// URL. Received: {arg}={url!r}")
    return url


@_filter_traceback
def get_file(
    fname: str | os.PathLike | None = None,
    origin: str | None = None,
    untar: bool = False,
    md5_hash: str | None = None,
    file_hash: str | None = None,
    cache_subdir: str = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format: Any = "auto",
    cache_dir: str | os.PathLike | None = None,
    force_download: bool = False,
    *,
    mirrors: list[str] | tuple[str, ...] | None = None,
    offline: bool | None = None,
    timeout: float | tuple[float, float] | None = 30.0,
    retries: int = 3,
    headers: dict[str, str] | None = None,
) -> str:
    """Download a file (unless cached), verify it, optionally extract it; return its path.

    The Keras 3 signature and return values, with these differences: the file is streamed
    to ``<target>.part`` beside the target while it is hashed, and renamed into place only when
    complete and verified; concurrent callers (threads or processes) download it once; an
    interrupted download resumes with HTTP Range next time (the whole file is hashed again);
    connection errors, 5xx, 408 and 429 are retried with backoff; a hash mismatch deletes the
    file and raises; an HTML page where a file was expected is reported; archives are
    extracted safely, once per archive content. Beside each entry the cache keeps
    ``<name>.lock`` (the lock, empty), ``<name>.part`` while a download is incomplete, and
    ``.<folder>.cornu-extracted`` (what was extracted, for archives).

    Args:
        fname: file name in the cache; default: the last part of ``origin``'s path. With
            ``extract``, a name with a dot extracts to ``<name up to the dot>_extracted``, one
            without to ``<name>`` (the archive is then ``<name>_archive``), as in Keras.
        origin: ``http://``, ``https://`` or ``file://`` URL.
        untar: deprecated Keras flag: extract as tar.
        md5_hash: deprecated Keras argument: an md5 digest.
        file_hash: expected digest, ``"sha256:…"``, ``"sha512:…"``, ``"md5:…"``, ``"blake2b:…"``
            or bare (then ``hash_algorithm`` decides; ``"auto"`` picks by length: 64 hex digits
            sha256, 128 sha512, otherwise md5 as in Keras). Case-insensitive.
        cache_subdir: folder under ``cache_dir`` (an absolute path replaces it).
        hash_algorithm: algorithm of a bare ``file_hash``.
        extract: extract the archive (tar, tar.gz, tar.bz2, tar.xz, zip) and return its folder.
        archive_format: ``"auto"``, ``"tar"``, ``"zip"``, a list of those, or None.
        cache_dir: cache root; default ``$CORNU_HOME``, else ``~/.cornu``. Created if missing.
            A read-only cache works for files already in it.
        force_download: download even when a valid cached copy exists.
        mirrors: more URLs with the same content, tried in order when ``origin`` fails.
        offline: only use the cache (default: the ``CORNU_OFFLINE`` environment variable).
        timeout: seconds to wait for the server to connect or send data (a
            ``(connect, read)`` pair works too); None waits forever.
        retries: retries per URL after connection errors and 5xx/408/429 answers.
        headers: extra HTTP headers (authorization, user agent).

    Returns:
        The path of the file, or of the extraction folder with ``extract``/``untar``.

    Raises:
        ValueError: bad arguments, a hash mismatch (with expected and actual digests), an
            HTML page instead of the file, or an unsafe archive member.
        DownloadError: (an ``OSError``) no URL could be fetched.
        FileNotFoundError: offline and not cached.
        PermissionError: the cache is not writable and the file is not cached there.

    Example:
        >>> import pathlib, tempfile
        >>> src = pathlib.Path(tempfile.mkdtemp(), "numbers.csv")
        >>> _ = src.write_text("1,2,3")
        >>> cache = tempfile.mkdtemp()
        >>> path = get_file(origin=src.as_uri(), cache_dir=cache)
        Downloading data from file://...numbers.csv
        >>> path == get_file(origin=src.as_uri(), cache_dir=cache)  # cached: no download
        True
    """
    import urllib.parse

    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    urls = [_check_url(origin, "origin")]
    if mirrors is not None:
        if isinstance(mirrors, (str, bytes)) or not isinstance(mirrors, (list, tuple)):
            raise ValueError(f"`mirrors` must be a list of URLs. Received: mirrors={mirrors!r}")
        urls += [_check_url(m, "mirrors") for m in mirrors]
    if retries is None or isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValueError(f"`retries` must be an int >= 0. Received: retries={retries!r}")
    if timeout is not None:
        pair = timeout if isinstance(timeout, tuple) else (timeout,)
        if not all(isinstance(t, (int, float)) and not isinstance(t, bool) and t > 0 for t in pair):
            raise ValueError(f"`timeout` must be a positive number of seconds or None. Received: timeout={timeout!r}")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    expected = _parse_hash(file_hash, hash_algorithm) if file_hash is not None else None
    extracting = bool(extract or untar)
    if untar:
        archive_format = "tar"
    if extracting:
        _resolve_formats(archive_format)  # an unknown format fails before any download

    base = os.fspath(cache_dir) if cache_dir is not None else (os.environ.get("CORNU_HOME") or os.path.join("~", ".cornu"))
    datadir = os.path.join(os.path.expanduser(base), os.fspath(cache_subdir))
    derived = not fname
    if isinstance(fname, os.PathLike):
        fname = os.fspath(fname)
    if derived:
        fname = os.path.basename(urllib.parse.urlsplit(urls[0]).path)
        if fname in ("", ".", ".."):
            raise ValueError(
                f"Can't parse the file name from the origin provided: '{origin}'. "
                "Please specify the `fname` argument."
            )
    elif os.sep in fname or (os.altsep and os.altsep in fname) or fname in (".", ".."):
        raise ValueError(
            "Paths are no longer accepted as the `fname` argument. To specify the file's parent "
            f"directory, use the `cache_dir` argument. Received: fname={fname}"
        )
    extract_dir = None
    target = os.path.join(datadir, fname)
    if extracting:
        if not derived and "." in fname:
            extract_dir = os.path.join(datadir, fname.split(".")[0] + "_extracted")
        else:
            extract_dir, target = target, target + "_archive"
    result = extract_dir or target

    # Everything already in place? Then nothing is written (read-only caches work).
    state = None if force_download else _cached(target, expected)
    if state and (not extracting or _extraction_current(target, extract_dir, _marker_path(extract_dir))):
        return result
    is_offline = offline if offline is not None else os.environ.get("CORNU_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")
    if is_offline and not state:
        why = "was asked for a fresh download" if force_download else (
            "is not in the cache" if state is None else "is in the cache with a different hash")
        raise FileNotFoundError(
            f"Offline mode (offline=True or CORNU_OFFLINE=1): {fname!r} {why} at {target!r}, and "
            f"nothing is downloaded offline. Received: origin={origin}"
        )
    try:
        os.makedirs(datadir, exist_ok=True)
        writable = os.access(datadir, os.W_OK | os.X_OK)
        reason = "permission denied"
    except OSError as e:
        writable, reason = False, e.strerror or str(e)
    if not writable:
        raise PermissionError(
            f"The cache directory {datadir!r} is not writable ({reason}) and {fname!r} "
            + ("is not extracted there yet" if state else "is not cached there yet" if state is None
               else "is cached there with a different hash" if not force_download else "must be downloaded again")
            + f". Pass a writable `cache_dir=` or set CORNU_HOME. Received: cache_dir={cache_dir!r}"
        )
    opts = {"timeout": timeout, "retries": retries, "headers": headers,
            "html_ok": fname.lower().endswith((".html", ".htm", ".xhtml")),
            "expected": expected[1] if expected else None}
    digest, downloaded = None, False
    with _Lock(target + ".lock", f"downloading {fname!r}"):
        if not force_download and not (state and os.path.isfile(target)):
            state = _cached(target, expected)  # another process may have fetched it meanwhile
        if force_download or not state:
            if state is False:
                _say(
                    "A local file was found, but it seems to be incomplete or outdated because the "
                    f"{expected[0]} file hash does not match the original value of {expected[1]} so we "
                    "will re-download the data."
                )
            digest, downloaded = _download(urls, target, expected, fname, opts), True
        if extracting and (downloaded or not _extraction_current(target, extract_dir, _marker_path(extract_dir))):
            sha = digest if expected and expected[0] == "sha256" else None
            _extract_for_cache(target, extract_dir, archive_format, sha)
    return result
