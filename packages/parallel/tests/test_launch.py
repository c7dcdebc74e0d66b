# SPDX-License-Identifier: Apache-2.0
"""distributed.initialize reads the launchers' environments; lifecycle without an engine."""

from __future__ import annotations

import json

import pytest

from cornu_parallel import distributed
from cornu_parallel._launch import launch_info

LAUNCH_VARS = (
    "RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "TF_CONFIG",
    "JAX_COORDINATOR_ADDRESS", "JAX_NUM_PROCESSES", "JAX_PROCESS_ID",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in LAUNCH_VARS:
        monkeypatch.delenv(name, raising=False)


def test_torchrun_variables(monkeypatch):
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("MASTER_ADDR", "10.0.0.1")
    monkeypatch.setenv("MASTER_PORT", "29500")
    info = launch_info("torch", None, None, None)
    assert (info.rank, info.world_size, info.address, info.source) == (1, 4, "10.0.0.1:29500", "environment")
    assert launch_info("torch", 3, None, None).rank == 3  # arguments win


def test_jax_variables_win_over_torchrun_for_jax(monkeypatch):
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("JAX_COORDINATOR_ADDRESS", "127.0.0.1:1234")
    monkeypatch.setenv("JAX_NUM_PROCESSES", "3")
    monkeypatch.setenv("JAX_PROCESS_ID", "2")
    info = launch_info("jax", None, None, None)
    assert (info.rank, info.world_size, info.address) == (2, 3, "127.0.0.1:1234")


def test_tf_config(monkeypatch):
    config = {"cluster": {"worker": ["a:1", "b:2", "c:3"]}, "task": {"type": "worker", "index": 2}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(config))
    info = launch_info("tensorflow", None, None, None)
    assert (info.rank, info.world_size, info.address) == (2, 3, "a:1")
    assert info.tf_config["workers"] == ["a:1", "b:2", "c:3"]


def test_no_environment_is_a_world_of_one_on_localhost():
    info = launch_info("torch", None, None, None)
    assert (info.rank, info.world_size, info.source) == (0, 1, "single process")
    assert info.address.startswith("127.0.0.1:")


@pytest.mark.parametrize(
    ("env", "match"),
    [
        ({"RANK": "x", "WORLD_SIZE": "2"}, "RANK must be an integer. Received: RANK='x'"),
        ({"RANK": "2", "WORLD_SIZE": "2", "MASTER_ADDR": "h", "MASTER_PORT": "1"}, "Received: rank=2, world_size=2"),
        ({"WORLD_SIZE": "2", "RANK": "0"}, "address is needed"),
        ({"WORLD_SIZE": "2"}, r"`rank` \(or RANK\) is needed"),
        ({"TF_CONFIG": "{not json"}, "TF_CONFIG must be JSON"),
    ],
)
def test_bad_environments_are_clear_errors(monkeypatch, env, match):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ValueError, match=match):
        launch_info("tensorflow" if "TF_CONFIG" in env else "torch", None, None, None)


@pytest.mark.parametrize(("kwargs", "match"), [({"rank": -1}, "Received: rank=-1"), ({"address": "nohost"}, "Received: address='nohost'")])
def test_bad_arguments(kwargs, match):
    args = {"rank": None, "world_size": None, "address": None, **kwargs}
    with pytest.raises(ValueError, match=match):
        launch_info("torch", args["rank"], args["world_size"], args["address"])


def test_not_initialized_defaults():
    assert (distributed.is_initialized(), distributed.rank(), distributed.world_size()) == (False, 0, 1)
    distributed.barrier()
    distributed.shutdown()
    with pytest.raises(RuntimeError, match="initialize"):
        distributed.wrap(object())
    with pytest.raises(ValueError, match="Received: timeout=0"):
        distributed.initialize(timeout=0)


def test_numpy_backend_runs_a_world_of_one_only(numpy_backend):
    with pytest.raises(ValueError, match=r"numpy backend has no collective engine.*Received: world_size=2"):
        distributed.initialize(rank=0, world_size=2, address="127.0.0.1:1")
    assert not distributed.is_initialized()
    distributed.initialize()
    assert (distributed.is_initialized(), distributed.rank(), distributed.world_size()) == (True, 0, 1)
    distributed.initialize()  # same world again: no-op
    with pytest.raises(RuntimeError, match="already initialized"):
        distributed.initialize(rank=0, world_size=2, address="127.0.0.1:1")
    distributed.barrier()
    with pytest.raises(ValueError, match="no data-parallel training engine"):
        distributed.wrap(lambda x: x)
    distributed.shutdown()
    assert not distributed.is_initialized()
