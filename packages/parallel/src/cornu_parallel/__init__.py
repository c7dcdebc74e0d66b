# SPDX-License-Identifier: Apache-2.0
"""cornu_parallel: replicate / multi_gpu_model and multi-process training on each framework's own engine.

``replicate(model, devices)`` splits every batch over devices, runs one replica per device with
the framework's own machinery and concatenates the outputs, which equal the single-device
model's; ``multi_gpu_model`` is Keras 2's GPU form. ``cornu_parallel.distributed`` starts
``torch.distributed``, ``jax.distributed`` or ``tf.distribute`` from the launcher's environment
and shards data per rank. No framework is imported until a function needs it.

Example:
    >>> import numpy as np
    >>> import cornu_parallel
    >>> rep = cornu_parallel.replicate(lambda x: x + 1.0)  # every device of the backend
    >>> np.asarray(rep(np.zeros(3))).tolist()
    [1.0, 1.0, 1.0]
"""

from __future__ import annotations

from typing import Any

from cornu_parallel.__about__ import __version__
from cornu_parallel.replica import ReplicatedModel
from cornu_parallel.replication import model_backend, multi_gpu_model, replicate

__all__ = [
    "ReplicatedModel",
    "__version__",
    "distributed",
    "model_backend",
    "multi_gpu_model",
    "replicate",
]


def __getattr__(name: str) -> Any:
    if name == "distributed":
        import importlib

        return importlib.import_module("cornu_parallel.distributed")
    msg = f"module 'cornu_parallel' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return list(__all__)
