# SPDX-License-Identifier: Apache-2.0
"""Keras 3 reads what cornu writes and cornu reads what Keras writes, for registered classes,
registered functions, tuples and NumPy arrays (skipped where Keras is not installed)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import cornu_config
from cornu_utils import custom_objects as co
from cornu_utils import deserialize, register_serializable, serialize

with pytest.MonkeyPatch.context() as _mp:  # Keras on the framework under test, not its default TF
    _mp.setenv("KERAS_BACKEND", cornu_config.backend())
    keras = pytest.importorskip("keras")


@pytest.fixture(autouse=True)
def clean_registries():
    from keras.src.saving import object_registration as kreg

    saved = [(d, dict(d)) for d in (co._GLOBAL_CUSTOM_OBJECTS, co._GLOBAL_CUSTOM_NAMES)]
    ksaved = [(d, dict(d)) for d in (kreg.GLOBAL_CUSTOM_OBJECTS, kreg.GLOBAL_CUSTOM_NAMES)]
    yield
    for d, copy in saved + ksaved:
        d.clear()
        d.update(copy)


class Scale:
    def __init__(self, factor=1.0, table=None):
        self.factor, self.table = factor, table

    def get_config(self):
        return {"factor": self.factor, "table": self.table}

    @classmethod
    def from_config(cls, config):
        # Keras hands over serialized values; cornu hands over rebuilt ones (passed through).
        return cls(**{k: deserialize(v) for k, v in config.items()})


def double(x):
    return 2 * x


def register_both():
    for register in (register_serializable, keras.saving.register_keras_serializable):
        register(package="compat")(Scale)
        register(package="compat")(double)


def test_keras_reads_what_cornu_writes():
    register_both()
    data = json.loads(json.dumps(serialize({"scale": Scale(0.5, np.arange(4.0)), "fn": double})))
    assert data["scale"]["registered_name"] == "compat>Scale"
    back = keras.saving.deserialize_keras_object(data)
    assert isinstance(back["scale"], Scale)
    assert back["scale"].factor == 0.5
    np.testing.assert_array_equal(back["scale"].table, np.arange(4.0))
    assert back["fn"] is double


def test_cornu_reads_what_keras_writes():
    register_both()
    data = json.loads(
        json.dumps(keras.saving.serialize_keras_object({"scale": Scale(2.0, np.ones((2, 2))), "fn": double}))
    )
    back = deserialize(data)
    assert isinstance(back["scale"], Scale)
    assert back["scale"].factor == 2.0
    np.testing.assert_array_equal(back["scale"].table, np.ones((2, 2)))
    assert back["fn"] is double


def test_keras_lambda_needs_unsafe_mode_in_cornu_too():
    with pytest.warns(UserWarning, match="lambda"):
        data = json.loads(json.dumps(keras.saving.serialize_keras_object(lambda x: x * 3)))
    with pytest.raises(ValueError, match="arbitrary code"):
        deserialize(data)
    assert deserialize(data, safe_mode=False)(2) == 6
