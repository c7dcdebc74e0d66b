# SPDX-License-Identifier: Apache-2.0
"""to_torch: a DataLoader over cornu_data's workers, and a map-style Dataset for torch's own."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
sys.path.insert(0, str(Path(__file__).parent))
import cornu_data_testsets as sets  # noqa: E402

from cornu_data import to_torch  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore:Forking worker processes:RuntimeWarning"),
    pytest.mark.filterwarnings(r"ignore:os.fork\(\) was called:RuntimeWarning"),  # JAX's, when loaded
]


@pytest.mark.parametrize("kwargs", [{}, {"workers": 2}, {"workers": 2, "use_multiprocessing": True}])
def test_loader_yields_tensors_in_order_every_epoch(kwargs):
    ds = sets.Indexed(n=5, factor=2, **kwargs)
    loader = to_torch(ds)
    assert isinstance(loader, torch.utils.data.DataLoader)
    assert len(loader) == 5
    assert loader.pin_memory == torch.cuda.is_available()
    epochs = [list(loader) for _ in range(2)]
    for e, batches in enumerate(epochs):
        assert all(isinstance(x, torch.Tensor) and x.dtype == torch.float32 for x, _ in batches)
        assert [int(i) for _, i in batches] == list(range(5))
        assert [float(x[0, 0]) for x, _ in batches] == [float(i * 2**e) for i in range(5)]  # on_epoch_end ran
    loader.dataset.close()
    assert multiprocessing.active_children() == []


def test_shuffle_changes_order_per_epoch_reproducibly():
    loader = to_torch(sets.Indexed(n=20, workers=2), shuffle=True, seed=9)
    first, second = ([int(i) for _, i in loader] for _ in range(2))
    assert sorted(first) == sorted(second) == list(range(20))
    assert first != second
    again = to_torch(sets.Indexed(n=20), shuffle=True, seed=9)
    assert [int(i) for _, i in again] == first


def test_map_style_dataset_for_torchs_own_dataloader():
    ds = to_torch(sets.Indexed(n=4), loader=False)
    assert isinstance(ds, torch.utils.data.Dataset)
    assert len(ds) == 4
    x, index = ds[2]
    assert int(index) == 2
    assert isinstance(x, torch.Tensor)
    assert float(x[0, 0]) == 2.0
    loader = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=0)
    assert [int(i) for _, i in loader] == [0, 1, 2, 3]


def test_infinite_dataset_is_an_iterable_dataset_without_length():
    ds = to_torch(sets.Infinite(), loader=False)
    assert isinstance(ds, torch.utils.data.IterableDataset)
    stream = iter(ds)
    assert [int(next(stream)[0]) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(TypeError):
        len(ds)


def test_arrays_and_pinned_memory_flag():
    loader = to_torch((np.arange(6.0), np.arange(6)), batch_size=4, pin_memory=False)
    batches = list(loader)
    assert [b[0].tolist() for b in batches] == [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0]]
    assert batches[1][1].dtype == torch.int64


def test_worker_error_reaches_the_loop_with_its_type():
    loader = to_torch(sets.FailsAt(bad=1, workers=2, use_multiprocessing=True))
    with pytest.raises(IndexError, match="no batch 1"):
        list(loader)
    assert multiprocessing.active_children() == []
