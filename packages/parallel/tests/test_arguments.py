# SPDX-License-Identifier: Apache-2.0
"""Argument rules of replicate and Keras 2's multi_gpu_model (T-MG-01..07), framework-free."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from cornu_parallel import ReplicatedModel, multi_gpu_model, replicate
from cornu_parallel._devices import normalize_device_name, resolve_devices

GPUS8 = ["cpu:0"] + [f"gpu:{i}" for i in range(8)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("/job:localhost/replica:0/task:0/device:GPU:0", "gpu:0"),
        ("/job:worker/replica:0/task:3/device:CPU:0", "cpu:0"),
        ("/cpu:0", "cpu:0"),
        ("GPU:3", "gpu:3"),
        ("/device:GPU:1", "gpu:1"),
        ("cuda:2", "gpu:2"),
        ("cpu", "cpu:0"),
    ],
)
def test_device_names_normalize_like_keras2(name, expected):
    # T-MG-01
    assert normalize_device_name(name) == expected


@pytest.mark.parametrize("gpus", [1, 0.5])
def test_gpus_below_two_is_an_error(numpy_backend, gpus):
    # T-MG-02
    with pytest.raises(ValueError, match=r"`gpus >= 2`|must be an int"):
        multi_gpu_model(lambda x: x, gpus=gpus)


def test_gpus_list_of_one_is_an_error(numpy_backend):
    # T-MG-02
    with pytest.raises(ValueError, match=r"`len\(gpus\) >= 2`.*Received: gpus=\[0\]"):
        multi_gpu_model(lambda x: x, gpus=[0])


@pytest.mark.parametrize("gpus", [10, [0, 2, 4, 6, 8]])
def test_requested_gpus_must_exist(numpy_backend, fake_devices, gpus):
    # T-MG-03: 8 GPUs visible
    fake_devices(GPUS8)
    with pytest.raises(ValueError) as info:
        multi_gpu_model(lambda x: x, gpus=gpus)
    message = str(info.value)
    assert "we expect the following devices to be available" in message
    assert "'/gpu:7'" in message
    assert "Try reducing `gpus`" in message
    assert message.endswith(f"Received: gpus={gpus!r}")


@pytest.mark.parametrize("devices", [["cpu:0"], ["cpu:0", "gpu:0"]])
@pytest.mark.parametrize("gpus", [None, 0, []])
def test_gpus_none_with_fewer_than_two_gpus_is_an_error(numpy_backend, fake_devices, devices, gpus):
    # T-MG-04 (0 and [] are falsy, so they mean every GPU, as in Keras 2)
    fake_devices(devices)
    with pytest.raises(ValueError, match=r"`gpus >= 2`. `gpus=None` means every GPU"):
        multi_gpu_model(lambda x: x, gpus=gpus)


def _record_replicate(monkeypatch):
    calls = []
    module = sys.modules["cornu_parallel.replication"]
    monkeypatch.setattr(module, "replicate", lambda model, **kw: calls.append(kw) or kw)
    return calls


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, {"devices": [f"gpu:{i}" for i in range(8)], "merge_device": "cpu:0", "relocate": False}),
        ({"gpus": []}, {"devices": [f"gpu:{i}" for i in range(8)], "merge_device": "cpu:0", "relocate": False}),
        ({"gpus": 3}, {"devices": ["gpu:0", "gpu:1", "gpu:2"], "merge_device": "cpu:0", "relocate": False}),
        (
            {"gpus": [5, 2], "cpu_merge": False, "cpu_relocation": True},
            {"devices": ["gpu:5", "gpu:2"], "merge_device": "gpu:5", "relocate": True},
        ),
    ],
)
def test_multi_gpu_model_works_on_any_backend_and_maps_to_replicate(numpy_backend, fake_devices, monkeypatch, kwargs, expected):
    # T-MG-07: not restricted to TensorFlow; the numpy backend takes it too.
    fake_devices(GPUS8)
    calls = _record_replicate(monkeypatch)
    multi_gpu_model(lambda x: x, **kwargs)
    assert calls == [expected]


@pytest.mark.parametrize(("arg", "value"), [("cpu_merge", "yes"), ("cpu_relocation", 1)])
def test_multi_gpu_model_flags_must_be_bools(numpy_backend, arg, value):
    with pytest.raises(ValueError, match=f"Received: {arg}="):
        multi_gpu_model(lambda x: x, gpus=2, **{arg: value})


def test_replicate_unknown_device_lists_what_exists(numpy_backend):
    with pytest.raises(ValueError, match=r"does not have: \['gpu:0'\]. Available devices: \['cpu:0'\]. Received: devices="):
        replicate(lambda x: x, devices=["cpu:0", "gpu:0"])


@pytest.mark.parametrize("devices", [["xpu:0"], ["cpu:zero"], [3.5], []])
def test_replicate_malformed_devices(numpy_backend, devices):
    with pytest.raises(ValueError, match=r"`devices`.*Received: devices="):
        replicate(lambda x: x, devices=devices)


def test_replicate_merge_device_and_relocate_are_checked(numpy_backend):
    with pytest.raises(ValueError, match=r"`merge_device`.*Received: merge_device='gpu:0'"):
        replicate(lambda x: x, devices=["cpu:0"], merge_device="gpu:0")
    with pytest.raises(ValueError, match=r"`merge_device`.*Received: merge_device='tpu:x'"):
        replicate(lambda x: x, devices=["cpu:0"], merge_device="tpu:x")
    with pytest.raises(ValueError, match="Received: relocate='no'"):
        replicate(lambda x: x, relocate="no")


def test_jax_needs_distinct_devices_others_may_repeat(fake_devices):
    fake_devices(["cpu:0", "cpu:1"])
    with pytest.raises(ValueError, match="must not repeat a device on the jax backend"):
        resolve_devices(["cpu:0", "cpu:0"], "jax")
    assert resolve_devices(["/cpu:0", "CPU:0"], "torch") == ["cpu:0", "cpu:0"]
    assert resolve_devices("cpu:1", "tensorflow") == ["cpu:1"]


def test_devices_none_means_accelerators_else_cpus(fake_devices):
    fake_devices(["cpu:0", "gpu:0", "gpu:1"])
    assert resolve_devices(None, "torch") == ["gpu:0", "gpu:1"]
    fake_devices(["cpu:0", "cpu:1", "cpu:2"])
    assert resolve_devices(None, "jax") == ["cpu:0", "cpu:1", "cpu:2"]


def test_numpy_replicate_equals_the_single_call_and_keeps_the_template(numpy_backend):
    params = {"w": np.arange(6.0).reshape(3, 2)}

    def apply(p, x, shift=0.0):
        return {"y": x @ p["w"] + shift, "x": x}

    rep = replicate((apply, params), devices=["cpu:0"] * 3)
    x = np.random.RandomState(0).randn(7, 3)
    out = rep(x, shift=np.ones((7, 1)))
    np.testing.assert_allclose(out["y"], x @ params["w"] + 1.0)
    np.testing.assert_array_equal(out["x"], x)
    assert rep.model[1] is params
    assert isinstance(rep, ReplicatedModel)
    rep.set_weights([w * 0 for w in rep.get_weights()])
    assert float(np.abs(rep(x)["y"]).max()) == 0.0
    with pytest.raises(ValueError, match="must hold 1 arrays"):
        rep.set_weights([])


def test_attributes_fall_through_to_the_template(numpy_backend):
    class Model:
        name = "template"

        def __call__(self, x):
            return x

        def save(self, path):
            return f"saved {self.name} to {path}"

    model = Model()
    rep = replicate(model, devices=["cpu:0", "cpu:0"])
    assert rep.save("here") == "saved template to here"
    rep.name = "renamed"
    assert model.name == "renamed"
    assert "devices=['cpu:0', 'cpu:0']" in repr(rep)
    with pytest.raises(AttributeError):
        rep.missing_attribute  # noqa: B018


def test_plain_callable_follows_the_configured_backend(numpy_backend):
    from cornu_parallel import model_backend

    assert model_backend(lambda x: x) == "numpy"
