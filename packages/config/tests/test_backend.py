# SPDX-License-Identifier: Apache-2.0
"""backend() resolution and set_backend() without reload."""

from __future__ import annotations

import importlib.util
import warnings

import pytest

import cornu_config as cc
from cornu_config import backend_choice


@pytest.mark.parametrize(
    ("installed", "expected"),
    [
        ({"torch", "jax", "tensorflow"}, "torch"),
        ({"jax", "tensorflow"}, "jax"),
        ({"tensorflow"}, "tensorflow"),
        (set(), "numpy"),
    ],
)
def test_detected_backend_is_first_installed(monkeypatch, installed, expected):
    real = importlib.util.find_spec

    def fake(name, *args):
        if name in ("torch", "jax", "tensorflow"):
            return object() if name in installed else None
        return real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", fake)
    backend_choice._detected = None
    assert cc.settings()["backend"] == cc.Setting(expected, "detected")


def test_detection_does_not_import_frameworks():
    import subprocess
    import sys

    code = (
        "import sys, cornu_config; cornu_config.backend(); "
        "print(sorted(m for m in ('torch','jax','tensorflow','numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name", ["numpy", "torch", "jax", "tensorflow", "JAX"])
def test_set_backend_accepts_the_four_names(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cc.set_backend(name)
    assert cc.backend() == name.lower()
    assert cc.settings()["backend"].source == "setter"


def test_set_backend_warns_on_change_and_clears_the_session():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cc.set_backend("numpy")
    cc.get_uid("layer")
    cc.get_uid("layer")
    with pytest.warns(UserWarning, match="not converted"):
        cc.set_backend("jax")
    assert cc.get_uid("layer") == 1  # clear_session ran
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cc.set_backend("jax")  # no change, no warning


def test_unknown_backend_lists_the_names_and_changes_nothing():  # T-BK-03 adapted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cc.set_backend("numpy")
    with pytest.raises(ValueError, match=r"Available backends are \('numpy', 'torch', 'jax', 'tensorflow'\)\. Received: backend='theano'"):
        cc.set_backend("theano")
    assert cc.backend() == "numpy"


def test_env_backend_beats_file(clean_config, monkeypatch):  # T-BK-01
    clean_config.mkdir(parents=True)
    (clean_config / "cornu.json").write_text('{"backend": "tensorflow"}')
    assert cc.backend() == "tensorflow"
    monkeypatch.setenv("KERAS_BACKEND", "numpy")
    assert cc.backend() == "numpy"
    monkeypatch.setenv("CORNU_BACKEND", "torch")
    assert cc.backend() == "torch"
