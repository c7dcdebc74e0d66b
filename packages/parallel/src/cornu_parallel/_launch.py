# SPDX-License-Identifier: Apache-2.0
"""Reading the launcher's environment: torchrun, JAX coordinator variables, TF_CONFIG."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LaunchInfo", "free_port", "launch_info"]


@dataclass(frozen=True)
class LaunchInfo:
    """Where this process sits: its rank, the world size, the coordinator, and the source."""

    rank: int
    world_size: int
    address: str | None
    source: str
    tf_config: dict[str, Any] | None = field(default=None)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _int_env(name: str) -> int | None:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        msg = f"Environment variable {name} must be an integer. Received: {name}={raw!r}"
        raise ValueError(msg) from None


def _torchrun() -> tuple[int | None, int | None, str | None]:
    addr, port = os.environ.get("MASTER_ADDR"), os.environ.get("MASTER_PORT")
    return _int_env("RANK"), _int_env("WORLD_SIZE"), f"{addr}:{port}" if addr and port else None


def _tf_config() -> dict[str, Any] | None:
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        return None
    try:
        config = json.loads(raw)
        workers = config["cluster"]["worker"]
        index = int(config["task"]["index"])
    except (ValueError, KeyError, TypeError):
        msg = (
            "Environment variable TF_CONFIG must be JSON such as {\"cluster\": {\"worker\": "
            "[\"host:port\", ...]}, \"task\": {\"type\": \"worker\", \"index\": 0}}. "
            f"Received: TF_CONFIG={raw!r}"
        )
        raise ValueError(msg) from None
    if not isinstance(workers, list) or not workers:
        msg = f"TF_CONFIG must list at least one worker. Received: TF_CONFIG={raw!r}"
        raise ValueError(msg)
    return {"workers": workers, "index": index, "raw": config}


def launch_info(backend: str, rank: int | None, world_size: int | None, address: str | None) -> LaunchInfo:
    """Explicit arguments first, then the backend's own variables, then torchrun's; else alone.

    Sources: ``RANK``/``WORLD_SIZE``/``MASTER_ADDR``/``MASTER_PORT`` (torchrun, every backend),
    ``JAX_COORDINATOR_ADDRESS``/``JAX_NUM_PROCESSES``/``JAX_PROCESS_ID`` (JAX), ``TF_CONFIG``
    (TensorFlow). With none of them this is a world of one process on 127.0.0.1.
    """
    for arg, value in (("rank", rank), ("world_size", world_size)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            msg = f"`{arg}` must be a non-negative int or None. Received: {arg}={value!r}"
            raise ValueError(msg)
    if address is not None and (not isinstance(address, str) or ":" not in address):
        msg = f"`address` must be 'host:port' or None. Received: address={address!r}"
        raise ValueError(msg)
    source = "arguments"
    tf_config = None
    env_rank, env_world, env_addr = _torchrun()
    if backend == "jax":
        jax_addr = os.environ.get("JAX_COORDINATOR_ADDRESS")
        jax_world, jax_rank = _int_env("JAX_NUM_PROCESSES"), _int_env("JAX_PROCESS_ID")
        if jax_addr or jax_world is not None:
            env_rank, env_world, env_addr = jax_rank, jax_world, jax_addr
    if backend == "tensorflow":
        tf_config = _tf_config()
        if tf_config is not None:
            env_rank, env_world = tf_config["index"], len(tf_config["workers"])
            env_addr = tf_config["workers"][0]
    if rank is None and world_size is None and address is None:
        source = "environment" if env_world is not None or tf_config is not None else "single process"
    rank = env_rank if rank is None else rank
    world_size = env_world if world_size is None else world_size
    address = env_addr if address is None else address
    if world_size is None:
        world_size = 1
    if rank is None:
        if world_size != 1:
            msg = f"`rank` (or RANK) is needed when the world has {world_size} processes. Received: rank=None"
            raise ValueError(msg)
        rank = 0
    if world_size < 1 or not 0 <= rank < world_size:
        msg = (
            f"`rank` must be in [0, world_size) and `world_size` at least 1. "
            f"Received: rank={rank}, world_size={world_size}"
        )
        raise ValueError(msg)
    if address is None:
        if world_size > 1:
            msg = (
                "The coordinator's address is needed for more than one process: pass "
                "`address='host:port'` or set MASTER_ADDR and MASTER_PORT (or JAX_COORDINATOR_ADDRESS, "
                f"or TF_CONFIG). Received: address=None, world_size={world_size}"
            )
            raise ValueError(msg)
        address = f"127.0.0.1:{free_port()}"
    return LaunchInfo(rank, world_size, address, source, tf_config)
