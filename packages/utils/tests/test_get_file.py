# SPDX-License-Identifier: Apache-2.0
"""get_file: Keras 3 behaviour (file:// origins) and what cornu adds, against a real local server."""

from __future__ import annotations

import concurrent.futures
import hashlib
import inspect
import io
import json
import logging
import os
import socket
import subprocess
import sys
import tarfile
import time
import zipfile

import pytest

pytest.importorskip("requests")

import cornu_config
from cornu_utils import DownloadError, get_file
from cornu_utils import files as files_mod

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB, not text, not HTML
SHA256 = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch):
    monkeypatch.setattr(files_mod, "_BACKOFF", 0.01)
    monkeypatch.delenv("CORNU_OFFLINE", raising=False)


def _source(tmp_path, name="data.txt", content=b"Hello, World!"):
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    path = src / name
    path.write_bytes(content)
    return path


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _read(path, text=False):
    with open(path, "r" if text else "rb") as f:
        return f.read()


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".part", ".extracting", ".old", ".tmp")))


# --------------------------------------------------------------------------- Keras semantics


def test_file_origin_downloads_once_then_uses_cache(tmp_path, capsys):
    src = _source(tmp_path)
    path = get_file(origin=src.as_uri(), cache_dir=tmp_path / "cache")
    assert path == str(tmp_path / "cache" / "datasets" / "data.txt")
    assert _read(path) == b"Hello, World!"
    assert "Downloading data from file://" in capsys.readouterr().out
    assert get_file(origin=src.as_uri(), cache_dir=tmp_path / "cache") == path
    assert capsys.readouterr().out == ""


def test_argument_errors(tmp_path):
    with pytest.raises(ValueError, match='specify the "origin"'):
        get_file("x.txt")
    with pytest.raises(ValueError, match="Paths are no longer accepted"):
        get_file("a/b.txt", "file:///tmp/b.txt", cache_dir=tmp_path)
    for origin in ("http://127.0.0.1/dir/", "http://127.0.0.1/dir/.", "http://127.0.0.1/dir/.."):
        with pytest.raises(ValueError, match="Can't parse the file name"):
            get_file(origin=origin, cache_dir=tmp_path)
    with pytest.raises(ValueError, match=r"Received: origin='ftp://x/y'"):
        get_file(origin="ftp://x/y", cache_dir=tmp_path)
    with pytest.raises(ValueError, match=r"Received: retries=-1"):
        get_file(origin="file:///x/y", cache_dir=tmp_path, retries=-1)
    with pytest.raises(ValueError, match=r"Received: timeout=0"):
        get_file(origin="file:///x/y", cache_dir=tmp_path, timeout=0)
    with pytest.raises(ValueError, match=r"Received: mirrors='http"):
        get_file(origin="file:///x/y", cache_dir=tmp_path, mirrors="http://a/b")
    with pytest.raises(NotImplementedError, match="rar"):
        get_file(origin="file:///x/y.rar", cache_dir=tmp_path, extract=True, archive_format="rar")
    assert not (tmp_path / "datasets").exists()  # nothing fetched or created on bad input


def test_cache_locations(tmp_path, monkeypatch):
    src = _source(tmp_path)
    absolute = tmp_path / "elsewhere"
    assert get_file(origin=src.as_uri(), cache_dir=tmp_path / "c", cache_subdir=str(absolute)) == str(
        absolute / "data.txt"
    )
    missing = tmp_path / "does" / "not" / "exist"  # created, never a silent move to /tmp
    assert get_file(origin=src.as_uri(), cache_dir=missing) == str(missing / "datasets" / "data.txt")
    monkeypatch.setenv("CORNU_HOME", str(tmp_path / "home"))
    assert get_file(origin=src.as_uri()) == str(tmp_path / "home" / "datasets" / "data.txt")


