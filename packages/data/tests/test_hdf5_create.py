# SPDX-License-Identifier: Apache-2.0
"""``HDF5Matrix.create``: datasets written block by block, with row-aligned chunks."""

from __future__ import annotations

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

from cornu_data import HDF5Matrix  # noqa: E402

DATA = np.arange(300 * 1024, dtype=np.float32).reshape(300, 1024)


def blocks(data, size):
    for i in range(0, len(data), size):
        yield data[i : i + size]


def test_from_array_chooses_row_aligned_chunks(tmp_path):
    m = HDF5Matrix.create(tmp_path / "a.h5", "x", DATA)
    assert m.data.chunks == (256, 1024), "whole rows, about 1 MiB per chunk"
    np.testing.assert_array_equal(m[:], DATA)
    assert m._chunk_rows is not None, "memory-mapped"
    assert m._chunk_rows[2] is None, "chunks a whole number of rows apart: one view reads all"
    offsets = []
    m.data.id.chunk_iter(lambda info: offsets.append(info.byte_offset))
    assert all(o % 4096 == 0 for o in offsets), "4 KiB rows start on page boundaries"
    np.testing.assert_array_equal(m[[299, 3, 299]], DATA[[299, 3, 299]])
    small = HDF5Matrix.create(tmp_path / "a.h5", "small", DATA[:10, :4])
    assert small.data.chunks == (10, 4), "never a chunk taller than the data"


def test_from_a_generator_never_needs_the_whole(tmp_path):
    produced = []

    def gen():
        for b in blocks(DATA, 64):
            produced.append(len(b))
            yield b

    m = HDF5Matrix.create(tmp_path / "g.h5", "x", gen(), chunks=32, compression="gzip")
    assert m.data.chunks == (32, 1024)
    assert m.data.compression == "gzip"
    grown = HDF5Matrix.create(tmp_path / "g.h5", "grown", blocks(DATA, 70), chunks=32)
    assert grown._chunk_rows[2] is None, "grown block by block, chunks still row-aligned in the file"
    np.testing.assert_array_equal(grown[[299, 0, 150, 0]], DATA[[299, 0, 150, 0]])
    assert produced == [64, 64, 64, 64, 44]
    np.testing.assert_array_equal(m[[299, 0, 150]], DATA[[299, 0, 150]])


def test_contiguous_needs_the_length_of_an_iterable(tmp_path):
    path = tmp_path / "c.h5"
    with pytest.raises(ValueError, match="needs length="):
        HDF5Matrix.create(path, "x", blocks(DATA, 100), chunks=None)
    m = HDF5Matrix.create(path, "x", blocks(DATA, 100), chunks=None, length=300)
    assert m.data.chunks is None
    assert m.data.id.get_offset() % 4096 == 0, "a large contiguous dataset starts on a page"
    assert m._mm is not None
    np.testing.assert_array_equal(m[[5, 299, 5]], DATA[[5, 299, 5]])
    with pytest.raises(ValueError, match="gave 300 rows but length is 400"):
        HDF5Matrix.create(path, "y", blocks(DATA, 100), chunks=None, length=400)
    with pytest.raises(ValueError, match="more rows than length"):
        HDF5Matrix.create(path, "y", blocks(DATA, 100), chunks=None, length=150)
    with h5py.File(path, "r") as f:
        assert "y" not in f, "a failed write leaves no half dataset"


def test_other_sources_dtype_and_explicit_chunks(tmp_path):
    path = tmp_path / "s.h5"
    src = HDF5Matrix.create(path, "src", DATA[:50, :8], chunks=False)
    m = HDF5Matrix.create(path, "copy", src, chunks=(5, 4), dtype="float64")
    assert m.data.chunks == (5, 4)
    assert m.dtype == np.float64
    np.testing.assert_array_equal(m[:], DATA[:50, :8])
    empty = HDF5Matrix.create(path, "empty", np.empty((0, 3), "i2"))
    assert empty.shape == (0, 3)
    assert empty.dtype == np.int16


def test_existing_dataset_needs_overwrite_and_readers_see_the_new_data(tmp_path):
    path = tmp_path / "o.h5"
    reader = HDF5Matrix.create(path, "x", DATA[:4], chunks=None)
    assert reader[0, 0] == 0
    with pytest.raises(ValueError, match="overwrite=True"):
        HDF5Matrix.create(path, "x", DATA[:4])
    HDF5Matrix.create(path, "x", DATA[:4] + 1, chunks=None, overwrite=True)
    assert reader[0, 0] == 1, "the open reader was closed and reopens the rewritten file"


def test_bad_input(tmp_path):
    path = tmp_path / "b.h5"
    with pytest.raises(ValueError, match=r"rows of shape \(1024,\)"):
        HDF5Matrix.create(path, "x", iter([DATA[:2], DATA[:2, :5]]))
    with pytest.raises(ValueError, match="no row blocks"):
        HDF5Matrix.create(path, "y", iter([]))
    with pytest.raises(ValueError, match="not a scalar"):
        HDF5Matrix.create(path, "y", np.float32(1))
    with pytest.raises(TypeError, match="data_or_iterable"):
        HDF5Matrix.create(path, "y", 5)
    with pytest.raises(TypeError, match="chunks"):
        HDF5Matrix.create(path, "y", DATA, chunks="auto")
    with pytest.raises(ValueError, match="chunks"):
        HDF5Matrix.create(path, "y", DATA, chunks=0)
