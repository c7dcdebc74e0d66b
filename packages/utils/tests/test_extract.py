# SPDX-License-Identifier: Apache-2.0
"""extract_archive: every format, and the malicious archives of the known CVEs refused.

Each attack archive is built here, extracted next to an ``outside`` folder holding a secret
file, and the test shows the ValueError names the member and that nothing was written outside
the target (nor left inside it).
"""

from __future__ import annotations

import io
import os
import re
import stat
import tarfile
import zipfile

import pytest

from cornu_utils import extract_archive, get_file


def _tar(path, members, mode="w"):
    """members: (name, kind, payload) with kind in file/dir/sym/hard/chr/fifo; payload bytes or link."""
    with tarfile.open(path, mode) as tar:
        for name, kind, payload, *rest in members:
            info = tarfile.TarInfo(name)
            info.mode = rest[0] if rest else 0o644
            if kind == "file":
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE, "hard": tarfile.LNKTYPE,
                         "chr": tarfile.CHRTYPE, "fifo": tarfile.FIFOTYPE}[kind]
            if kind in ("sym", "hard"):
                info.linkname = payload
            if kind == "dir":
                info.mode = rest[0] if rest else 0o755
            tar.addfile(info)
    return path


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, payload, *rest in members:
            info = zipfile.ZipInfo(name)
            if rest:
                info.external_attr = rest[0] << 16
            zf.writestr(info, payload)
    return path


def _snapshot(folder):
    return sorted(
        (os.path.relpath(os.path.join(root, n), folder), os.lstat(os.path.join(root, n)).st_nlink)
        for root, dirs, files in os.walk(folder)
        for n in dirs + files
    )