def test_unwritable_cache_is_a_clear_error(tmp_path):
    src = _source(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(PermissionError, match=r"not writable.*Received: cache_dir="):
        get_file(origin=src.as_uri(), cache_dir=blocker / "cache")


def test_read_only_cache_serves_cached_files_and_extractions(tmp_path, monkeypatch):
    src = _source(tmp_path, "a.tar.gz", _tar_gz({"x.txt": b"x"}))
    cache = tmp_path / "cache"
    plain = get_file(origin=src.as_uri(), cache_dir=cache, fname="copy.bin", file_hash=hashlib.md5(src.read_bytes()).hexdigest())
    extracted = get_file(origin=src.as_uri(), cache_dir=cache, extract=True)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "read-only file system")

    monkeypatch.setattr(os, "makedirs", refuse)
    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(files_mod, "_Lock", refuse)
    assert get_file(origin=src.as_uri(), cache_dir=cache, fname="copy.bin", file_hash=hashlib.md5(src.read_bytes()).hexdigest()) == plain
    assert get_file(origin=src.as_uri(), cache_dir=cache, extract=True) == extracted
    with pytest.raises(PermissionError, match=r"not writable.*'new\.bin' is not cached there yet"):
        get_file(origin=src.as_uri(), cache_dir=cache, fname="new.bin")
    with pytest.raises(PermissionError, match=r"'copy\.bin' is cached there with a different hash"):
        get_file(origin=src.as_uri(), cache_dir=cache, fname="copy.bin", file_hash="0" * 32)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores directory modes")
def test_read_only_directory_mode(tmp_path):
    src = _source(tmp_path)
    cache = tmp_path / "cache"
    path = get_file(origin=src.as_uri(), cache_dir=cache)
    os.chmod(cache / "datasets", 0o555)
    try:
        assert get_file(origin=src.as_uri(), cache_dir=cache) == path
        with pytest.raises(PermissionError, match="not writable"):
            get_file(origin=src.as_uri(), cache_dir=cache, fname="other.txt")
    finally:
        os.chmod(cache / "datasets", 0o755)


def test_extraction_targets_match_keras(tmp_path):
    tgz = _source(tmp_path, "test.tar.gz", _tar_gz({"a/x.txt": b"x"}))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("m.txt", "m")
    zsrc = _source(tmp_path, "data.zip", buf.getvalue())
    cache = tmp_path / "c"
    datadir = cache / "datasets"
    assert get_file("test.tar.gz", tgz.as_uri(), cache_dir=cache, extract=True) == str(datadir / "test_extracted")
    assert (datadir / "test_extracted" / "a" / "x.txt").read_bytes() == b"x"
    assert (datadir / "test.tar.gz").is_file()
    assert get_file("mydata", zsrc.as_uri(), cache_dir=cache, extract=True) == str(datadir / "mydata")
    assert (datadir / "mydata" / "m.txt").read_text() == "m"
    assert (datadir / "mydata_archive").is_file()
    assert get_file(origin=tgz.as_uri(), cache_dir=cache, extract=True) == str(datadir / "test.tar.gz")
    assert (datadir / "test.tar.gz" / "a" / "x.txt").is_file()
    assert (datadir / "test.tar.gz_archive").is_file()
    assert _leftovers(datadir) == []


