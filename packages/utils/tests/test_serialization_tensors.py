# SPDX-License-Identifier: Apache-2.0
"""Framework tensors round-trip through JSON and come back as tensors of the configured backend
(``cornu_config.backend()``), keeping dtype (bfloat16 and complex included), shape and values."""

from __future__ import annotations

import json

import numpy as np
import pytest

import cornu_config
from cornu_utils import deserialize, serialize

VALUES = {
    "float32": [[1.5, -2.0, 0.25], [4.0, 5.0, 6.0]],
    "int32": [[1, -2, 3], [4, 5, 6]],
    "bool": [[True, False, True], [False, False, True]],
    "bfloat16": [[1.5, -2.0, 0.25], [4.0, 5.0, 6.0]],
    "complex64": [[1 + 2j, -1j, 3], [0, 1, 2]],
}


def make(framework, dtype):
    values = np.array(VALUES[dtype], dtype="float32" if dtype == "bfloat16" else dtype)
    if framework == "torch":
        torch = pytest.importorskip("torch")
        return torch.as_tensor(values).to(getattr(torch, dtype))
    if framework == "jax":
        jnp = pytest.importorskip("jax.numpy")
        return jnp.asarray(values, dtype=dtype)
    tf = pytest.importorskip("tensorflow")
    return tf.cast(tf.constant(values), dtype)


def describe(tensor):
    """(framework, dtype name, values as float64/complex128 NumPy) of a backend tensor."""
    backend = cornu_config.backend()
    if backend == "numpy":
        assert isinstance(tensor, np.ndarray)
        return "numpy", tensor.dtype.name, np.asarray(tensor.astype("complex128"))
    if backend == "torch":
        import torch

        assert isinstance(tensor, torch.Tensor)
        return "torch", str(tensor.dtype).removeprefix("torch."), tensor.to(torch.complex128).numpy()
    if backend == "jax":
        import jax

        assert isinstance(tensor, jax.Array)
        return "jax", tensor.dtype.name, np.asarray(tensor.astype("complex64")).astype("complex128")
    import tensorflow as tf

    assert tf.is_tensor(tensor)
    return "tensorflow", tensor.dtype.name, tf.cast(tensor, tf.complex128).numpy()


@pytest.mark.parametrize("dtype", sorted(VALUES))
@pytest.mark.parametrize("framework", ["torch", "jax", "tensorflow"])
def test_tensors_come_back_as_tensors_of_the_configured_backend(framework, dtype):
    if dtype == "bfloat16" and cornu_config.backend() == "numpy":
        pytest.importorskip("ml_dtypes")
    data = json.loads(json.dumps(serialize({"kernel": make(framework, dtype)})))
    entry = data["kernel"]
    assert entry["class_name"] == "__tensor__"
    assert entry["config"]["dtype"] == dtype
    assert entry["config"]["shape"] == [2, 3]
    kind, got_dtype, values = describe(deserialize(data)["kernel"])
    assert kind == cornu_config.backend()
    assert got_dtype == dtype
    np.testing.assert_array_equal(values, np.array(VALUES[dtype], dtype="complex128"))


def test_empty_and_scalar_tensors_keep_their_shape():
    torch = pytest.importorskip("torch")
    for tensor, shape in ((torch.zeros(0, 3), (0, 3)), (torch.tensor(2.5), ())):
        back = deserialize(json.loads(json.dumps(serialize(tensor))))
        assert tuple(back.shape) == shape


def test_keras_written_tensor_entries_read_back():
    back = deserialize({"class_name": "__tensor__", "config": {"value": [[1.0, 2.0]], "dtype": "float32"}})
    kind, dtype, values = describe(back)
    assert (kind, dtype) == (cornu_config.backend(), "float32")
    np.testing.assert_array_equal(values, [[1.0, 2.0]])


@pytest.mark.parametrize(
    ("config", "shown"),
    [
        ({"value": [1.0]}, "string `dtype`"),
        ({"value": [1.0], "dtype": "float32", "shape": [-1]}, "non-negative"),
        ({"value": [1.0, 2.0], "dtype": "float32", "shape": [3]}, "cannot build"),
        ({"value": [1.0], "dtype": "no_such_dtype"}, "cannot build"),
    ],
)
def test_malformed_tensor_entries_raise_value_errors(config, shown):
    with pytest.raises(ValueError, match=shown):
        deserialize({"class_name": "__tensor__", "config": config})
