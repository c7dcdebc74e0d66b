# SPDX-License-Identifier: Apache-2.0
"""HDF5Matrix indexing equals NumPy indexing of the same window, on every storage layout."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from cornu_data import HDF5Matrix  # noqa: E402

SHAPE = (17, 5, 3)
START, END = 3, 15
WINDOW = (END - START, *SHAPE[1:])
DATA = np.arange(np.prod(SHAPE), dtype=np.float32).reshape(SHAPE)
LAYOUTS = {
    "contiguous": {},  # read through the memory map
    "row_chunks": {"chunks": (4, 5, 3)},
    "split_chunks": {"chunks": (3, 2, 2)},  # like h5py's automatic chunks: rows cut in pieces
    "gzip": {"chunks": (4, 5, 3), "compression": "gzip"},
}


def halve_last(block):
    """A row-wise normalizer that changes the shape and the dtype."""
    return (block[..., ::2] / 2).astype(np.float64)


@pytest.fixture(scope="module")
def h5file(tmp_path_factory):
    path = tmp_path_factory.mktemp("hdf5") / "data.h5"
    with h5py.File(path, "w") as f:
        for name, kwargs in LAYOUTS.items():
            f.create_dataset(name, data=DATA, **kwargs)
        f.create_dataset("group/nested", data=DATA[:, 0, 0])
        f.create_dataset("big_endian", data=DATA.astype(">i4"))
        f.create_dataset("empty", shape=(0, 4), dtype="f4")
        f.create_dataset("unwritten", shape=(6, 2), dtype="i2", fillvalue=7)
        f.create_dataset(
            "compound", data=np.array([(i, i * 0.5) for i in range(8)], dtype=[("a", "i4"), ("b", "f8")])
        )
    return str(path)


@pytest.fixture(scope="module", params=list(LAYOUTS))
def matrix(request, h5file):
    m = HDF5Matrix(h5file, request.param, start=START, end=END)
    yield m
    m.close()


def check_same(got, expected):
    assert isinstance(got, np.ndarray) == isinstance(expected, np.ndarray), (type(got), type(expected))
    assert np.shape(got) == np.shape(expected)
    assert np.asarray(got).dtype == np.asarray(expected).dtype
    np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))


def test_uncompressed_whole_row_layouts_are_memory_mapped_others_read_by_h5py(h5file):
    assert HDF5Matrix(h5file, "contiguous")._mm is not None
    assert HDF5Matrix(h5file, "row_chunks")._chunk_rows is not None
    for name in ("split_chunks", "gzip", "compound", "unwritten", "empty"):
        assert HDF5Matrix(h5file, name)._mm is None


def test_chunk_map_with_chunks_in_several_offset_classes_or_missing(tmp_path):
    path = tmp_path / "interleaved.h5"
    data = np.arange(8 * 3, dtype=np.float32).reshape(8, 3)
    # aligned to 7 bytes, the 48-byte chunks land 49 bytes apart: not a whole number of rows
    with h5py.File(path, "w", alignment_threshold=1, alignment_interval=7) as f:
        f.create_dataset("x", data=data, chunks=(4, 3))
        y = f.create_dataset("y", shape=(8, 3), dtype="f4", chunks=(4, 3))
        y[:4] = data[:4]  # the second chunk is never written: fill values
    x = HDF5Matrix(path, "x")
    assert x._chunk_rows[2] is not None, "two offset classes, one map each"
    check_same(x[[6, 1, 6, 7]], data[[6, 1, 6, 7]])
    check_same(x[[6, 1], 1:], data[[6, 1], 1:])
    y = HDF5Matrix(path, "y")
    assert y._mm is None, "an unwritten chunk has no bytes to map"
    check_same(y[[6, 1, 6]], np.concatenate([data[:4], np.zeros((4, 3), "f4")])[[6, 1, 6]])


def test_chunk_map_with_a_userblock(tmp_path):
    path = tmp_path / "ub_chunks.h5"
    with h5py.File(path, "w", userblock_size=512) as f:
        f.create_dataset("x", data=DATA, chunks=(2, 5, 3))
    m = HDF5Matrix(path, "x", start=1)
    assert m._chunk_rows is not None
    check_same(m[[15, 0, 7, 0]], DATA[1:][[15, 0, 7, 0]])
    check_same(m[[2, 3], 1:, [0, 2]], DATA[1:][[2, 3], 1:, [0, 2]])


def test_properties_describe_the_window(matrix):
    assert len(matrix) == 12
    assert matrix.shape == WINDOW
    assert matrix.ndim == 3
    assert matrix.dtype == np.float32
    assert matrix.size == 12 * 5 * 3
    assert type(matrix.size) is int
    assert "start=3, end=15" in repr(matrix)


def test_keras_cases_with_numpy_semantics(matrix):
    window = DATA[START:END]
    check_same(matrix[0], window[0])  # T-H5-02
    check_same(matrix[11], DATA[14])
    check_same(matrix[np.int64(2)], window[2])  # T-H5-06
    check_same(matrix[0:2], window[0:2])  # T-H5-03
    check_same(matrix[8:], window[8:])
    check_same(matrix[2:1], window[2:1])
    check_same(matrix[[0, 2]], window[[0, 2]])  # T-H5-04
    check_same(matrix[range(0, 2)], window[0:2])
    check_same(matrix[[]], window[[]])  # Keras: ValueError
    check_same(matrix[[2, 0]], window[[2, 0]])  # Keras: h5py TypeError
    # T-H5-11, fixed: negatives wrap inside the window, steps are honoured
    check_same(matrix[-1], window[-1])
    check_same(matrix[::2], window[::2])
    check_same(matrix[-2:], window[-2:])
    check_same(matrix[::-3], window[::-3])


def test_any_order_with_repeats_masks_and_nd(matrix):
    window = DATA[START:END]
    for key in (
        [5, 0, 5, 11, -12, 3],
        np.array([[1, 9], [9, 1]]),
        window[:, 0, 0] % 2 == 0,
        [True] * 6 + [False] * 6,
        (slice(None), 1),
        (Ellipsis, 2),
        (None, 4, slice(1, None)),
        ([0, 3, 3], [4, 0, 1], [2, 2, 0]),
        ([1, 2], slice(None), [0, 2]),
        (7, [3, 0], slice(None, None, -1)),
        (slice(2, 9, 3), [True, False, True, False, True]),
        window[:, :, 0] > 100,
        (slice(None), slice(5, 1, -2), -1),
        (Ellipsis, 0, 0, 0),  # NumPy: a 0-d array, not a scalar
        (0, Ellipsis, 1, 2),
    ):
        check_same(matrix[key], window[key])


def test_out_of_range_errors_name_index_and_window(matrix):
    for key in (12, -13, [0, 12], np.array([-13]), (0, 5), (0, 0, -4)):
        with pytest.raises(IndexError) as info:
            matrix[key]
        assert "Received: key=" in str(info.value)
    with pytest.raises(IndexError, match=r"12 .*window \[3, 15\) of 12 rows"):
        matrix[12]
    with pytest.raises(IndexError, match="too many indices"):
        matrix[0, 0, 0, 0]
    with pytest.raises(IndexError, match="boolean index"):
        matrix[np.ones(3, dtype=bool)]
    with pytest.raises(IndexError, match="single ellipsis"):
        matrix[..., ...]


def test_bad_index_types(matrix):
    for key in (1.0, "a", [0.5], True, {"a": 1}):
        with pytest.raises(TypeError):
            matrix[key]
    with pytest.raises(TypeError):
        matrix[0.5:2]
    with pytest.raises(ValueError, match="step"):
        matrix[::0]


def window_keys(shape):
    """Index expressions NumPy accepts for an array of ``shape`` (all in range)."""
    rows = shape[0]
    row_lists = st.lists(st.integers(-rows, rows - 1), max_size=20)
    basic = hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True)
    return st.one_of(
        basic,
        row_lists,
        hnp.arrays(np.intp, st.integers(0, 3).map(lambda n: (n,)), elements=st.integers(-rows, rows - 1)),
        hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=4)),
        hnp.arrays(bool, shape[:1]),
        hnp.arrays(bool, shape[:2]),
        st.tuples(row_lists.filter(bool), hnp.basic_indices(shape[1:], allow_ellipsis=False)).map(
            lambda t: (t[0],) + (t[1] if isinstance(t[1], tuple) else (t[1],))
        ),
        st.tuples(st.integers(-rows, rows - 1), hnp.arrays(bool, shape[1:2]), st.slices(shape[2])),
    )


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_property_equals_numpy_on_the_window(h5file, data):
    layout = data.draw(st.sampled_from(list(LAYOUTS)))
    start = data.draw(st.integers(0, SHAPE[0]))
    end = data.draw(st.integers(start, SHAPE[0]))
    window = DATA[start:end]
    m = HDF5Matrix(h5file, layout, start=start, end=end)
    key = data.draw(window_keys(window.shape)) if end > start else data.draw(hnp.basic_indices(window.shape))
    try:
        expected = window[key]
    except IndexError:
        with pytest.raises(IndexError):
            m[key]
        return
    check_same(m[key], expected)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_property_normalizer_output_is_indexed(h5file, data):
    layout = data.draw(st.sampled_from(list(LAYOUTS)))
    m = HDF5Matrix(h5file, layout, start=START, end=END, normalizer=halve_last)
    full = halve_last(DATA[START:END])
    assert m.shape == full.shape
    assert m.dtype == full.dtype
    assert m.ndim == full.ndim
    key = data.draw(window_keys(full.shape))
    check_same(m[key], full[key])


def test_normalizer_applies_to_every_read_as_a_batch(h5file):
    calls = []

    def batch_only(block):
        assert block.ndim == 3, "a batch normalizer must also work for m[i]"
        calls.append(block.shape[0])
        return block[:, :, 0].astype(np.uint8)

    m = HDF5Matrix(h5file, "gzip", start=START, end=END, normalizer=batch_only)
    assert m.shape == (12, 5)
    assert m.dtype == np.uint8
    assert m.ndim == 2
    check_same(m[0], DATA[START, :, 0].astype(np.uint8))
    check_same(m[[4, 1, 4]], DATA[START:END][[4, 1, 4], :, 0].astype(np.uint8))
    assert calls[-1] == 2, "repeated rows are normalized once"


def test_array_iteration_and_context_manager(h5file):
    with HDF5Matrix(h5file, "row_chunks", start=START, end=END) as m:
        check_same(np.asarray(m), DATA[START:END])
        assert np.asarray(m, dtype=np.float64).dtype == np.float64
        if np.lib.NumpyVersion(np.__version__) >= "2.0.0":
            with pytest.raises(ValueError, match="copy=False"):
                np.array(m, copy=False)
        rows = list(m)
        assert len(rows) == 12
        np.testing.assert_array_equal(np.stack(rows), DATA[START:END])
        assert m._file is not None
    assert m._file is None
    check_same(m[1], DATA[START + 1])  # reopens on demand


def test_iteration_in_blocks_matches_rows(h5file, monkeypatch):
    import cornu_data.hdf5 as module

    monkeypatch.setattr(module, "_BLOCK_BYTES", 100)  # several blocks
    m = HDF5Matrix(h5file, "contiguous", start=1)
    np.testing.assert_array_equal(np.stack(list(m)), DATA[1:])


def test_default_end_and_nested_names(h5file):
    assert HDF5Matrix(h5file, "contiguous").shape == SHAPE  # T-H5-07
    m = HDF5Matrix(h5file, "/group/nested", start=2)
    one_d = DATA[2:, 0, 0]
    for key in ([-1, 0], -1, 3, np.int8(3), slice(2, 5), slice(None, None, -4), slice(5, 2), (None, 4)):
        check_same(m[key], one_d[key])


def test_other_dtypes_and_unwritten_or_empty_datasets(h5file):
    check_same(HDF5Matrix(h5file, "big_endian")[[3, 1]], DATA.astype(">i4")[[3, 1]])
    check_same(HDF5Matrix(h5file, "unwritten")[[5, 0]], np.full((2, 2), 7, dtype="i2"))
    empty = HDF5Matrix(h5file, "empty")
    assert len(empty) == 0
    assert empty.shape == (0, 4)
    check_same(empty[:], np.empty((0, 4), "f4"))
    check_same(empty[[]], np.empty((0, 4), "f4"))
    with pytest.raises(IndexError):
        empty[0]
    comp = HDF5Matrix(h5file, "compound")
    with h5py.File(h5file, "r") as f:
        ref = f["compound"][()]
    check_same(comp[[6, 1, 6]], ref[[6, 1, 6]])
    check_same(comp[::3], ref[::3])


def test_userblock_offset_is_honoured_by_the_memory_map(tmp_path):
    path = tmp_path / "ub.h5"
    with h5py.File(path, "w", userblock_size=1024) as f:
        f.create_dataset("x", data=DATA)
    m = HDF5Matrix(path, "x")
    assert m._mm is not None
    check_same(m[[16, 0, 5]], DATA[[16, 0, 5]])


def test_pickle_carries_path_and_window_not_the_handle(h5file):
    m = HDF5Matrix(h5file, "gzip", start=2, end=9, normalizer=np.negative)
    m[0]
    state = m.__getstate__()
    assert not any(isinstance(v, (h5py.File, h5py.Dataset, np.memmap)) for v in state.values())
    clone = pickle.loads(pickle.dumps(m))
    assert clone._file is None  # opened lazily
    assert (clone.start, clone.end, clone.shape) == (2, 9, (7, 5, 3))
    check_same(clone[[1, 0]], -DATA[2:9][[1, 0]])


class CountingDataset:
    """Stands in for the h5py dataset and records each read."""

    def __init__(self, ds):
        self._ds, self.keys = ds, []

    def __getattr__(self, name):
        return getattr(self._ds, name)

    def __getitem__(self, key):
        self.keys.append(key)
        return self._ds[key]


@pytest.mark.parametrize(
    ("layout", "reads"),
    # rows {0, 4, 5}, {90}, {350, 351}: unfiltered chunks cutting rows read a run per group of
    # nearby rows; gzip one read per chunk band touched (bands of 4 rows: 0, 1, 22, 87); the
    # memory maps of contiguous data and of whole-row chunks none at all
    [
        ({"chunks": (4, 512)}, 3),
        ({"chunks": (4, 1024), "compression": "gzip"}, 4),
        ({}, 0),
        ({"chunks": (4, 1024)}, 0),
    ],
)
def test_index_lists_are_read_sorted_deduplicated_and_grouped(tmp_path, layout, reads):
    wide = np.arange(400 * 1024, dtype=np.float32).reshape(400, 1024)
    with h5py.File(tmp_path / "wide.h5", "w") as f:
        f.create_dataset("x", data=wide, **layout)
    m = HDF5Matrix(tmp_path / "wide.h5", "x")
    m._dataset()
    m._ds = spy = CountingDataset(m._ds)
    key = [351, 5, 90, 351, 0, 4, 350]
    check_same(m[key], wide[key])
    assert len(spy.keys) == reads
    starts = [k[0].start for k in spy.keys]
    assert starts == sorted(starts)
    assert len(set(starts)) == len(starts)


def test_chunk_cache_sized_from_the_chunking(tmp_path):
    path = tmp_path / "cache.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("gz", shape=(4096, 512), dtype="f4", chunks=(64, 128), compression="gzip")
        f.create_dataset("raw", shape=(4096, 512), dtype="f4", chunks=(64, 512))
    gz = HDF5Matrix(path, "gz")
    nslots, nbytes, _ = gz._meta[2]
    chunk = 64 * 128 * 4
    assert nbytes >= chunk * 4, "holds every chunk across a band of rows"
    assert nslots > 100
    assert all(nslots % d for d in range(2, int(nslots**0.5) + 1))
    gz.close()
    raw = HDF5Matrix(path, "raw")
    assert raw._meta[2][1] == 0, "unfiltered chunks read straight from the file, no whole-chunk reads"
    assert raw._file.id.get_access_plist().get_cache()[2] == 0