def test_not_an_archive_warns_like_keras(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("m.txt", "m")
    zsrc = _source(tmp_path, "z.zip", buf.getvalue())
    with pytest.warns(UserWarning, match="Could not extract archive"):
        path = get_file("z.zip", zsrc.as_uri(), cache_dir=tmp_path / "c", untar=True)
    assert path.endswith("z_extracted")
    assert not os.path.exists(path)
    txt = _source(tmp_path)
    with pytest.warns(UserWarning, match="Could not extract archive"):
        get_file(origin=txt.as_uri(), cache_dir=tmp_path / "c", extract=True)


def test_extracts_once_per_archive_content(tmp_path):
    src = _source(tmp_path, "d.tar.gz", _tar_gz({"x.txt": b"one"}))
    cache = tmp_path / "c"
    out = get_file(origin=src.as_uri(), cache_dir=cache, extract=True)
    marker_file = os.path.join(out, "x.txt")
    with open(marker_file, "w") as f:
        f.write("edited by the user")  # a second call must not extract again
    assert get_file(origin=src.as_uri(), cache_dir=cache, extract=True) == out
    assert _read(marker_file, text=True) == "edited by the user"
    src.write_bytes(_tar_gz({"x.txt": b"two", "y.txt": b"new"}))  # new content upstream
    assert get_file(origin=src.as_uri(), cache_dir=cache, extract=True, force_download=True) == out
    assert _read(marker_file, text=True) == "two"
    assert os.path.exists(os.path.join(out, "y.txt"))
    assert _leftovers(cache / "datasets") == []


def test_hashes_prefixes_and_case(tmp_path):
    src = _source(tmp_path)
    data = src.read_bytes()
    for i, h in enumerate(
        (
            hashlib.sha256(data).hexdigest().upper(),
            "md5:" + hashlib.md5(data).hexdigest(),
            "SHA512:" + hashlib.sha512(data).hexdigest(),
            "blake2b:" + hashlib.blake2b(data).hexdigest(),
            hashlib.sha512(data).hexdigest(),  # bare, 128 digits: sha512
        )
    ):
        assert _read(get_file(f"f{i}", src.as_uri(), cache_dir=tmp_path / "c", file_hash=h)) == data
    assert get_file("m", src.as_uri(), cache_dir=tmp_path / "c", md5_hash=hashlib.md5(data).hexdigest())
    with pytest.raises(ValueError, match=r"Received: file_hash='sha256:xyz'"):
        get_file("bad", src.as_uri(), cache_dir=tmp_path / "c", file_hash="sha256:xyz")


def test_hash_mismatch_deletes_and_raises(tmp_path):
    src = _source(tmp_path)
    actual = hashlib.sha256(src.read_bytes()).hexdigest()
    with pytest.raises(ValueError, match=rf"expected {'0' * 64}, actual {actual}"):
        get_file(origin=src.as_uri(), cache_dir=tmp_path / "c", file_hash="0" * 64)
    datadir = tmp_path / "c" / "datasets"
    assert sorted(p.name for p in datadir.iterdir()) == ["data.txt.lock"]  # no file, no part
    # and a later call without a hash does not find a corrupt file (Keras would return it)
    assert _read(get_file(origin=src.as_uri(), cache_dir=tmp_path / "c")) == b"Hello, World!"


def test_stale_cached_file_is_redownloaded(tmp_path, capsys):
    src = _source(tmp_path)
    path = get_file(origin=src.as_uri(), cache_dir=tmp_path / "c")
    src.write_bytes(b"new content")
    assert _read(get_file(origin=src.as_uri(), cache_dir=tmp_path / "c")) == b"Hello, World!"
    new_hash = hashlib.sha256(b"new content").hexdigest()
    capsys.readouterr()
    assert get_file(origin=src.as_uri(), cache_dir=tmp_path / "c", file_hash=new_hash) == path
    assert "hash does not match the original value" in capsys.readouterr().out
    assert _read(path) == b"new content"


def test_force_download(tmp_path):
    src = _source(tmp_path)
    path = get_file(origin=src.as_uri(), cache_dir=tmp_path / "c")
    src.write_bytes(b"v2")
    assert _read(get_file(origin=src.as_uri(), cache_dir=tmp_path / "c", force_download=True)) == b"v2"
    assert _read(path) == b"v2"


def test_missing_file_origin(tmp_path):
    with pytest.raises(DownloadError, match="URL fetch failure on file://"):
        get_file(origin=(tmp_path / "nope.txt").as_uri(), cache_dir=tmp_path / "c")


# --------------------------------------------------------------------------- offline


def test_offline_uses_only_the_cache(tmp_path, monkeypatch, http_server):
    url = http_server.add("/f.bin", PAYLOAD)
    with pytest.raises(FileNotFoundError, match=r"Offline mode.*not in the cache"):
        get_file(origin=url, cache_dir=tmp_path, offline=True)
    monkeypatch.setenv("CORNU_OFFLINE", "1")
    with pytest.raises(FileNotFoundError, match="CORNU_OFFLINE=1"):
        get_file(origin=url, cache_dir=tmp_path)
    assert http_server.hits("/f.bin") == []
    path = get_file(origin=url, cache_dir=tmp_path, offline=False)  # the argument outranks the env var
    assert get_file(origin=url, cache_dir=tmp_path, file_hash=SHA256) == path
    assert len(http_server.hits("/f.bin")) == 1


# --------------------------------------------------------------------------- HTTP


def test_http_download_with_hash(tmp_path, http_server):
    url = http_server.add("/f.bin", PAYLOAD)
    path = get_file(origin=url, cache_dir=tmp_path, file_hash="sha256:" + SHA256)
    assert _read(path) == PAYLOAD
    hit = http_server.hits("/f.bin")[0]
    assert hit["Accept-Encoding"] == "identity"
    assert hit["User-Agent"].startswith("cornu/")
    assert _leftovers(tmp_path / "datasets") == []


def test_chunked_response_without_length(tmp_path, http_server, monkeypatch):
    url = http_server.add("/c.bin", PAYLOAD, chunked=True)
    monkeypatch.setattr(files_mod, "_PROGRESS_DELAY", 0.0)  # a bar with an unknown total works too
    assert _read(get_file(origin=url, cache_dir=tmp_path, file_hash=SHA256)) == PAYLOAD


def test_extra_headers_are_sent(tmp_path, http_server):
    url = http_server.add("/f.bin", PAYLOAD)
    get_file(origin=url, cache_dir=tmp_path, headers={"Authorization": "Bearer t"})
    assert http_server.hits("/f.bin")[0]["Authorization"] == "Bearer t"


def test_resume_after_the_connection_drops(tmp_path, http_server):
    url = http_server.add("/f.bin", PAYLOAD, drop_after=300_000)
    path = get_file(origin=url, cache_dir=tmp_path, file_hash=SHA256)
    assert _read(path) == PAYLOAD
    hits = http_server.hits("/f.bin")
    assert len(hits) == 2
    assert "Range" not in hits[0]
    assert hits[1]["Range"] == "bytes=300000-"
    assert hits[1]["If-Range"] == '"v1"'


def test_interrupted_download_never_sits_in_the_cache_and_resumes_later(tmp_path, http_server):
    url = http_server.add("/f.bin", PAYLOAD, drop_after=400_000, drops=10)
    with pytest.raises(DownloadError, match="after 400000 of 1048576 bytes"):
        get_file(origin=url, cache_dir=tmp_path, retries=0)
    datadir = tmp_path / "datasets"
    assert not (datadir / "f.bin").exists()
    assert (datadir / "f.bin.part").stat().st_size == 400_000
    http_server.routes["/f.bin"].drops = 0
    path = get_file(origin=url, cache_dir=tmp_path, file_hash=SHA256)  # a later call resumes
    assert _read(path) == PAYLOAD
    assert http_server.hits("/f.bin")[-1]["Range"] == "bytes=400000-"
    assert _leftovers(datadir) == []


def test_resume_of_a_different_file_starts_over(tmp_path, http_server):
    url = http_server.add("/f.bin", PAYLOAD)
    datadir = tmp_path / "datasets"
    datadir.mkdir()
    (datadir / "f.bin.part").write_bytes(b"\xff" * 1000)  # not the start of PAYLOAD
    (datadir / "f.bin.part.json").write_text(json.dumps({"url": url, "validator": '"v1"'}))
    path = get_file(origin=url, cache_dir=tmp_path, file_hash=SHA256)  # whole-hash re-check catches it
    assert _read(path) == PAYLOAD
    assert [h.get("Range") for h in http_server.hits("/f.bin")] == ["bytes=1000-", None]


def test_server_ignoring_range_restarts_cleanly(tmp_path, http_server):
    url = http_server.add("/f.bin", PAYLOAD, ranges=False)
    datadir = tmp_path / "datasets"
    datadir.mkdir()
    (datadir / "f.bin.part").write_bytes(PAYLOAD[:5000])
    (datadir / "f.bin.part.json").write_text(json.dumps({"url": url, "validator": '"v1"'}))
    assert _read(get_file(origin=url, cache_dir=tmp_path)) == PAYLOAD


def test_retries_503_then_succeeds(tmp_path, http_server):
    url = http_server.add("/f.bin", PAYLOAD, statuses=[503, 503])
    assert _read(get_file(origin=url, cache_dir=tmp_path, file_hash=SHA256)) == PAYLOAD
    assert len(http_server.hits("/f.bin")) == 3


def test_retries_honour_retry_after_and_give_up(tmp_path, http_server):
    url = http_server.add("/f.bin", PAYLOAD, statuses=[503, 502, 500], retry_after="0")
    with pytest.raises(DownloadError, match=r"502.*gave up after 2 attempts"):
        get_file(origin=url, cache_dir=tmp_path, retries=1)
    assert len(http_server.hits("/f.bin")) == 2
    assert not (tmp_path / "datasets" / "f.bin").exists()


def test_client_errors_are_not_retried(tmp_path, http_server):
    with pytest.raises(DownloadError, match=r"URL fetch failure on http://127\.0\.0\.1:\d+/missing: 404"):
        get_file(origin=http_server.url("/missing"), cache_dir=tmp_path)
    assert len(http_server.hits("/missing")) == 1


def test_timeout(tmp_path, http_server):
    url = http_server.add("/slow.bin", PAYLOAD, delay=2.0)
    with pytest.raises(DownloadError, match="Timeout"):
        get_file(origin=url, cache_dir=tmp_path, timeout=0.2, retries=0)


def test_html_page_is_reported(tmp_path, http_server):
    page = b"<!DOCTYPE html><html><body>Google Drive - quota exceeded</body></html>"
    url = http_server.add("/model.h5", page, content_type="text/html; charset=utf-8")
    with pytest.raises(ValueError, match=r"HTML page.*quota exceeded"):
        get_file(origin=url, cache_dir=tmp_path)
    sniffed = http_server.add("/weights.bin", page, content_type="application/octet-stream")
    with pytest.raises(ValueError, match="HTML page"):
        get_file(origin=sniffed, cache_dir=tmp_path)
    assert sorted(p.name for p in (tmp_path / "datasets").iterdir()) == ["model.h5.lock", "weights.bin.lock"]
    wanted = http_server.add("/index.html", page, content_type="text/html")
    assert _read(get_file(origin=wanted, cache_dir=tmp_path)) == page


def test_mirrors_are_tried_in_order(tmp_path, http_server):
    good = http_server.add("/mirror/f.bin", PAYLOAD)
    path = get_file("f.bin", http_server.url("/gone/f.bin"), cache_dir=tmp_path, mirrors=[good], file_hash=SHA256)
    assert _read(path) == PAYLOAD
    wrong = http_server.add("/wrong/f.bin", PAYLOAD[::-1])
    with pytest.raises(ValueError, match=r"any of its 2 URLs:\n.*404.*\n.*Incomplete or corrupted"):
        get_file("g.bin", http_server.url("/gone/f.bin"), cache_dir=tmp_path, mirrors=[wrong], file_hash=SHA256)


def test_progress_goes_to_the_cornu_logger_when_not_interactive(tmp_path, http_server, capsys, caplog, monkeypatch):
    url = http_server.add("/f.bin", PAYLOAD)
    monkeypatch.setattr(files_mod, "_PROGRESS_DELAY", 0.0)
    cornu_config.disable_interactive_logging()
    try:
        with caplog.at_level(logging.INFO, logger="cornu"):
            get_file(origin=url, cache_dir=tmp_path)
    finally:
        cornu_config.enable_interactive_logging()
    assert capsys.readouterr().out == ""
    text = caplog.text
    assert "Downloading data from " + url in text
    assert "f.bin: 1048576 bytes" in text


def test_progress_bar_when_interactive(tmp_path, http_server, capsys, monkeypatch):
    url = http_server.add("/f.bin", PAYLOAD)
    monkeypatch.setattr(files_mod, "_PROGRESS_DELAY", 0.0)
    monkeypatch.setattr(files_mod, "_CHUNK", 64 * 1024)
    get_file(origin=url, cache_dir=tmp_path)
    out = capsys.readouterr().out
    assert out.startswith("Downloading data from ")
    assert "1048576/1048576" in out or "1.0/1.0 MiB" in out  # cornu's Progbar, or the copyable fallback


# --------------------------------------------------------------------------- processes

_CHILD = """
import sys
from cornu_utils import get_file
print("ready", flush=True)
sys.stdin.readline()  # all children start together, whatever their import time
print(get_file(origin=sys.argv[1], cache_dir=sys.argv[2], file_hash=sys.argv[3]))
"""


def test_processes_download_once(tmp_path, http_server):
    url = http_server.add("/shared.bin", PAYLOAD, delay=1.0)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, url, str(tmp_path), SHA256],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(4)
    ]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready", p.stderr.read()
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        outs = [p.communicate(timeout=60) for p in procs]
    finally:
        for p in procs:
            p.kill()
    assert [p.returncode for p in procs] == [0] * 4, outs
    paths = {out.strip().splitlines()[-1] for out, _ in outs}
    assert paths == {str(tmp_path / "datasets" / "shared.bin")}
    assert len(http_server.hits("/shared.bin")) == 1
    assert _read(paths.pop()) == PAYLOAD
    assert sum("Waiting for another process" in out for out, _ in outs) >= 1  # they did meet the lock


