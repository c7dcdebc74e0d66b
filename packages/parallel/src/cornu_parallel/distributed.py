# SPDX-License-Identifier: Apache-2.0
"""Beyond one machine: start the framework's own multi-process engine and shard data per rank.

``initialize()`` reads the launcher's environment — torchrun's ``RANK``/``WORLD_SIZE``/
``MASTER_ADDR``/``MASTER_PORT``, JAX's ``JAX_COORDINATOR_ADDRESS``/``JAX_NUM_PROCESSES``/
``JAX_PROCESS_ID``, TensorFlow's ``TF_CONFIG`` — and starts the configured backend's engine:
``torch.distributed`` (gloo on CPU, NCCL on GPUs), ``jax.distributed`` (gloo collectives on
CPU), or ``tf.distribute.MultiWorkerMirroredStrategy``. ``wrap(model)`` gives the framework's
data-parallel wrapper with saving going to the template, and ``shard(dataset)`` this rank's
part of the data. Nothing here imports a framework until it is called.

Example:
    >>> from cornu_parallel import distributed
    >>> distributed.is_initialized(), distributed.rank(), distributed.world_size()
    (False, 0, 1)
"""

from __future__ import annotations

import contextlib
from typing import Any

from cornu_config import backend as configured_backend
from cornu_config import filter_traceback
from cornu_parallel._launch import launch_info
from cornu_parallel._shard import shard_data
from cornu_parallel.backends import load

__all__ = [
    "barrier",
    "initialize",
    "is_initialized",
    "rank",
    "scope",
    "shard",
    "shutdown",
    "world_size",
    "wrap",
]

# The engine started by initialize(): {"backend": name, "info": LaunchInfo}. Process-wide on
# purpose (a process group outlives sessions), so clear_session() does not touch it.
_engine: dict[str, Any] = {}


def _running() -> Any:
    return load(_engine["backend"]) if _engine else None


@filter_traceback
def initialize(
    rank: int | None = None,
    world_size: int | None = None,
    address: str | None = None,
    *,
    timeout: float = 300.0,
) -> None:
    """Start the configured backend's multi-process engine from the launcher's environment.

    Arguments override the environment; with neither, this is a world of one process (handy to
    run the same script with and without a launcher). Calling it again while initialized is a
    no-op when the world is the same.

    Args:
        rank: this process's rank (default ``RANK``, ``JAX_PROCESS_ID`` or TF_CONFIG's index).
        world_size: the number of processes (default ``WORLD_SIZE``, ``JAX_NUM_PROCESSES`` or
            the workers in TF_CONFIG).
        address: ``"host:port"`` of rank 0's coordinator (default ``MASTER_ADDR:MASTER_PORT`` or
            ``JAX_COORDINATOR_ADDRESS``; TensorFlow takes every worker's address from TF_CONFIG).
        timeout: seconds to wait for the other processes.

    Raises:
        ValueError: inconsistent rank/world size, a missing coordinator address, a malformed
            environment variable, or (numpy backend) more than one process: NumPy has no
            collective engine.
        RuntimeError: already initialized with a different world.

    Example:
        >>> from cornu_parallel import distributed
        >>> callable(distributed.initialize)
        True
    """
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        msg = f"`timeout` must be a positive number of seconds. Received: timeout={timeout!r}"
        raise ValueError(msg)
    name = configured_backend()
    info = launch_info(name, rank, world_size, address)
    if _engine:
        old = _engine["info"]
        if _engine["backend"] == name and (old.rank, old.world_size) == (info.rank, info.world_size):
            return
        msg = (
            f"cornu_parallel.distributed is already initialized on {_engine['backend']} as rank "
            f"{old.rank} of {old.world_size}; call shutdown() first. Received: rank={info.rank}, "
            f"world_size={info.world_size}"
        )
        raise RuntimeError(msg)
    load(name).initialize_engine(info, float(timeout))
    _engine.update(backend=name, info=info)


def is_initialized() -> bool:
    """Whether :func:`initialize` started an engine (and :func:`shutdown` has not stopped it).

    Example:
        >>> from cornu_parallel import distributed
        >>> distributed.is_initialized()
        False
    """
    return bool(_engine)


def rank() -> int:
    """This process's rank in the world (0 when not initialized).

    Example:
        >>> from cornu_parallel import distributed
        >>> distributed.rank()
        0
    """
    return _running().engine_rank() if _engine else 0


def world_size() -> int:
    """The number of processes in the world (1 when not initialized).

    Example:
        >>> from cornu_parallel import distributed
        >>> distributed.world_size()
        1
    """
    return _running().engine_world_size() if _engine else 1


