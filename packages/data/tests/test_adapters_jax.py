# SPDX-License-Identifier: Apache-2.0
"""to_jax: batches put on a JAX device, double-buffered, one epoch per pass."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

jax = pytest.importorskip("jax")
sys.path.insert(0, str(Path(__file__).parent))
import cornu_data_testsets as sets  # noqa: E402

from cornu_data import PyDataset, to_jax  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore:Forking worker processes:RuntimeWarning"),
    pytest.mark.filterwarnings(r"ignore:os.fork\(\) was called:RuntimeWarning"),  # JAX's, when loaded
]


@pytest.mark.parametrize("kwargs", [{}, {"workers": 2}, {"workers": 2, "use_multiprocessing": True}])
def test_batches_arrive_on_the_device_in_order(kwargs):
    loader = to_jax(sets.Indexed(n=5, factor=2, **kwargs), "cpu:0")
    assert len(loader) == 5
    cpu = jax.devices("cpu")[0]
    for e in range(2):
        batches = list(loader)
        assert all(isinstance(x, jax.Array) and x.devices() == {cpu} for x, _ in batches)
        assert [float(x[0, 0]) for x, _ in batches] == [float(i * 2**e) for i in range(5)]
    loader.close()


class Watched(PyDataset):
    """Records how many batches were taken from it when each one is made."""

    def __init__(self):
        super().__init__()
        self.made = 0

    def __len__(self):
        return 6

    def __getitem__(self, i):
        self.made += 1
        return np.full((2,), i, np.float32)


@pytest.mark.parametrize("buffer_size", [1, 2, 3])
def test_prefetches_buffer_size_minus_one_batches_ahead(buffer_size):
    ds = Watched()
    loader = to_jax(ds, buffer_size=buffer_size)
    stream = iter(loader)
    first = next(stream)
    assert float(first[0]) == 0.0
    assert ds.made == buffer_size  # batch 0 in use, the next ones already sent to the device


def test_default_device_and_device_objects():
    device = jax.devices()[0]
    assert to_jax(np.arange(3.0), batch_size=2).device == jax.local_devices()[0]
    assert to_jax(np.arange(3.0), device, batch_size=2).device is device


def test_non_array_leaves_are_left_alone():
    class Named(PyDataset):
        def __len__(self):
            return 1

        def __getitem__(self, i):
            return {"x": np.ones(2), "name": "first", "labels": np.array(["a", "b"])}

    (batch,) = list(to_jax(Named()))
    assert isinstance(batch["x"], jax.Array)
    assert batch["name"] == "first"
    assert batch["labels"].tolist() == ["a", "b"]


def test_bad_arguments():
    with pytest.raises(ValueError, match="Received: buffer_size=0"):
        to_jax(np.arange(3.0), buffer_size=0)
    with pytest.raises(ValueError):
        to_jax(np.arange(3.0), "tpu:7")