def test_threads_download_once(tmp_path, http_server):
    url = http_server.add("/t.bin", PAYLOAD, delay=0.3)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        paths = set(pool.map(lambda _: get_file(origin=url, cache_dir=tmp_path, file_hash=SHA256), range(4)))
    assert paths == {str(tmp_path / "datasets" / "t.bin")}
    assert len(http_server.hits("/t.bin")) == 1


def test_connection_refused_is_retried_then_reported(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DownloadError, match=rf"127\.0\.0\.1:{port}/x\.bin: ConnectionError.*gave up after 3 attempts"):
        get_file(origin=f"http://127.0.0.1:{port}/x.bin", cache_dir=tmp_path, retries=2)
    assert not (tmp_path / "datasets" / "x.bin").exists()


def test_keras_3_signature():
    names = list(inspect.signature(get_file).parameters)
    assert names[:11] == [
        "fname", "origin", "untar", "md5_hash", "file_hash", "cache_subdir", "hash_algorithm",
        "extract", "archive_format", "cache_dir", "force_download",
    ]
    kinds = {p.kind for p in list(inspect.signature(get_file).parameters.values())[11:]}
    assert kinds == {inspect.Parameter.KEYWORD_ONLY}  # cornu's additions never shift Keras's positions


_SLOW_CHILD = """
import sys
from cornu_utils import files, get_file
files._CHUNK = 16 * 1024  # the file reaches the disk in small pieces (1 MiB otherwise)
get_file(origin=sys.argv[1], cache_dir=sys.argv[2])
"""