@filter_traceback
def barrier() -> None:
    """Wait until every process reaches this point (a no-op for a world of one).

    Example:
        >>> from cornu_parallel import distributed
        >>> distributed.barrier()  # not initialized: a world of one, nothing to wait for
    """
    if _engine and world_size() > 1:
        _running().engine_barrier()


@filter_traceback
def shutdown() -> None:
    """Stop the engine (torch's process group, ``jax.distributed``; TensorFlow forgets its
    strategy, as its collective runtime cannot be torn down in-process). No-op if not started.

    Example:
        >>> from cornu_parallel import distributed
        >>> distributed.shutdown()
        >>> distributed.is_initialized()
        False
    """
    if _engine:
        try:
            _running().engine_shutdown()
        finally:
            _engine.clear()


def scope() -> Any:
    """The context under which distributed variables are made (TensorFlow's strategy scope).

    A no-op context on torch and JAX, and when not initialized.

    Example:
        >>> from cornu_parallel import distributed
        >>> with distributed.scope():
        ...     pass
    """
    if _engine and _engine["backend"] == "tensorflow":
        return _running().engine_scope()
    return contextlib.nullcontext()


@filter_traceback
def shard(dataset: Any, rank: int | None = None, world_size: int | None = None) -> Any:
    """The part of ``dataset`` this rank sees: batches ``rank, rank + n, rank + 2n, ...``.

    Over all ranks every batch is seen exactly once — none duplicated, none dropped (with a
    count that does not divide, the first ranks get one batch more). A PyDataset (or any
    sequence of batches with ``__len__``/``__getitem__``) gives a PyDataset keeping its
    ``workers``/``use_multiprocessing``/``max_queue_size``; an array gives its rows
    ``rank::n``, and a dict or tuple of arrays the same rows of each; a list gives
    ``list[rank::n]``; a ``tf.data.Dataset`` gives ``dataset.shard(n, rank)``; a generator or
    other iterable gives an iterable of its every n-th item.

    Args:
        dataset: the data (see above).
        rank: override this process's rank (default :func:`rank`).
        world_size: override the world size (default :func:`world_size`).

    Returns:
        This rank's view of the data (the data itself for a world of one).

    Example:
        >>> import numpy as np
        >>> from cornu_parallel import distributed
        >>> distributed.shard(np.arange(7), rank=1, world_size=3).tolist()
        [1, 4]
        >>> [list(distributed.shard(iter(range(7)), rank=r, world_size=3)) for r in range(3)]
        [[0, 3, 6], [1, 4], [2, 5]]
    """
    n = globals()["world_size"]() if world_size is None else world_size
    r = globals()["rank"]() if rank is None else rank
    for arg, value in (("rank", r), ("world_size", n)):
        if not isinstance(value, int) or isinstance(value, bool):
            msg = f"`{arg}` must be an int. Received: {arg}={value!r}"
            raise ValueError(msg)
    if n < 1 or not 0 <= r < n:
        msg = f"`rank` must be in [0, world_size) and `world_size` at least 1. Received: rank={r}, world_size={n}"
        raise ValueError(msg)
    return shard_data(dataset, r, n)


@filter_traceback
def wrap(model: Any) -> Any:
    """The framework's data-parallel training wrapper around ``model``, template kept.

    torch: ``DistributedDataParallel`` (gradients averaged over ranks in ``backward``). JAX:
    ``(apply, params)`` or a step function ``fn(params, *batch)`` run as one ``jax.jit`` over
    every process's devices, each process passing its own part of the batch. TensorFlow: a
    model built under :func:`scope` (or a zero-argument function building it, called there),
    with ``run(fn, *args)`` running ``fn`` on the strategy. In every case ``state_dict`` /
    ``get_weights`` / ``save`` go to the template, so a checkpoint from rank 0 loads into the
    single-process model (no ``module.`` prefix).

    Raises:
        RuntimeError: when :func:`initialize` has not been called.
        ValueError: a model the backend cannot wrap (and on numpy, which has no engine).

    Example:
        >>> from cornu_parallel import distributed
        >>> try:
        ...     distributed.wrap(lambda x: x)
        ... except RuntimeError as e:
        ...     print(str(e).split(";")[0])
        call cornu_parallel.distributed.initialize() first
    """
    if not _engine:
        msg = "call cornu_parallel.distributed.initialize() first; wrap() needs a running engine. Received: model=" + type(model).__name__
        raise RuntimeError(msg)
    return _running().engine_wrap(model)
