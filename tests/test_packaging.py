# SPDX-License-Identifier: Apache-2.0
"""Each package has the layout DESIGN.md asks for, one version string, and range dependencies."""

from __future__ import annotations

import re
import sys

import pytest
from cornu_testing import PACKAGES, ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

FRAMEWORKS = ("torch", "jax", "jaxlib", "tensorflow", "tensorflow-cpu", "h5py", "requests", "keras")


@pytest.mark.parametrize(("folder", "module"), sorted(PACKAGES.items()))
def test_package_layout(folder, module):
    pkg = ROOT / "packages" / folder
    for name in ("pyproject.toml", "README.md", "CHANGELOG.md", "tests"):
        assert (pkg / name).exists(), f"packages/{folder}/{name} is missing"
    src = pkg / "src" / module
    for name in ("__init__.py", "__about__.py", "py.typed"):
        assert (src / name).exists(), f"{src}/{name} is missing"


@pytest.mark.parametrize(("folder", "module"), sorted(PACKAGES.items()))
def test_version_lives_only_in_about(folder, module):
    pkg = ROOT / "packages" / folder
    meta = tomllib.loads((pkg / "pyproject.toml").read_text())
    assert meta["project"]["dynamic"] == ["version"]
    assert meta["tool"]["hatch"]["version"]["path"] == f"src/{module}/__about__.py"
    about = (pkg / "src" / module / "__about__.py").read_text()
    assert re.search(r'^__version__ = "\d+\.\d+\.\d+"$', about, re.M)
    for path in (pkg / "src").rglob("*.py"):
        if path.name != "__about__.py":
            assert not re.search(r'__version__\s*=\s*"', path.read_text()), f"{path} writes a version"


@pytest.mark.parametrize("folder", sorted(PACKAGES))
def test_dependencies_are_ranges_and_frameworks_are_extras(folder):
    meta = tomllib.loads((ROOT / "packages" / folder / "pyproject.toml").read_text())["project"]
    for dep in meta.get("dependencies", []):
        name = re.split(r"[\[<>=!~ ;]", dep, maxsplit=1)[0].lower()
        assert name not in FRAMEWORKS, f"{folder}: {dep} must be an optional extra"
        if name.startswith("cornu"):
            assert "==" not in dep, f"{folder}: sibling {dep} must be a range"
            assert re.search(r">=\d+\.\d+,<\d+\.\d+", dep), f"{folder}: sibling {dep} needs >=X.Y,<X.Z"