def test_killed_download_leaves_no_file_and_no_lock(tmp_path, http_server):
    url = http_server.add("/slow.bin", PAYLOAD, trickle=(16 * 1024, 0.05))
    child = subprocess.Popen([sys.executable, "-c", _SLOW_CHILD, url, str(tmp_path)], stdout=subprocess.DEVNULL)
    part = tmp_path / "datasets" / "slow.bin.part"
    try:
        deadline = time.monotonic() + 60
        while not (part.exists() and part.stat().st_size > 0):
            assert child.poll() is None, "the child ended before it was killed"
            assert time.monotonic() < deadline, "the child never started receiving"
            time.sleep(0.02)
    finally:
        child.kill()  # SIGKILL: no cleanup code runs in the child
        child.wait()
    assert not (tmp_path / "datasets" / "slow.bin").exists()
    kept = part.stat().st_size
    assert 0 < kept < len(PAYLOAD)
    http_server.routes["/slow.bin"].trickle = None
    path = get_file(origin=url, cache_dir=tmp_path, file_hash=SHA256)  # the lock died with the child
    assert _read(path) == PAYLOAD
    assert http_server.hits("/slow.bin")[-1]["Range"].startswith("bytes=")


def test_refusal_hint_and_tls_errors_are_not_retried(tmp_path, http_server, monkeypatch):
    url = http_server.add("/private.bin", PAYLOAD, statuses=[403])
    with pytest.raises(DownloadError, match=r"403 -- Forbidden \(the server refused the request: pass `headers=`"):
        get_file(origin=url, cache_dir=tmp_path)
    monkeypatch.setattr(files_mod, "_BACKOFF", 30.0)  # a retry would make this test hang for minutes
    start = time.monotonic()
    with pytest.raises(DownloadError, match="SSLError"):
        get_file(origin=http_server.url("/x.bin").replace("http://", "https://"), cache_dir=tmp_path, retries=3)
    assert time.monotonic() - start < 20
