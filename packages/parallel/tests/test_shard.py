# SPDX-License-Identifier: Apache-2.0
"""distributed.shard: every n-th batch from rank k, nothing duplicated or dropped across ranks."""

from __future__ import annotations

import numpy as np
import pytest

from cornu_data.sequence import PyDataset
from cornu_parallel import distributed


class Batches(PyDataset):
    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n
        self.epochs_ended = 0

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        if not 0 <= index < self.n:
            raise IndexError(index)
        return np.full((2, 1), index)

    def on_epoch_end(self):
        self.epochs_ended += 1


class Endless(PyDataset):
    @property
    def num_batches(self):
        return None

    def __getitem__(self, index):
        return index


@pytest.mark.parametrize(("total", "world"), [(10, 2), (10, 3), (7, 4), (2, 3), (0, 2), (5, 1)])
def test_pydataset_shards_cover_every_batch_once(total, world):
    data = Batches(total, workers=3, use_multiprocessing=True, max_queue_size=4)
    shards = [distributed.shard(data, rank=r, world_size=world) for r in range(world)]
    seen = [int(batch[0, 0]) for s in shards for batch in s]
    assert sorted(seen) == list(range(total))
    assert [len(s) for s in shards] == [len(range(r, total, world)) for r in range(world)]
    if world > 1:
        assert all(isinstance(s, PyDataset) for s in shards)
        assert (shards[0].workers, shards[0].use_multiprocessing, shards[0].max_queue_size) == (3, True, 4)


def test_pydataset_shard_indexing_and_epoch_hooks():
    data = Batches(7)
    shard = distributed.shard(data, rank=1, world_size=3)  # batches 1, 4
    assert len(shard) == 2
    assert int(shard[-1][0, 0]) == 4
    with pytest.raises(IndexError, match="this shard has 2 batches"):
        shard[2]
    shard.on_epoch_end()
    assert data.epochs_ended == 1


def test_infinite_pydataset_shard_stays_infinite():
    shard = distributed.shard(Endless(), rank=2, world_size=3)
    assert shard.num_batches is None
    assert [shard[i] for i in range(3)] == [2, 5, 8]
    with pytest.raises(TypeError, match="no length"):
        len(shard)


def test_arrays_and_structures_of_arrays_shard_by_rows():
    x, y = np.arange(14).reshape(7, 2), np.arange(7)
    parts = [distributed.shard((x, y), rank=r, world_size=2) for r in range(2)]
    np.testing.assert_array_equal(parts[0][0], x[0::2])
    np.testing.assert_array_equal(parts[1][1], y[1::2])
    d = distributed.shard({"x": x}, rank=1, world_size=3)
    np.testing.assert_array_equal(d["x"], x[1::3])
    rows = np.concatenate([distributed.shard(y, rank=r, world_size=3) for r in range(3)])
    assert sorted(rows.tolist()) == y.tolist()


def test_generators_and_iterables_shard_lazily_and_reiterate():
    def gen():
        yield from range(9)

    parts = [list(distributed.shard(gen(), rank=r, world_size=4)) for r in range(4)]
    assert parts == [[0, 4, 8], [1, 5], [2, 6], [3, 7]]
    it = distributed.shard(iter(range(5)), rank=0, world_size=2)
    assert next(it) == 0
    assert list(it) == [2, 4]

    class Loader:  # re-iterable, no __getitem__ (like a DataLoader)
        def __iter__(self):
            return iter(range(6))

    shard = distributed.shard(Loader(), rank=1, world_size=2)
    assert list(shard) == [1, 3, 5]
    assert list(shard) == [1, 3, 5]
    assert distributed.shard([10, 11, 12], rank=1, world_size=2) == [11]


def test_world_of_one_returns_the_data_itself():
    data = Batches(3)
    assert distributed.shard(data) is data  # not initialized: rank 0 of 1


@pytest.mark.parametrize(("rank", "world"), [(2, 2), (-1, 2), (0, 0), (1.0, 2)])
def test_bad_rank_or_world(rank, world):
    with pytest.raises(ValueError, match="Received: rank="):
        distributed.shard([1, 2], rank=rank, world_size=world)


def test_unshardable_data_is_a_clear_error():
    with pytest.raises(ValueError, match=r"`dataset` must be.*Received: dataset=3"):
        distributed.shard(3, rank=0, world_size=2)


def test_tf_data_dataset_uses_its_own_shard():
    if __import__("cornu_config").backend() != "tensorflow":
        pytest.skip("tf.data is checked in the tensorflow run")
    tf = pytest.importorskip("tensorflow")
    ds = tf.data.Dataset.range(7)
    parts = [list(distributed.shard(ds, rank=r, world_size=3).as_numpy_iterator()) for r in range(3)]
    assert parts == [[0, 3, 6], [1, 4], [2, 5]]
