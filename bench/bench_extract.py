# SPDX-License-Identifier: Apache-2.0
"""Safe extraction of a tar.gz holding 10,000 small files: cornu's ``extract_archive`` beside
Keras's ``extract_archive``, ``tarfile`` with ``filter="data"`` and ``tar -xzf``.

Every tool extracts into a fresh folder; the figure is the median wall time. The folder is on
tmpfs (``/dev/shm``) when there is one, so the tools are compared rather than the disk;
``--dir DIR`` extracts elsewhere. cornu validates
every member (no absolute paths, ``..``, escaping links, devices) without a ``realpath`` call
per member and writes into a temp folder renamed into place. The temp folder is removed at the
end.
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import subprocess
import tarfile
import tempfile
import time

from harness import Row

TITLE = "extract a tar.gz of 10,000 small files (median wall time)"


def _build(path: str, n_files: int) -> None:
    rng = __import__("random").Random(0)
    with tarfile.open(path, "w:gz", compresslevel=6) as tar:
        for d in range(n_files // 100):
            info = tarfile.TarInfo(f"dataset/class_{d:03d}")
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
            for i in range(100):
                data = bytes(rng.getrandbits(8) for _ in range(rng.randint(200, 2000)))
                info = tarfile.TarInfo(f"dataset/class_{d:03d}/sample_{i:04d}.bin")
                info.size, info.mode, info.mtime = len(data), 0o644, 1_700_000_000
                tar.addfile(info, io.BytesIO(data))


def _median(fn, dest_root: str, repeat: int) -> float:
    times = []
    for r in range(repeat + 1):  # one warm-up run, not counted
        dest = os.path.join(dest_root, f"out{r}")
        start = time.perf_counter()
        fn(dest)
        elapsed = time.perf_counter() - start
        if r:
            times.append(elapsed)
        shutil.rmtree(dest)
    return statistics.median(times)


def run(args, rest) -> list[Row]:
    from cornu_utils import extract_archive

    n_files = 2_000 if args.quick else 10_000
    repeat = 1 if args.quick else 3
    where = None  # --dir DIR: extract there (default: tmpfs when present, so the tools are timed, not the disk)
    if "--dir" in rest:
        where = rest[rest.index("--dir") + 1]
    elif os.access("/dev/shm", os.W_OK):
        where = "/dev/shm"
    work = tempfile.mkdtemp(prefix="cornu-bench-extract-", dir=where)
    try:
        archive = os.path.join(work, "small_files.tar.gz")
        _build(archive, n_files)
        size = os.path.getsize(archive) / 2**20

        def cornu(dest: str) -> None:
            assert extract_archive(archive, dest)

        def data_filter(dest: str) -> None:
            with tarfile.open(archive) as tar:
                tar.extractall(dest, filter="data")

        def gnu_tar(dest: str) -> None:
            os.makedirs(dest)
            subprocess.run(["tar", "-xzf", archive, "-C", dest], check=True)

        refs = {'tarfile filter="data"': data_filter}
        if shutil.which("tar"):
            refs["tar -xzf"] = gnu_tar
        try:
            os.environ.setdefault("KERAS_BACKEND", "numpy")
            from keras.src.utils.file_utils import extract_archive as keras_extract

            def keras(dest: str) -> None:
                assert keras_extract(archive, dest)

            refs = {"keras extract_archive": keras, **refs}
        except ImportError:
            pass

        results = {name: _median(fn, work, repeat) for name, fn in {"cornu": cornu, **refs}.items()}
        label = f"{n_files} files, {size:.1f} MiB tar.gz, in {where or tempfile.gettempdir()}"
        return [
            Row(f"extract_archive ({label})", results["cornu"] * 1000, t * 1000, name, "ms")
            for name, t in results.items()
            if name != "cornu"
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
