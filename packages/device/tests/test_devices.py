# SPDX-License-Identifier: Apache-2.0
"""list_devices and to_native on the configured backend."""

from __future__ import annotations

import pytest

import cornu_device as cd


def test_cpu_is_listed_first(backend):
    devices = cd.list_devices()
    assert devices[0] == "cpu:0"
    assert all(cd.parse_device(d) for d in devices)
    assert cd.list_devices("cpu") == [d for d in devices if d.startswith("cpu:")]
    assert cd.list_devices("CUDA") == cd.list_devices("gpu")
    assert cd.list_devices(backend=backend) == devices


def test_bad_device_type():
    with pytest.raises(ValueError) as info:
        cd.list_devices("fpga")
    assert str(info.value).endswith("Received: device_type='fpga'")
    assert "('cpu', 'gpu', 'tpu', 'mps')" in str(info.value)


def test_bad_backend():
    with pytest.raises(ValueError) as info:
        cd.list_devices(backend="theano")
    assert str(info.value) == (
        "Argument `backend` must be one of ('numpy', 'torch', 'jax', 'tensorflow') or None. "
        "Received: backend='theano'"
    )


def test_numpy_lists_only_the_cpu():
    assert cd.list_devices(backend="numpy") == ["cpu:0"]
    assert cd.list_devices("gpu", backend="numpy") == []
    assert cd.to_native("cpu:0", backend="numpy") == "cpu"


def test_to_native_per_backend(backend):
    native = cd.to_native("CPU:0")
    if backend == "torch":
        import torch

        assert native == torch.device("cpu")
        assert torch.zeros(1).device == native
    elif backend == "jax":
        import jax

        assert native is jax.devices("cpu")[0]
    elif backend == "tensorflow":
        assert native == "/device:CPU:0"
    else:
        assert native == "cpu"


def test_to_native_of_a_missing_device_lists_existing(backend):
    gpus = len(cd.list_devices("gpu"))
    with pytest.raises(ValueError) as info:
        cd.to_native(f"gpu:{gpus}")
    message = str(info.value)
    assert f"Existing devices: {cd.list_devices()}" in message
    assert message.endswith(f"Received: name='gpu:{gpus}'")

