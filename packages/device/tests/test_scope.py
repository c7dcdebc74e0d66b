# SPDX-License-Identifier: Apache-2.0
"""device() / current_device() on the configured backend: T-DEV-01..08 as adapted by the
design (one grammar; a device the backend lacks raises at the call on every backend)."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import warnings

import pytest

import cornu_config
import cornu_device as cd


def make_array(backend):
    """A new array/tensor of the backend, and where it was placed (a comparable value)."""
    if backend == "torch":
        import torch

        return torch.zeros(2).device
    if backend == "jax":
        import jax.numpy as jnp

        return next(iter(jnp.zeros(2).devices()))
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.zeros(2).device.split("/device:")[-1].lower()
    return "cpu"


def cpu_placement(backend):
    return {"torch": "cpu", "tensorflow": "cpu:0"}.get(backend)


def test_cpu_scope_places_and_reports(backend):
    default = make_array(backend)
    for name in ("cpu", "cpu:0", "CPU:0", "Cpu", "/device:CPU:0", "/cpu:0"):
        scope = cd.device(name)
        assert isinstance(scope, cd.DeviceScope)
        assert scope.spec == cd.DeviceSpec("cpu", 0)
        with scope as native:
            assert native == cd.to_native("cpu:0")
            assert cd.current_device() == "cpu:0"
            placed = make_array(backend)
            if backend == "jax":
                import jax

                assert placed == jax.devices("cpu")[0]  # T-DEV-06
            elif backend == "torch":
                import torch

                assert placed == torch.device("cpu")
            elif backend == "tensorflow":
                assert placed == "cpu:0"  # T-DEV-08
        assert cd.current_device() is None
    assert make_array(backend) == default


def test_the_as_value_is_the_native_device(backend):
    with cd.device("cpu:0") as native:
        if backend == "torch":
            import torch

            assert native == torch.device("cpu")  # T-DEV-02
        elif backend == "jax":
            import jax

            assert native is jax.devices("cpu")[0]
        elif backend == "tensorflow":
            assert native == "/device:CPU:0"
        else:
            assert native == "cpu"


@pytest.mark.parametrize("value", [123, None, 1.5, b"cpu", ["cpu"], {"cpu": 0}])
def test_non_device_values_raise_at_the_call(backend, value):
    # T-DEV-04 / T-DEV-07: at the call, not at `with`, on every backend alike.
    with pytest.raises(ValueError) as info:
        cd.device(value)
    assert str(info.value).endswith(f"Received: device_name={value!r}")
    assert "is not a device" in str(info.value)


@pytest.mark.parametrize(
    ("name", "why"),
    [("foo", "unknown device type 'foo'"), ("cpu:0:1", "malformed"), ("cpu:a", "malformed"), ("", "malformed")],
)
def test_malformed_and_unknown_raise(backend, name, why):
    # T-DEV-07 ("cpu:0:1") and T-DEV-08 ("foo") on every backend.
    with pytest.raises(ValueError) as info:
        cd.device(name)
    assert why in str(info.value)
    assert str(info.value).endswith(f"Received: device_name={name!r}")


def test_index_out_of_range_lists_devices(backend):
    cpus = len(cd.list_devices("cpu"))
    with pytest.raises(ValueError) as info:
        cd.device(f"cpu:{cpus + 4}")
    message = str(info.value)
    assert f"Device 'cpu:{cpus + 4}' does not exist on the {backend} backend" in message
    if backend != "numpy":
        assert f"there are {cpus} cpu device(s), so index {cpus + 4} is out of range" in message
    assert f"Existing devices: {cd.list_devices()}" in message
    assert "set_soft_device_placement" not in message  # no fallback for a missing CPU
    assert message.endswith(f"Received: device_name='cpu:{cpus + 4}'")


def test_missing_accelerator_raises_listing_devices(backend):
    gpus = len(cd.list_devices("gpu"))
    with pytest.raises(ValueError) as info:
        cd.device(f"GPU:{gpus}")
    message = str(info.value)
    if backend == "numpy":
        assert message.startswith("NumPy runs on the CPU only")  # T-DEV-01 as decided
    elif gpus == 0:
        assert f"this machine has no gpu device that {backend} can use" in message
    assert f"Existing devices: {cd.list_devices()}" in message
    assert "set_soft_device_placement(True)" in message
    assert message.endswith(f"Received: device_name='GPU:{gpus}'")


def test_nesting_restores_the_outer_scope(backend):
    outer = cd.device("cpu:0")
    with outer:
        with cd.device("cpu"):
            assert cd.current_device() == "cpu:0"
            with outer:  # the same scope entered again while open
                assert cd.current_device() == "cpu:0"
            assert cd.current_device() == "cpu:0"
        assert cd.current_device() == "cpu:0"
    assert cd.current_device() is None


def test_exception_inside_the_scope_propagates_and_restores(backend):
    # T-DEV-05 on every backend.
    default = make_array(backend)
    with pytest.raises(KeyError, match="boom"), cd.device("cpu:0"):
        raise KeyError("boom")
    assert cd.current_device() is None
    assert make_array(backend) == default
    with cd.device("cpu"):
        assert cd.current_device() == "cpu:0"


def test_exit_without_enter_is_harmless(backend):
    scope = cd.device("cpu")
    scope.__exit__(None, None, None)
    with scope:
        assert cd.current_device() == "cpu:0"
    assert cd.current_device() is None


def test_clear_session_inside_a_scope(backend):
    with cd.device("cpu:0"):
        cornu_config.clear_session(free_memory=False)
        assert cd.current_device() is None
        make_array(backend)
    assert cd.current_device() is None


def test_threads_do_not_share_scopes(backend):
    seen = {}
    inside = threading.Event()
    release = threading.Event()

    def other():
        inside.wait(10)
        seen["plain"] = cd.current_device()
        seen["array"] = make_array(backend)
        release.set()

    def copied():
        seen["copied"] = cd.current_device()

    worker = threading.Thread(target=other)
    worker.start()
    with cd.device("cpu:0"):
        inside.set()
        release.wait(10)
        context = contextvars.copy_context()
        copy = threading.Thread(target=context.run, args=(copied,))
        copy.start()
        copy.join()
    worker.join()
    assert seen["plain"] is None
    assert seen["copied"] == "cpu:0"  # a worker run in a copy of the caller's context


def test_asyncio_tasks_do_not_share_scopes(backend):
    log = []

    async def scoped():
        with cd.device("cpu:0"):
            log.append(("scoped", cd.current_device()))
            await asyncio.sleep(0.01)
            log.append(("scoped", cd.current_device()))

    async def plain():
        await asyncio.sleep(0.005)
        log.append(("plain", cd.current_device()))

    async def main():
        await asyncio.gather(scoped(), plain())

    asyncio.run(main())
    assert log == [("scoped", "cpu:0"), ("plain", None), ("scoped", "cpu:0")]


def test_soft_placement_falls_back_with_one_warning(backend):
    cd.set_soft_device_placement(True)
    gpus = len(cd.list_devices("gpu"))
    name = f"gpu:{gpus}"
    with pytest.warns(RuntimeWarning) as record:
        scope = cd.device(name)
    assert len(record) == 1
    assert f"Device '{name}' does not exist on the {backend} backend" in str(record[0].message)
    assert "soft device placement is on, so 'cpu:0' is used instead" in str(record[0].message)
    assert record[0].filename == __file__  # points at the caller, not at cornu
    assert scope.spec == cd.DeviceSpec("cpu", 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with cd.device(name) as native:  # once per session: no second warning
            assert native == cd.to_native("cpu")
            assert cd.current_device() == "cpu:0"
    cornu_config.clear_session(free_memory=False)
    with pytest.warns(RuntimeWarning):
        cd.device(name)
    with pytest.raises(ValueError, match="does not exist"):
        cd.device("cpu:99")  # the CPU is not an accelerator: no fallback
    cd.set_soft_device_placement(False)
    with pytest.raises(ValueError, match="does not exist"):
        cd.device(name)


def test_soft_placement_argument_is_checked():
    with pytest.raises(ValueError) as info:
        cd.set_soft_device_placement("yes")
    assert str(info.value) == "Argument `enabled` must be True or False. Received: enabled='yes'"


def test_device_spec_and_framework_objects_are_accepted(backend):
    with cd.device(cd.DeviceSpec("cpu", 0)):
        assert cd.current_device() == "cpu:0"
    with pytest.raises(ValueError, match="a tuple is not a device"):
        cd.device(("cpu", 0))  # equal to the DeviceSpec above, still not a device
    native = cd.to_native("cpu")
    if backend in ("torch", "jax"):
        with cd.device(native):
            assert cd.current_device() == "cpu:0"


def test_to_native_ignores_soft_placement(backend):
    cd.set_soft_device_placement(True)
    with pytest.raises(ValueError, match="does not exist"):
        cd.to_native("tpu:9")


def test_set_backend_switches_the_scope_backend(backend):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cornu_config.set_backend("numpy")
        try:
            with cd.device("cpu") as native:
                assert native == "cpu"
            with pytest.raises(ValueError, match="NumPy runs on the CPU only"):
                cd.device("gpu")
        finally:
            cornu_config.set_backend(backend)
    assert cd.device("cpu").backend == backend


@pytest.mark.gpu
def test_leaving_a_cpu_scope_returns_to_the_gpu(backend):
    # T-DEV-09: only on a host with a GPU.
    if not cd.list_devices("gpu"):
        pytest.skip("needs a GPU")
    with cd.device("gpu:0"):
        with cd.device("cpu:0"):
            assert "cpu" in str(make_array(backend)).lower()
        assert "cpu" not in str(make_array(backend)).lower()
