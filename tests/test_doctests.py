# SPDX-License-Identifier: Apache-2.0
"""The `>>>` examples in every public module's docstrings run and give what they show.

A docstring whose examples import a library that is not installed here (a framework, h5py,
requests, pydot) is skipped, so each backend's environment runs what it can.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import re

import pytest
from cornu_testing import PACKAGES, ROOT

OPTIONAL = ("torch", "jax", "tensorflow", "h5py", "requests", "pydot", "keras", "flax", "torchinfo")
_IMPORT = re.compile(r"^\s*(?:import|from)\s+(\w+)")


def public_modules():
    for folder, package in sorted(PACKAGES.items()):
        src = ROOT / "packages" / folder / "src"
        for path in sorted((src / package).rglob("*.py")):
            parts = path.relative_to(src).with_suffix("").parts
            if any(p.startswith("_") and p != "__init__" for p in parts) or "backends" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts)


def _needs_missing_library(test: doctest.DocTest) -> str | None:
    for example in test.examples:
        match = _IMPORT.match(example.source)
        if match and match.group(1) in OPTIONAL and importlib.util.find_spec(match.group(1)) is None:
            return match.group(1)
    return None


@pytest.mark.parametrize("module_name", list(public_modules()))
def test_docstring_examples_run(module_name, monkeypatch):
    import cornu_config

    # A Keras user sets Keras's backend to the framework they use: the examples' `import keras`
    # must not fall back to TensorFlow in an environment that has only torch or JAX.
    monkeypatch.setenv("KERAS_BACKEND", cornu_config.backend())
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    from cornu_config import _store

    saved = _store.snapshot()
    ran = 0
    try:
        ran = _run_all(finder, runner, module, module_name)
    finally:
        _store.restore(saved)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module_name}"
    if ran == 0:
        pytest.skip(f"{module_name} has no runnable examples here")


def _run_all(finder, runner, module, module_name) -> int:
    ran = 0
    for test in finder.find(module, module_name):
        if test.name.split(".")[-1].startswith("_") and not test.name.endswith("__init__"):
            continue
        if _needs_missing_library(test) is not None:
            continue
        ran += len(test.examples)
        runner.run(test)
    return ran