@pytest.fixture
def site(tmp_path):
    """tmp/outside/secret.txt next to tmp/work/ (the archives) and tmp/work/out (the target)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    work = tmp_path / "work"
    work.mkdir()
    return tmp_path, outside, work


def _refused(site, archive, member, why=None):
    tmp_path, outside, work = site
    before = _snapshot(tmp_path / "outside")
    dest = work / "out"
    with pytest.raises(ValueError, match=re.escape(f"member {member!r}") + (f".*{why}" if why else "")):
        extract_archive(archive, dest)
    assert _snapshot(outside) == before
    assert (outside / "secret.txt").read_text() == "secret"
    assert not dest.exists()  # created for the call, removed with the failure
    assert all(n.endswith((".tar", ".zip")) for n in os.listdir(work))  # only the archives: no temp folder
    assert not (tmp_path / "evil.txt").exists()


# --------------------------------------------------------------------------- attacks (tar)


def test_path_traversal(site):
    _, _, work = site
    _refused(site, _tar(work / "a.tar", [("ok.txt", "file", b"ok"), ("../evil.txt", "file", b"x")]), "../evil.txt", "'..'")
    _refused(site, _tar(work / "b.tar", [("a/../../evil.txt", "file", b"x")]), "a/../../evil.txt")
    _refused(site, _tar(work / "c.tar", [("a\\..\\..\\evil.txt", "file", b"x")]), "a\\..\\..\\evil.txt")


def test_absolute_path(site):
    _, outside, work = site
    name = str(outside / "evil.txt")
    _refused(site, _tar(work / "a.tar", [(name, "file", b"x")]), name, "absolute")
    _refused(site, _tar(work / "b.tar", [("C:/Windows/evil.txt", "file", b"x")]), "C:/Windows/evil.txt", "absolute")


def test_symlink_then_write_through_it(site):
    # CVE-2025-12060 shape: a link to somewhere outside, then a member written through the link
    _, outside, work = site
    _refused(site, _tar(work / "a.tar", [("link", "sym", str(outside)), ("link/secret.txt", "file", b"pwned")]), "link", "absolute")
    _refused(site, _tar(work / "b.tar", [("link", "sym", "../../outside"), ("link/secret.txt", "file", b"pwned")]), "link", "outside")
    deep = [("d/e/f", "dir", None), ("d/e/f/up", "sym", "../../../.."), ("d/e/f/up/outside/secret.txt", "file", b"pwned")]
    _refused(site, _tar(work / "c.tar", deep), "d/e/f/up", "outside")


def test_link_chain_cannot_retarget_an_earlier_check(site):
    # p -> q/.. is inside while q is a folder (or nothing); q -> '.' afterwards would send p outside
    _, _, work = site
    members = [("p", "sym", "q/.."), ("q", "sym", "."), ("p/evil.txt", "file", b"x")]
    _refused(site, _tar(work / "a.tar", members), "q", "makes the earlier link 'p' lead outside")
    chained = [("a", "sym", "b/c/.."), ("b", "sym", "d"), ("d/c", "sym", ".."), ("a/evil.txt", "file", b"x")]
    _refused(site, _tar(work / "b.tar", chained), "d/c", "makes the earlier link 'a' lead outside")
    members = [("q", "dir", None), ("p", "sym", "q/.."), ("q", "sym", "."), ("p/evil.txt", "file", b"x")]
    _refused(site, _tar(work / "c.tar", members), "q", "symbolic link replacing a directory")


def test_dotdot_after_a_symlink(site):
    # keras#23015: abspath collapsed 'dir/link/..' before the link was resolved
    _, _, work = site
    members = [("dir", "dir", None), ("dir/link", "sym", "../.."), ("dir/link/../x", "file", b"x")]
    _refused(site, _tar(work / "a.tar", members), "dir/link", "outside")
    _refused(site, _tar(work / "b.tar", [("dir/l", "sym", "."), ("dir/l/../../evil.txt", "file", b"x")]), "dir/l/../../evil.txt")


def test_hard_link_to_an_outside_file(site):
    _, outside, work = site
    secret = str(outside / "secret.txt")
    _refused(site, _tar(work / "a.tar", [("h", "hard", secret), ("h", "file", b"pwned")]), "h", "absolute")
    _refused(site, _tar(work / "b.tar", [("h", "hard", "../../outside/secret.txt"), ("h", "file", b"pwned")]), "h", "'..'")
    via_link = [("l", "sym", "."), ("h", "hard", "l/../outside/secret.txt")]
    _refused(site, _tar(work / "c.tar", via_link), "h", "'..'")


def test_hard_link_whose_own_name_escapes(site):
    # keras#22973: only the link target was checked, not the member's own name
    _, _, work = site
    _refused(site, _tar(work / "a.tar", [("in.txt", "file", b"x"), ("../evil.txt", "hard", "in.txt")]), "../evil.txt")


def test_devices_and_fifos(site):
    _, _, work = site
    _refused(site, _tar(work / "a.tar", [("null", "chr", None)]), "null", "device")
    _refused(site, _tar(work / "b.tar", [("pipe", "fifo", None)]), "pipe", "FIFO")


def test_replacing_a_symlink_with_a_file(site):
    _, _, work = site
    _refused(site, _tar(work / "a.tar", [("l", "sym", "x"), ("l", "file", b"x")]), "l", "replaces a symbolic link")


def test_failure_leaves_an_existing_target_untouched(site):
    _, _, work = site
    dest = work / "out"
    dest.mkdir()
    (dest / "keep.txt").write_text("keep")
    archive = _tar(work / "a.tar.gz", [("new.txt", "file", b"n"), ("keep.txt", "file", b"overwritten"), ("../e", "file", b"")], "w:gz")
    with pytest.raises(ValueError, match=re.escape("'../e'")):
        extract_archive(archive, dest)
    assert sorted(os.listdir(dest)) == ["keep.txt"]
    assert (dest / "keep.txt").read_text() == "keep"


# --------------------------------------------------------------------------- attacks (zip)


def test_zip_attacks(site):
    _, outside, work = site
    _refused(site, _zip(work / "a.zip", [("../evil.txt", b"x")]), "../evil.txt", "'..'")
    _refused(site, _zip(work / "b.zip", [(str(outside / "evil.txt"), b"x")]), str(outside / "evil.txt"), "absolute")
    link = stat.S_IFLNK | 0o777
    _refused(site, _zip(work / "c.zip", [("l", "../../outside", link)]), "l", "outside")
    _refused(site, _zip(work / "d.zip", [("l", str(outside), link)]), "l", "absolute")
    _refused(site, _zip(work / "e.zip", [("p", b"", stat.S_IFIFO | 0o644)]), "p", "FIFO")


# --------------------------------------------------------------------------- legitimate archives


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
def test_tar_formats(tmp_path, mode):
    archive = _tar(
        tmp_path / "a.tar",
        [
            ("./", "dir", None),
            ("pkg", "dir", None, 0o755),
            ("pkg/run.sh", "file", b"#!/bin/sh\n", 0o4755),  # setuid is dropped
            ("pkg/data.txt", "file", b"data", 0o666),  # group/other write is dropped
            ("pkg/private.txt", "file", b"p", 0o600),
        ],
        mode,
    )
    assert extract_archive(archive, tmp_path / "out") is True
    out = tmp_path / "out" / "pkg"
    assert (out / "data.txt").read_bytes() == b"data"
    assert stat.S_IMODE(os.stat(out / "run.sh").st_mode) == 0o755
    assert not stat.S_IMODE(os.stat(out / "data.txt").st_mode) & 0o022
    assert stat.S_IMODE(os.stat(out / "private.txt").st_mode) == 0o600
    assert [p for p in os.listdir(tmp_path / "out") if p.startswith(".")] == []


def test_internal_links_are_kept(tmp_path):
    archive = _tar(
        tmp_path / "a.tar",
        [
            ("v1/a.txt", "file", b"a"),
            ("latest", "sym", "v1"),
            ("latest/b.txt", "file", b"b"),  # written through a link that stays inside
            ("v1/c.txt", "hard", "v1/a.txt"),
            ("v1/up", "sym", "../latest/a.txt"),
        ],
    )
    assert extract_archive(archive, tmp_path / "out")
    out = tmp_path / "out"
    assert os.readlink(out / "latest") == "v1"
    assert (out / "v1" / "b.txt").read_bytes() == b"b"
    assert os.stat(out / "v1" / "c.txt").st_ino == os.stat(out / "v1" / "a.txt").st_ino
    assert (out / "v1" / "up").read_bytes() == b"a"


def test_link_chains_in_any_order(tmp_path):
    # shared-library chains come in name order: each link names one that is not there yet
    archive = _tar(
        tmp_path / "a.tar.gz",
        [
            ("lib/libfoo.so", "sym", "libfoo.so.1"),
            ("lib/libfoo.so.1", "sym", "libfoo.so.1.2"),
            ("lib/libfoo.so.1.2", "file", b"ELF"),
            ("current", "sym", "lib"),
        ],
        "w:gz",
    )
    assert extract_archive(archive, tmp_path / "out")
    assert (tmp_path / "out" / "current" / "libfoo.so").read_bytes() == b"ELF"


def test_zip_and_merge_into_an_existing_folder(tmp_path):
    archive = _zip(tmp_path / "a.zip", [("d/", b""), ("d/x.txt", b"new"), ("top.txt", b"t")])
    dest = tmp_path / "out"
    (dest / "d").mkdir(parents=True)
    (dest / "d" / "x.txt").write_text("old")
    (dest / "d" / "other.txt").write_text("kept")
    assert extract_archive(archive, dest)
    assert (dest / "d" / "x.txt").read_text() == "new"
    assert (dest / "d" / "other.txt").read_text() == "kept"
    assert (dest / "top.txt").read_text() == "t"
    assert sorted(os.listdir(dest)) == ["d", "top.txt"]


def test_existing_symlink_in_the_target_is_replaced_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "out"
    dest.mkdir()
    os.symlink(outside, dest / "d")
    assert extract_archive(_zip(tmp_path / "a.zip", [("d/x.txt", b"x")]), dest)
    assert os.listdir(outside) == []
    assert not os.path.islink(dest / "d")
    assert (dest / "d" / "x.txt").read_bytes() == b"x"


def test_formats_and_errors_like_keras(tmp_path):
    tar = _tar(tmp_path / "a.tar", [("x.txt", "file", b"x")])
    zf = _zip(tmp_path / "a.zip", [("x.txt", b"x")])
    txt = tmp_path / "plain.txt"
    txt.write_text("not an archive")
    assert extract_archive(tar, tmp_path / "o1", archive_format=None) is False
    assert extract_archive(tar, tmp_path / "o1", archive_format=[]) is False
    assert extract_archive(zf, tmp_path / "o1", archive_format="tar") is False
    assert extract_archive(txt, tmp_path / "o1") is False
    assert not (tmp_path / "o1").exists()
    with pytest.raises(NotImplementedError, match="rar"):
        extract_archive(tar, tmp_path / "o1", archive_format="rar")
    with pytest.raises(FileNotFoundError):
        extract_archive(tmp_path / "missing.tar", tmp_path / "o1")
    assert extract_archive(zf, tmp_path / "o2", archive_format=["tar", "zip"]) is True


def test_get_file_refuses_a_malicious_archive(tmp_path):
    archive = _tar(tmp_path / "evil.tar.gz", [("ok.txt", "file", b"ok"), ("../../evil.txt", "file", b"x")], "w:gz")
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match=re.escape("'../../evil.txt'")):
        get_file(origin=archive.as_uri(), cache_dir=cache, extract=True)
    datadir = cache / "datasets"
    assert sorted(os.listdir(datadir)) == ["evil.tar.gz_archive", "evil.tar.gz_archive.lock"]
    assert not (tmp_path / "evil.txt").exists()
