# SPDX-License-Identifier: Apache-2.0
"""parse_device / DeviceSpec: the one grammar, pure parsing, no framework import."""

from __future__ import annotations

import subprocess
import sys

import pytest

import cornu_config
from cornu_device import DeviceSpec, parse_device


def only_on(framework):
    """Framework objects are tested in that backend's run (keeps each run's imports small)."""
    if cornu_config.backend() != framework:
        pytest.skip(f"runs with CORNU_BACKEND={framework}")
    return pytest.importorskip(framework)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cpu", ("cpu", 0)),
        ("cpu:0", ("cpu", 0)),
        ("CPU:0", ("cpu", 0)),
        ("Cpu", ("cpu", 0)),
        ("GPU:1", ("gpu", 1)),
        ("gpu", ("gpu", 0)),
        ("cuda:0", ("gpu", 0)),
        ("CUDA:3", ("gpu", 3)),
        ("/device:GPU:0", ("gpu", 0)),
        ("/DEVICE:cpu:2", ("cpu", 2)),
        ("/gpu:1", ("gpu", 1)),
        ("/cpu", ("cpu", 0)),
        ("tpu:7", ("tpu", 7)),
        ("mps", ("mps", 0)),
        ("gpu:12", ("gpu", 12)),
    ],
)
def test_grammar(text, expected):
    spec = parse_device(text)
    assert spec == DeviceSpec(*expected)
    assert isinstance(spec, DeviceSpec)
    assert str(spec) == f"{expected[0]}:{expected[1]}"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("foo", "unknown device type 'foo'"),
        ("meta", "unknown device type 'meta'"),
        ("xpu:0", "unknown device type 'xpu'"),
        ("cpu:0:1", "malformed"),
        ("cpu:a", "malformed"),
        ("cpu:", "malformed"),
        ("gpu:-1", "malformed"),
        (":0", "malformed"),
        ("", "malformed"),
        (" cpu", "malformed"),
        ("device:GPU:0", "malformed"),
        ("/job:localhost/device:CPU:0", "malformed"),
        (123, "a int is not a device"),
        (None, "a NoneType is not a device"),
        (b"cpu", "a bytes is not a device"),
        (object(), "a object is not a device"),
    ],
)
def test_bad_names_raise_with_the_received_value(value, why):
    with pytest.raises(ValueError) as info:
        parse_device(value)
    message = str(info.value)
    assert why in message
    assert "Argument `name`" in message or "argument `name`" in message
    assert "'cpu', 'gpu' (or its synonym 'cuda'), 'tpu' or 'mps'" in message
    assert message.endswith(f"Received: name={value!r}")


def test_device_spec_round_trips_and_defaults():
    assert DeviceSpec("gpu") == ("gpu", 0)
    assert parse_device(DeviceSpec("gpu", 2)) == DeviceSpec("gpu", 2)
    assert parse_device(str(DeviceSpec("tpu", 3))) == DeviceSpec("tpu", 3)
    assert repr(DeviceSpec("cpu", 0)) == "DeviceSpec(type='cpu', index=0)"
    with pytest.raises(ValueError, match="not a valid DeviceSpec"):
        parse_device(DeviceSpec("xpu", 0))
    with pytest.raises(ValueError, match="not a valid DeviceSpec"):
        parse_device(DeviceSpec("gpu", -1))


def test_torch_device_objects():
    torch = only_on("torch")
    assert parse_device(torch.device("cuda:1")) == DeviceSpec("gpu", 1)
    assert parse_device(torch.device("cuda")) == DeviceSpec("gpu", 0)
    assert parse_device(torch.device("cpu")) == DeviceSpec("cpu", 0)
    assert parse_device(torch.device("mps", 0)) == DeviceSpec("mps", 0)
    with pytest.raises(ValueError, match="unknown device type 'meta'"):
        parse_device(torch.device("meta"))


def test_jax_device_objects():
    jax = only_on("jax")
    cpu = jax.devices("cpu")[0]
    assert parse_device(cpu) == DeviceSpec("cpu", 0)


def test_tf_device_spec_objects():
    tf = only_on("tensorflow")
    assert parse_device(tf.DeviceSpec(device_type="GPU", device_index=2)) == DeviceSpec("gpu", 2)
    assert parse_device(tf.DeviceSpec(device_type="CPU")) == DeviceSpec("cpu", 0)


def test_parsing_imports_no_framework():
    code = (
        "import sys, cornu_device as c\n"
        "c.parse_device('/device:GPU:1'); c.parse_device('cuda')\n"
        "bad = [m for m in ('torch', 'jax', 'tensorflow', 'numpy') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
