# SPDX-License-Identifier: Apache-2.0
"""Copyable files stand alone: each is copied into an empty folder and used from a fresh
interpreter in which every ``cornu`` / ``cornu_*`` import fails, as in a project that copied
the file and never installed cornu.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import textwrap

import pytest
from cornu_testing import ROOT

# Runs first in the child: cornu cannot be imported (the file must fall back), the copy folder
# is the only extra path.
_PRELUDE = """
import importlib.abc, sys
BLOCKED = sys.argv[2].split(",") if len(sys.argv) > 2 and sys.argv[2] else []
class _NoCornu(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "cornu" or name.startswith("cornu_") or name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not installed in this test")
        return None
sys.meta_path.insert(0, _NoCornu())
sys.path.insert(0, sys.argv[1])
"""

_FILES_SMOKE = """
import hashlib, io, os, sys, tarfile, tempfile, threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import files
assert sorted(files.__all__) == ["DownloadError", "extract_archive", "get_file", "hash_file", "validate_file"]
loaded = sorted(m for m in sys.modules if m.startswith("cornu") or m in ("requests", "numpy"))
assert loaded == [], loaded  # stdlib only at import

work = tempfile.mkdtemp()
src = os.path.join(work, "data.bin")
payload = os.urandom(300_000)
with open(src, "wb") as f:
    f.write(payload)
digest = hashlib.sha256(payload).hexdigest()
uri = "file://" + src
path = files.get_file(origin=uri, cache_dir=os.path.join(work, "cache"), file_hash="sha256:" + digest)
assert open(path, "rb").read() == payload
assert files.validate_file(path, digest.upper())

tgz = os.path.join(work, "set.tar.gz")
with tarfile.open(tgz, "w:gz") as tar:
    info = tarfile.TarInfo("set/a.txt"); info.size = 1
    tar.addfile(info, io.BytesIO(b"a"))
out = files.get_file("set.tar.gz", "file://" + tgz, cache_dir=os.path.join(work, "cache"), extract=True)
assert open(os.path.join(out, "set", "a.txt")).read() == "a"

bad = os.path.join(work, "bad.tar")
with tarfile.open(bad, "w") as tar:
    info = tarfile.TarInfo("../evil.txt"); info.size = 1
    tar.addfile(info, io.BytesIO(b"x"))
try:
    files.extract_archive(bad, os.path.join(work, "x"))
except ValueError as e:
    assert "../evil.txt" in str(e)
else:
    raise AssertionError("a traversal member was extracted")
assert not os.path.exists(os.path.join(work, "evil.txt"))

try:
    import requests  # noqa: F401
except ImportError:
    try:
        files.get_file("x.bin", "http://127.0.0.1:9/x.bin", cache_dir=os.path.join(work, "cache"))
    except ImportError as e:
        assert "pip install 'cornu-utils[download]'" in str(e), e
    else:
        raise AssertionError("an HTTP origin without requests did not say what to install")
    print("ok (no requests: HTTP not checked)")
else:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=work))
    server.RequestHandlerClass.log_message = lambda *a: None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/data.bin"
    path = files.get_file("http.bin", url, cache_dir=os.path.join(work, "cache"), file_hash=digest)
    assert open(path, "rb").read() == payload
    server.shutdown()
    print("ok")
"""

_NUMERICAL_SMOKE = """
import sys
import numerical
assert [m for m in sys.modules if m.startswith("cornu")] == []
y = numerical.to_categorical([0, 2, 1], num_classes=3)
assert y.dtype.name == "float32" and y.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
n = numerical.normalize([[3.0, 4.0]])
assert abs(float(n[0][0]) - 0.6) < 1e-6
print("ok")
"""

CASES = {  # id: (source, smoke check, modules it needs, modules made unimportable)
    "files.py": ("packages/utils/src/cornu_utils/files.py", _FILES_SMOKE, (), ()),
    "files.py, stdlib only": ("packages/utils/src/cornu_utils/files.py", _FILES_SMOKE, (), ("requests",)),
    "numerical.py": ("packages/utils/src/cornu_utils/numerical.py", _NUMERICAL_SMOKE, ("numpy",), ()),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_copied_file_stands_alone(case, tmp_path):
    relpath, smoke, needs, blocked = CASES[case]
    name = relpath.rsplit("/", 1)[1]
    source = ROOT / relpath
    if not source.exists():
        pytest.skip(f"{relpath} is not written yet")
    for module in needs:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed")
    folder = tmp_path / "vendored"
    folder.mkdir()
    shutil.copy(source, folder / name)
    head = source.read_text().splitlines()[:4]
    assert head[0] == "# SPDX-License-Identifier: Apache-2.0"
    assert any("cornu" in line and "0." in line for line in head), "the header names package and version"
    assert any(line.startswith("# Source:") for line in head), "the header names the source"
    code = textwrap.dedent(_PRELUDE) + textwrap.dedent(smoke)
    proc = subprocess.run(
        [sys.executable, "-I", "-c", code, str(folder), ",".join(blocked)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    no_http = name == "files.py" and ("requests" in blocked or importlib.util.find_spec("requests") is None)
    assert proc.stdout.strip().endswith("HTTP not checked)" if no_http else "ok")
