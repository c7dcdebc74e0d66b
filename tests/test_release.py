# SPDX-License-Identifier: Apache-2.0
"""Release-ready: each package's wheel installs alone into a fresh virtual environment (sibling
wheels from the built files, third-party dependencies from the package index) and imports; the
umbrella's wheel pulls in the rest.

Slow (a venv per package), so it runs once: in the numpy environment of the backend matrix.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from cornu_testing import PACKAGES, ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("CORNU_BACKEND", "numpy") != "numpy",
        reason="installs every wheel into fresh venvs: runs once, in the numpy environment",
    ),
]

EXPECTED = {
    "config": {"cornu-config"},
    "device": {"cornu-config", "cornu-device"},
    "utils": {"cornu-config", "cornu-utils"},
    "data": {"cornu-config", "cornu-device", "cornu-utils", "cornu-data"},
    "parallel": {"cornu-config", "cornu-device", "cornu-utils", "cornu-data", "cornu-parallel"},
    "cornu": {"cornu", "cornu-config", "cornu-device", "cornu-utils", "cornu-data", "cornu-parallel"},
}


def _dist(folder: str) -> str:
    return "cornu" if folder == "cornu" else f"cornu_{folder}"


def _pip_python() -> str:
    """An interpreter that has pip: this one, or the base one (hatch's envs may have none)."""
    if importlib.util.find_spec("pip") is not None:
        return sys.executable
    return getattr(sys, "_base_executable", sys.executable)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    # `hatch run test:all` builds every sdist and wheel first and names the folder; run alone,
    # the test builds fresh wheels (a stale dist/ would test an older release).
    given = os.environ.get("CORNU_WHEELS")
    if given:
        built = Path(given)
        missing = [f for f in PACKAGES if not any(built.glob(f"{_dist(f)}-*.whl"))]
        assert not missing, f"CORNU_WHEELS={given} lacks the wheels of {missing}"
        return built
    out = tmp_path_factory.mktemp("wheels")
    folders = [str(ROOT / "packages" / folder) for folder in PACKAGES]
    subprocess.run(
        [_pip_python(), "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), *folders],
        check=True,
    )
    return out


@pytest.mark.parametrize(("folder", "module"), sorted(PACKAGES.items()))
def test_wheel_installs_alone_and_imports(folder, module, wheels, tmp_path):
    (wheel,) = wheels.glob(f"{_dist(folder)}-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = str(env_dir / "bin" / "python")
    # An existing pip installs into the new venv (--python): no pip copy per venv.
    subprocess.run(
        [_pip_python(), "-m", "pip", "--python", python, "install", "--quiet",
         "--find-links", str(wheels), str(wheel)],
        check=True,
    )
    code = (
        f"import json, sys, {module}; from importlib import metadata;"
        "names = sorted(d.metadata['Name'] for d in metadata.distributions()"
        " if d.metadata['Name'].startswith('cornu'));"
        f"print(json.dumps([{module}.__version__, names]))"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    version, names = json.loads(out.stdout)
    about = (ROOT / "packages" / folder / "src" / module / "__about__.py").read_text()
    assert f'__version__ = "{version}"' in about
    assert set(names) == EXPECTED[folder]


def test_every_package_has_an_sdist_beside_its_wheel():
    given = os.environ.get("CORNU_WHEELS")
    if not given:
        pytest.skip("sdists are built by `hatch run test:all` (hatch build --all); none named here")
    import tarfile

    for folder in PACKAGES:
        (sdist,) = Path(given).glob(f"{_dist(folder)}-*.tar.gz")
        with tarfile.open(sdist) as tar:
            names = tar.getnames()
        top = names[0].split("/")[0]
        for needed in ("pyproject.toml", "README.md", "CHANGELOG.md"):
            assert f"{top}/{needed}" in names, (sdist.name, needed)
        assert any(n.endswith("__about__.py") for n in names), sdist.name
