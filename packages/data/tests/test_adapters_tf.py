# SPDX-License-Identifier: Apache-2.0
"""to_tf_dataset: a tf.data.Dataset whose element spec comes from the first batch."""

from __future__ import annotations

import gc
import multiprocessing
import sys
from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
sys.path.insert(0, str(Path(__file__).parent))
import cornu_data_testsets as sets  # noqa: E402

from cornu_data import PyDataset, to_tf_dataset  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore:Forking worker processes:RuntimeWarning"),
    pytest.mark.filterwarnings(r"ignore:os.fork\(\) was called:RuntimeWarning"),  # JAX's, when loaded
]


class Ragged(PyDataset):
    """The last batch is smaller; targets are a list (becomes a tuple)."""

    def __len__(self):
        return 3

    def __getitem__(self, i):
        rows = 4 if i < 2 else 1
        return {"image": np.full((rows, 2, 2), i, np.float32)}, [np.arange(rows), np.int32(i)]


def test_element_spec_is_inferred_from_the_first_batch():
    ds = to_tf_dataset(Ragged())
    image_spec = ds.element_spec[0]["image"]
    assert image_spec.shape.as_list() == [None, 2, 2]
    assert image_spec.dtype == tf.float32
    targets = ds.element_spec[1]
    assert isinstance(targets, tuple)
    assert targets[0].dtype == tf.int64
    assert targets[1].shape.as_list() == []
    assert int(ds.cardinality()) == 3


@pytest.mark.parametrize("kwargs", [{}, {"workers": 2}, {"workers": 2, "use_multiprocessing": True}])
def test_each_pass_is_an_epoch_in_order(kwargs):
    source = sets.Indexed(n=5, factor=3, **kwargs)
    ds = to_tf_dataset(source)
    for e in range(2):
        got = [(float(x[0, 0]), int(i)) for x, i in ds]
        assert got == [(float(i * 3**e), i) for i in range(5)]


def test_works_inside_a_tf_function_loop():
    ds = to_tf_dataset(sets.Indexed(n=4, workers=2))

    @tf.function
    def total(dataset):
        s = tf.constant(0.0)
        for x, _ in dataset:
            s += tf.reduce_sum(x)
        return s

    assert float(total(ds)) == sum(4 * 3 * i for i in range(4))


def test_arrays_and_strings():
    ds = to_tf_dataset((np.arange(5.0), np.array(["a", "b", "c", "d", "e"])), batch_size=2)
    assert ds.element_spec[1].dtype == tf.string
    assert [x.numpy().tolist() for x, _ in ds] == [[0.0, 1.0], [2.0, 3.0], [4.0]]


def test_empty_dataset_cannot_give_a_spec():
    with pytest.raises(ValueError, match="length 0"):
        to_tf_dataset(sets.Indexed(n=0))


def test_worker_errors_surface_and_stop_the_workers():
    gc.collect()
    before = set(multiprocessing.active_children())
    ds = to_tf_dataset(sets.FailsAt(bad=2, workers=2, use_multiprocessing=True))
    with pytest.raises(tf.errors.OpError, match="no batch 2 here"):
        list(ds)
    assert set(multiprocessing.active_children()) == before


def test_workers_stop_when_the_dataset_is_collected():
    gc.collect()
    before = set(multiprocessing.active_children())
    ds = to_tf_dataset(sets.Indexed(n=3, workers=2, use_multiprocessing=True))
    assert len(list(ds)) == 3
    assert len(set(multiprocessing.active_children()) - before) == 2
    del ds
    gc.collect()
    assert set(multiprocessing.active_children()) == before
