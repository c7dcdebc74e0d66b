# SPDX-License-Identifier: Apache-2.0
"""What each framework does inside a scope: torch's constructors and modules, JAX and
TensorFlow on virtual CPU devices (indices > 0, in subprocesses), GPUs through what the
frameworks allow on a CPU-only host."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import textwrap
import threading

import pytest

import cornu_config
import cornu_device as cd
from cornu_device.devices import forget_devices

# What torch says when asked for a CUDA tensor it cannot make: a CPU build ("Torch not compiled
# with CUDA enabled") or a CUDA build on a machine without a GPU ("Found no NVIDIA driver").
NO_CUDA = r"(?i)cuda|nvidia"


def only_on(framework):
    if cornu_config.backend() != framework:
        pytest.skip(f"runs with CORNU_BACKEND={framework}")
    return pytest.importorskip(framework)


def run_python(code, backend, **env):
    """Run ``code`` in a fresh interpreter with CORNU_BACKEND=backend; return its stdout."""
    full = dict(os.environ, CORNU_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3", **env)
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=full, capture_output=True, text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture
def two_fake_gpus(monkeypatch):
    """torch reporting two CUDA devices (counting needs no CUDA), so gpu scopes can open."""
    torch = only_on("torch")
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    forget_devices()
    yield torch
    forget_devices()


# ---------------------------------------------------------------- torch


def test_torch_gpu_names_map_to_cuda(two_fake_gpus):
    torch = two_fake_gpus
    assert cd.list_devices() == ["cpu:0", "gpu:0", "gpu:1"]
    for name, expected in (("gpu:0", "cuda:0"), ("GPU:1", "cuda:1"), ("cuda", "cuda:0"), ("/device:GPU:1", "cuda:1")):
        with cd.device(name) as native:  # T-DEV-02
            assert native == torch.device(expected)
            assert cd.current_device() == str(cd.parse_device(name))
    assert cd.to_native("gpu:1") == torch.device("cuda:1")
    with pytest.raises(ValueError) as info:
        cd.device("gpu:2")
    assert "there are 2 gpu device(s), so index 2 is out of range" in str(info.value)
    assert "Existing devices: ['cpu:0', 'gpu:0', 'gpu:1']" in str(info.value)


def test_torch_scope_feeds_torch_constructors(two_fake_gpus):
    torch = two_fake_gpus
    with cd.device("gpu:0"):
        # The scope asks torch for a CUDA tensor: on a CPU-only build torch says it has no CUDA.
        with pytest.raises((AssertionError, RuntimeError), match=NO_CUDA):
            torch.zeros(2)
        with pytest.raises((AssertionError, RuntimeError), match=NO_CUDA):
            torch.nn.Linear(2, 2)
        assert torch.zeros(2, device="cpu").device.type == "cpu"  # an explicit device wins
        with cd.device("cpu"):  # T-DEV-03: nested cpu inside gpu:0
            assert cd.current_device() == "cpu:0"
            assert torch.zeros(2).device.type == "cpu"
            assert torch.nn.Linear(2, 2).weight.device.type == "cpu"
        assert cd.current_device() == "gpu:0"
        with torch.device("meta"):  # torch's own scope opened inside: the innermost wins
            assert torch.zeros(2).device.type == "meta"
        with pytest.raises((AssertionError, RuntimeError), match=NO_CUDA):
            torch.ones(1)
    assert cd.current_device() is None
    assert torch.zeros(2).device.type == "cpu"
    assert torch._C._len_torch_function_stack() == 0


def test_torch_exception_restores_placement(two_fake_gpus):
    torch = two_fake_gpus
    with pytest.raises(ZeroDivisionError), cd.device("gpu:1"):  # T-DEV-05
        _ = 1 / 0
    assert torch.zeros(1).device.type == "cpu"
    assert torch._C._len_torch_function_stack() == 0


def test_torch_clear_session_returns_tensors_to_the_default(two_fake_gpus):
    torch = two_fake_gpus
    with cd.device("gpu:0"):
        cornu_config.clear_session(free_memory=False)
        assert torch.zeros(1).device.type == "cpu"
    assert torch._C._len_torch_function_stack() == 0


def test_torch_asyncio_tasks_place_with_their_own_scope(two_fake_gpus):
    torch = two_fake_gpus
    placed = []

    async def on_gpu():
        with cd.device("gpu:0"):
            await asyncio.sleep(0.02)

    async def plain():
        await asyncio.sleep(0.01)  # runs while the other task is inside its gpu scope
        placed.append(torch.zeros(1).device.type)

    async def main():
        await asyncio.gather(on_gpu(), plain())

    asyncio.run(main())
    assert placed == ["cpu"]
    assert torch._C._len_torch_function_stack() == 0


def test_torch_threads_place_with_their_own_scope(two_fake_gpus):
    torch = two_fake_gpus
    placed = []
    with cd.device("gpu:0"):
        worker = threading.Thread(target=lambda: placed.append(torch.zeros(1).device.type))
        worker.start()
        worker.join()
    assert placed == ["cpu"]


def test_torch_worker_in_a_copied_context_reenters_the_scope(two_fake_gpus):
    import contextvars

    torch = two_fake_gpus
    seen = []

    def worker():
        seen.append(cd.current_device())
        seen.append(torch.zeros(1).device.type)  # torch's placement is per thread
        with cd.device(cd.current_device()):
            try:
                torch.zeros(1)
            except (AssertionError, RuntimeError) as e:
                seen.append(re.search(NO_CUDA, str(e)) is not None)

    with cd.device("gpu:1"):
        thread = threading.Thread(target=contextvars.copy_context().run, args=(worker,))
        thread.start()
        thread.join()
    assert seen == ["gpu:1", "cpu", True]


def test_torch_set_default_device_is_respected_outside_scopes():
    torch = only_on("torch")
    torch.set_default_device("meta")
    try:
        with cd.device("cpu"):
            assert torch.zeros(1).device.type == "cpu"
        assert torch.zeros(1).device.type == "meta"
    finally:
        torch.set_default_device(None)


def test_torch_name_scope_shows_in_the_profiler():
    torch = only_on("torch")
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof, cd.name_scope("cornu_block"):
        torch.ones(3) + 1
    assert "cornu_block" in {e.name for e in prof.events()}


# ---------------------------------------------------------------- jax


def test_jax_arrays_follow_the_scope():
    jax = only_on("jax")
    import jax.numpy as jnp

    cpu0 = jax.devices("cpu")[0]
    for name in ("cpu:0", "CPU:0", "cpu"):  # T-DEV-06
        with cd.device(name) as native:
            assert native is cpu0
            assert jnp.zeros(2).devices() == {cpu0}
    with pytest.raises(ValueError, match="there are 1 cpu device"):  # T-DEV-07
        cd.device("cpu:5")


def test_jax_named_scope_reaches_the_lowered_program():
    jax = only_on("jax")
    import jax.numpy as jnp

    def f(x):
        with cd.name_scope("outer"), cd.name_scope("inner"):
            return jnp.sin(x) * 2

    assert "outer/inner" in jax.jit(f).lower(1.0).as_text(debug_info=True)


def test_jax_virtual_cpu_devices_in_a_subprocess():
    only_on("jax")
    out = run_python(
        """
        import jax, jax.numpy as jnp, cornu_device as cd
        cpus = jax.devices("cpu")
        assert cd.list_devices() == ["cpu:0", "cpu:1", "cpu:2"], cd.list_devices()
        import threading
        with cd.device("cpu:1") as d:
            assert d is cpus[1]
            assert jnp.ones(2).devices() == {cpus[1]}
            other = []
            t = threading.Thread(target=lambda: other.append(jnp.ones(2).devices()))
            t.start(); t.join()
            assert other == [{cpus[0]}], other   # the scope does not leak into other threads
            with cd.device("CPU:2"):
                assert jnp.ones(2).devices() == {cpus[2]}
            assert jnp.ones(2).devices() == {cpus[1]}
        assert jnp.ones(2).devices() == {cpus[0]}
        assert cd.parse_device(cpus[2]) == cd.DeviceSpec("cpu", 2)
        try:
            cd.device("cpu:3")
        except ValueError as e:
            assert "there are 3 cpu device(s), so index 3 is out of range" in str(e)
        print("ok")
        """,
        "jax",
        XLA_FLAGS="--xla_force_host_platform_device_count=3",
    )
    assert out.strip() == "ok"


# ---------------------------------------------------------------- tensorflow


def test_tf_ops_and_variables_follow_the_scope():
    tf = only_on("tensorflow")
    for name in ("cpu:0", "CPU:0"):  # T-DEV-08
        with cd.device(name):
            assert tf.constant(1.0).device.endswith("/device:CPU:0")
            assert tf.Variable(1.0).device.endswith("/device:CPU:0")


def test_tf_name_scope_names_variables_and_ops():
    tf = only_on("tensorflow")
    with cd.name_scope("block"), cd.name_scope("dense"):
        assert tf.Variable(1.0, name="kernel").name == "block/dense/kernel:0"

    @tf.function
    def f(x):
        with cd.name_scope("scoped"):
            return tf.identity(x, name="out")

    graph = f.get_concrete_function(tf.TensorSpec([], tf.float32)).graph
    assert "scoped/out" in [op.name for op in graph.get_operations()]


def test_tf_logical_cpu_devices_in_a_subprocess():
    only_on("tensorflow")
    out = run_python(
        """
        import tensorflow as tf, cornu_device as cd
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        assert cd.list_devices() == ["cpu:0", "cpu:1"], cd.list_devices()
        import threading
        with cd.device("cpu:1") as d:
            assert d == "/device:CPU:1"
            other = []
            t = threading.Thread(target=lambda: other.append(tf.constant(1.0).device))
            t.start(); t.join()
            assert other[0].endswith("/device:CPU:0"), other
            assert tf.constant(1.0).device.endswith("/device:CPU:1")
            assert tf.Variable(1.0).device.endswith("/device:CPU:1")
            with cd.device("cpu:0"):
                assert tf.constant(1.0).device.endswith("/device:CPU:0")
            assert tf.constant(1.0).device.endswith("/device:CPU:1")
        assert tf.constant(1.0).device.endswith("/device:CPU:0")
        try:
            cd.device("cpu:2")
        except ValueError as e:
            assert "there are 2 cpu device(s)" in str(e)
        print("ok")
        """,
        "tensorflow",
    )
    assert out.strip() == "ok"


def test_tf_soft_placement_sets_tensorflows_switch():
    tf = only_on("tensorflow")
    before = tf.config.get_soft_device_placement()
    try:
        cd.set_soft_device_placement(False)
        assert tf.config.get_soft_device_placement() is False
        assert cd.device_settings()["soft_device_placement"].took_effect is True
        cd.set_soft_device_placement(True)
        assert tf.config.get_soft_device_placement() is True
    finally:
        tf.config.set_soft_device_placement(before)


def test_tf_device_inside_tf_function_and_threads():
    tf = only_on("tensorflow")

    @tf.function
    def f(x):
        with cd.device("cpu:0"), cd.name_scope("placed"):
            return tf.identity(x, name="out")

    graph = f.get_concrete_function(tf.TensorSpec([], tf.float32)).graph
    op = graph.get_operation_by_name("placed/out")
    assert op.device.endswith("device:CPU:0")
    seen = []

    def work():
        seen.append(tf.constant(1.0).device)
        with cd.device("cpu"), cd.name_scope("t"):
            seen.append(tf.constant(1.0).device)
            seen.append(tf.Variable(1.0, name="v").name)

    with cd.device("cpu:0"):
        worker = threading.Thread(target=work)
        worker.start()
        worker.join()
    assert seen[1].endswith("device:CPU:0")
    assert seen[2] == "t/v:0"
    with cd.name_scope("after"):
        assert tf.Variable(1.0, name="w").name == "after/w:0"
