# SPDX-License-Identifier: Apache-2.0
"""PyDataset / Sequence: Keras 3 semantics (reference section 16, T-SEQ-01 … 09)."""

from __future__ import annotations

import itertools
import warnings

import pytest

from cornu_data import PyDataset, Sequence


class Three(PyDataset):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def __len__(self):
        return 3

    def __getitem__(self, index):
        return index * 2


class Forgot(PyDataset):
    def __init__(self, n):  # no super().__init__
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        return index


def test_sequence_is_pydataset():
    assert Sequence is PyDataset


def test_defaults_and_setters():
    ds = PyDataset()
    assert (ds.workers, ds.use_multiprocessing, ds.max_queue_size) == (1, False, 10)
    ds.workers, ds.use_multiprocessing, ds.max_queue_size = 4, True, 3
    assert (ds.workers, ds.use_multiprocessing, ds.max_queue_size) == (4, True, 3)
    assert Three(workers=0).workers == 0  # stored unvalidated, as in Keras


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError):
        PyDataset(foo=1)


def test_missing_super_init_warns_once_and_fills_defaults():
    ds = Forgot(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert ds.workers == 1
        assert ds.use_multiprocessing is False
        assert ds.max_queue_size == 10
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert len(messages) == 1
    assert "super().__init__(**kwargs)" in messages[0]


def test_base_class_has_no_batches():
    ds = PyDataset()
    with pytest.raises(NotImplementedError, match="num_batches"):
        _ = ds.num_batches
    with pytest.raises(NotImplementedError):
        ds[0]
    with pytest.raises(TypeError):
        len(ds)


def test_finite_iteration_uses_len():
    ds = Three()
    assert ds.num_batches == 3
    assert list(ds) == [0, 2, 4]
    assert list(ds) == [ds[i] for i in range(len(ds))]


class NoneBatches(PyDataset):
    @property
    def num_batches(self):
        return None

    def __getitem__(self, index):
        return index


class NoLength(PyDataset):
    def __getitem__(self, index):
        return -index


@pytest.mark.parametrize("cls", [NoneBatches, NoLength])
def test_unknown_length_iterates_forever(cls):
    assert list(itertools.islice(iter(cls()), 11)) == [(-i if cls is NoLength else i) for i in range(11)]


def test_epoch_hooks_exist_and_do_nothing():
    ds = Three()
    assert ds.on_epoch_begin() is None
    assert ds.on_epoch_end() is None
