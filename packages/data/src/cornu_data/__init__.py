# SPDX-License-Identifier: Apache-2.0
"""cornu_data: HDF5Matrix, PyDataset/Sequence workers and loaders for every framework."""

from cornu_data.__about__ import __version__
from cornu_data.hdf5 import HDF5Matrix
from cornu_data.sequence import PyDataset, Sequence

# Loaders, imported on first use (PEP 562) so that `import cornu_data` stays cheap.
_LAZY = {
    "EpochIterator": "cornu_data.epoch_iterator",
    "GeneratorEnqueuer": "cornu_data.enqueuers",
    "OrderedEnqueuer": "cornu_data.enqueuers",
    "WorkerError": "cornu_data.enqueuers",
    "WorkerInfo": "cornu_data.enqueuers",
    "WorkerTimeoutError": "cornu_data.enqueuers",
    "get_worker_info": "cornu_data.enqueuers",
    "to_jax": "cornu_data.jax_adapter",
    "to_tf_dataset": "cornu_data.tf_adapter",
    "to_torch": "cornu_data.torch_adapter",
}

__all__ = [
    "EpochIterator",
    "GeneratorEnqueuer",
    "HDF5Matrix",
    "OrderedEnqueuer",
    "PyDataset",
    "Sequence",
    "WorkerError",
    "WorkerInfo",
    "WorkerTimeoutError",
    "__version__",
    "get_worker_info",
    "to_jax",
    "to_tf_dataset",
    "to_torch",
]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cornu_data' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
