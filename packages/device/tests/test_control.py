# SPDX-License-Identifier: Apache-2.0
"""set_visible_devices / set_num_threads / device_settings: the environment path before the
framework is imported (fresh subprocesses), the API path after, and the too-late path."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import cornu_config
import cornu_device as cd

ENV_VARS = (
    "CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "JAX_PLATFORMS", "OMP_NUM_THREADS",
    "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS",
    "XLA_FLAGS",
)


@pytest.fixture(autouse=True)
def restore_environment():
    """The setters write os.environ: put back exactly what was there."""
    saved = {name: os.environ.get(name) for name in ENV_VARS}
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def run_python(code, backend, **env):
    full = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    full.update(CORNU_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3", **env)
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=full, capture_output=True, text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def only_on(framework):
    if cornu_config.backend() != framework:
        pytest.skip(f"runs with CORNU_BACKEND={framework}")
    return pytest.importorskip(framework)


# ---------------------------------------------------------------- argument checks


@pytest.mark.parametrize("devices", ["gpu0", [-1], [0, 0], True, {"a"}, ["cpu:0"], [1.5], None])
def test_visible_devices_argument(devices):
    with pytest.raises(ValueError) as info:
        cd.set_visible_devices(devices, backend="numpy")
    assert "Argument `devices` must be 'cpu'" in str(info.value)
    assert str(info.value).endswith(f"Received: devices={devices!r}")


@pytest.mark.parametrize(("kwargs", "arg"), [({"intra_op": 0}, "intra_op"), ({"inter_op": -2}, "inter_op"), ({"intra_op": 1.5}, "intra_op"), ({"inter_op": True}, "inter_op")])
def test_thread_arguments(kwargs, arg):
    with pytest.raises(ValueError) as info:
        cd.set_num_threads(backend="numpy", **kwargs)
    assert str(info.value) == (
        f"Argument `{arg}` must be a positive integer or None. Received: {arg}={kwargs[arg]!r}"
    )


def test_threads_need_one_value():
    with pytest.raises(ValueError, match="Pass `intra_op`, `inter_op` or both"):
        cd.set_num_threads(backend="numpy")


# ---------------------------------------------------------------- environment path


def test_visible_devices_before_import_set_the_environment():
    cd.set_visible_devices([2, 0], backend="numpy")
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "0,2"
    assert os.environ["HIP_VISIBLE_DEVICES"] == "0,2"
    assert cd.device_settings()["visible_devices"].requested == [0, 2]
    cd.set_visible_devices("CPU", backend="numpy")
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "-1"
    cd.set_visible_devices(["gpu:1", "cuda:3"], backend="numpy")
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "1,3"


def test_threads_before_import_set_the_environment():
    if "jax" in sys.modules:
        pytest.skip("JAX is imported in this run; the fresh-process tests cover the path")
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
    cd.set_num_threads(intra_op=1, inter_op=3, backend="jax")
    assert os.environ["TF_NUM_INTEROP_THREADS"] == "3"
    assert cd.device_settings()["inter_op_threads"].requested == 3
    flags = os.environ["XLA_FLAGS"].split()
    assert flags == [
        "--xla_force_host_platform_device_count=2", "--xla_cpu_multi_thread_eigen=false",
        "intra_op_parallelism_threads=1",
    ]
    assert os.environ["OMP_NUM_THREADS"] == os.environ["TF_NUM_INTRAOP_THREADS"] == "1"
    cd.set_num_threads(intra_op=4, backend="jax")  # more than one: the single-thread flags go
    assert os.environ["XLA_FLAGS"].split() == ["--xla_force_host_platform_device_count=2"]


def test_torch_env_path_in_a_fresh_process():
    only_on("torch")
    out = run_python(
        """
        import sys, cornu_device as cd
        cd.set_visible_devices("cpu")
        cd.set_num_threads(intra_op=2, inter_op=3)
        assert "torch" not in sys.modules
        report = cd.device_settings()
        assert report["intra_op_threads"].took_effect is None
        assert report["intra_op_threads"].detail.startswith("pending")
        import torch
        assert torch.cuda.device_count() == 0
        assert torch.get_num_threads() == 2          # OMP_NUM_THREADS, read at import
        report = cd.device_settings()               # loads cornu's torch backend: inter-op applied
        assert torch.get_num_interop_threads() == 3
        for name in ("visible_devices", "intra_op_threads", "inter_op_threads"):
            assert report[name].took_effect is True, report
        print(report)
        """,
        "torch",
    )
    assert "intra_op_threads" in out
    assert "applied" in out


def test_jax_env_path_in_a_fresh_process():
    only_on("jax")
    out = run_python(
        """
        import os, cornu_device as cd
        cd.set_visible_devices("cpu")
        cd.set_num_threads(intra_op=1)
        assert os.environ["JAX_PLATFORMS"] == "cpu"
        import jax
        assert [d.platform for d in jax.devices()] == ["cpu", "cpu"]
        assert cd.list_devices() == ["cpu:0", "cpu:1"]
        row = cd.device_settings()["visible_devices"]
        assert row.effective == [] and row.took_effect is True, row
        print("ok")
        """,
        "jax",
        XLA_FLAGS="--xla_force_host_platform_device_count=2",
    )
    assert out.strip() == "ok"


def test_jax_after_import_before_backends_uses_its_flags():
    only_on("jax")
    out = run_python(
        """
        import jax, cornu_device as cd
        cd.set_visible_devices("cpu")                 # imported, backends not created yet
        assert jax.config.values["jax_platforms"] == "cpu"
        cd.set_visible_devices([1])
        assert jax.config.values["jax_cuda_visible_devices"] == "1"
        jax.devices()
        try:
            cd.set_visible_devices("cpu")
        except cd.TooLateError as e:
            print(e)
        try:
            cd.set_num_threads(intra_op=1)
        except cd.TooLateError as e:
            print(e)
        """,
        "jax",
    )
    lines = out.strip().splitlines()
    assert lines[0] == (
        "`set_visible_devices` came too late: JAX was already initialised (its backends are "
        "created), so the visible devices can no longer change in this process. Call "
        "`set_visible_devices` before JAX first runs an operation, or set CUDA_VISIBLE_DEVICES "
        "or JAX_PLATFORMS before Python starts. Received: devices='cpu'"
    )
    assert lines[1].startswith("`set_num_threads` came too late: JAX was already initialised")
    assert lines[1].endswith("or set XLA_FLAGS before Python starts. Received: intra_op=1")


def test_tf_env_and_api_paths_in_a_fresh_process():
    only_on("tensorflow")
    out = run_python(
        """
        import cornu_device as cd
        cd.set_num_threads(intra_op=2, inter_op=3)
        cd.set_soft_device_placement(False)
        import tensorflow as tf
        cd.set_visible_devices("cpu")                 # imported, runtime not started: tf.config
        assert tf.config.get_visible_devices("GPU") == []
        try:
            cd.set_visible_devices([0])
        except ValueError as e:
            print(e)
        report = cd.device_settings()
        assert tf.config.threading.get_intra_op_parallelism_threads() == 2
        assert tf.config.threading.get_inter_op_parallelism_threads() == 3
        assert tf.config.get_soft_device_placement() is False
        for name in ("visible_devices", "intra_op_threads", "inter_op_threads", "soft_device_placement"):
            assert report[name].took_effect is True, report
        tf.constant(1.0) + 1                         # the runtime starts
        cd.set_visible_devices("cpu")                 # already in force: nothing to change
        try:
            cd.set_num_threads(intra_op=4)
        except cd.TooLateError as e:
            print(e)
        """,
        "tensorflow",
    )
    lines = out.strip().splitlines()
    assert lines[0] == (
        "TensorFlow sees 0 GPU(s), so GPU index 0 does not exist. Pass indices below 0, or 'cpu'. "
        "Received: devices=[0]"
    )
    assert lines[1].startswith("`set_num_threads` came too late: TensorFlow was already initialised")
    assert lines[1].endswith("Received: intra_op=4")


def test_tf_visible_devices_after_the_runtime_started(monkeypatch):
    tf = only_on("tensorflow")

    def refuse(devices, device_type=None):
        raise RuntimeError("Visible devices cannot be modified after being initialized")

    monkeypatch.setattr(tf.config, "set_visible_devices", refuse)
    with pytest.raises(cd.TooLateError) as info:
        cd.set_visible_devices("cpu")
    assert str(info.value).startswith(
        "`set_visible_devices` came too late: TensorFlow was already initialised (its runtime "
        "has started), so the visible devices can no longer change in this process."
    )
    assert str(info.value).endswith("Received: devices='cpu'")


# ---------------------------------------------------------------- too late, in this process


def test_torch_inter_op_too_late():
    only_on("torch")
    out = run_python(
        """
        import torch, cornu_device as cd
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        cd.set_num_threads(inter_op=1)             # the same value: nothing to change
        try:
            cd.set_num_threads(intra_op=2, inter_op=2)
        except cd.TooLateError as e:
            print(e)
        assert torch.get_num_threads() != 2      # nothing half-applied: intra-op untouched
        print(cd.device_settings()["inter_op_threads"].effective)
        """,
        "torch",
    )
    lines = out.strip().splitlines()
    assert lines[0] == (
        "`set_num_threads` came too late: torch was already initialised (its inter-op thread "
        "pool has started or was sized), so the inter-op thread count can no longer change in "
        "this process. Call `set_num_threads` before torch first runs an operation. "
        "Received: inter_op=2"
    )
    assert lines[1] == "1"


def test_torch_visible_devices_after_cuda_started(monkeypatch):
    torch = only_on("torch")
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
    with pytest.raises(cd.TooLateError) as info:
        cd.set_visible_devices([0])
    assert "torch was already initialised (CUDA is initialised)" in str(info.value)
    assert str(info.value).endswith("Received: devices=[0]")
    assert os.environ.get("CUDA_VISIBLE_DEVICES") != "0"  # nothing half-applied


def test_torch_visible_devices_before_cuda_starts():
    torch = only_on("torch")
    cd.set_visible_devices("cpu")
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "-1"
    assert torch.cuda.device_count() == 0
    row = cd.device_settings()["visible_devices"]
    assert (row.requested, row.effective, row.took_effect) == ("cpu", [], True)


def test_numpy_threads_after_numpy_loaded(monkeypatch):
    pytest.importorskip("numpy")
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # as if not installed
    with pytest.raises(cd.TooLateError) as info:
        cd.set_num_threads(intra_op=2, backend="numpy")
    assert str(info.value).startswith(
        "`set_num_threads` came too late: NumPy was already initialised (its BLAS library is loaded)"
    )
    assert str(info.value).endswith("set OMP_NUM_THREADS before Python starts. Received: intra_op=2")


# ---------------------------------------------------------------- the report


def test_report_rows_and_table(backend):
    report = cd.device_settings()
    assert [row.name for row in report] == [
        "backend", "visible_devices", "intra_op_threads", "inter_op_threads",
        "soft_device_placement", "environment",
    ]
    assert report["backend"].effective == backend
    row = report["soft_device_placement"]
    assert row[:4] == ("soft_device_placement", None, False, None)
    assert row.detail.startswith("a missing device raises")
    if backend == "tensorflow":
        assert row.detail.endswith("TensorFlow's own switch is True")  # TensorFlow's default
    text = str(report)
    assert text.splitlines()[0].split()[:4] == ["setting", "requested", "effective", "took"]
    assert len(text.splitlines()) == len(report) + 1
    cd.set_soft_device_placement(True)
    row = cd.device_settings()["soft_device_placement"]
    assert (row.requested, row.effective) == (True, True)
    with pytest.raises(KeyError):
        report["nope"]


def test_report_says_when_a_setting_did_not_take(backend):
    if backend == "numpy":
        pytest.skip("NumPy has no accelerators to count")
    cd.set_visible_devices([0, 1], backend="numpy")  # asked for two GPUs this host lacks
    row = cd.device_settings(probe=True)["visible_devices"]
    assert row.requested == [0, 1]
    assert row.took_effect is (len(row.effective) == 2)
    if not row.took_effect:
        assert row.detail == f"{backend} sees {len(row.effective)} accelerator(s), not 2"
    assert "NO" in str(cd.device_settings()) or row.took_effect


def test_report_never_imports_a_framework():
    out = run_python(
        """
        import sys, cornu_device as cd
        cd.set_visible_devices("cpu"); cd.set_num_threads(2, 2)
        print(cd.device_settings())
        assert not [m for m in ("torch", "jax", "tensorflow") if m in sys.modules]
        """,
        cornu_config.backend(),
    )
    assert "pending" in out or "numpy" in out
