# SPDX-License-Identifier: Apache-2.0
"""HDF5Matrix refuses files that read elsewhere, and says clearly what is wrong with its input."""

from __future__ import annotations

import sys

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

from cornu_data import HDF5Matrix  # noqa: E402

DATA = np.arange(24, dtype=np.float32).reshape(8, 3)


@pytest.fixture
def files(tmp_path):
    """``main.h5`` holding every kind of link and storage that leaves it, and ``other.h5``."""
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.create_dataset("x", data=DATA * 10)
        f.create_dataset("grp/y", data=DATA * 100)
    raw = tmp_path / "raw.bin"
    (DATA * 1000).tofile(raw)
    main = tmp_path / "main.h5"
    with h5py.File(main, "w") as f:
        f.create_dataset("x", data=DATA)
        f.create_dataset("inner/z", data=DATA + 1)
        f["ext"] = h5py.ExternalLink(str(other), "/x")
        f["extgrp"] = h5py.ExternalLink(str(other), "/grp")
        f["soft"] = h5py.SoftLink("/x")
        f["inner/rel"] = h5py.SoftLink("z")
        f["softgrp"] = h5py.SoftLink("/inner")
        f["soft_to_ext"] = h5py.SoftLink("/ext")
        f["soft_through_ext"] = h5py.SoftLink("/extgrp/y")
        f["dangling"] = h5py.SoftLink("/nowhere")
        f["loop_a"] = h5py.SoftLink("/loop_b")
        f["loop_b"] = h5py.SoftLink("/loop_a")
        layout = h5py.VirtualLayout(shape=DATA.shape, dtype=DATA.dtype)
        layout[:] = h5py.VirtualSource(str(other), "x", shape=DATA.shape)
        f.create_virtual_dataset("virtual", layout)
        f.create_dataset(
            "external", shape=DATA.shape, dtype=DATA.dtype, external=[(str(raw), 0, DATA.nbytes)]
        )
        f.create_dataset("scalar", data=1.0)
    return str(main), str(other)


def test_links_inside_the_file_are_followed(files):
    main, _ = files
    np.testing.assert_array_equal(HDF5Matrix(main, "soft")[[1, 0]], DATA[[1, 0]])
    np.testing.assert_array_equal(HDF5Matrix(main, "inner/rel")[:], DATA + 1)
    np.testing.assert_array_equal(HDF5Matrix(main, "softgrp/z")[-1], DATA[-1] + 1)
    np.testing.assert_array_equal(HDF5Matrix(main, "softgrp/rel")[0], DATA[0] + 1)


@pytest.mark.parametrize(
    ("name", "match", "expected"),
    [
        ("ext", "external link", DATA * 10),
        ("extgrp/y", "external link", DATA * 100),
        ("soft_to_ext", "external link", DATA * 10),
        ("soft_through_ext", "external link", DATA * 100),
        ("virtual", "virtual dataset", DATA * 10),
        ("external", "external files", DATA * 1000),
    ],
)
def test_reading_outside_the_file_is_refused_unless_allowed(files, name, match, expected):
    main, _ = files
    with pytest.raises(ValueError, match=match) as info:
        HDF5Matrix(main, name)
    assert "allow_external=True" in str(info.value)
    assert f"Received: dataset={name!r}" in str(info.value)
    m = HDF5Matrix(main, name, allow_external=True)
    assert m._mm is None  # never mapped: the bytes are not in this file
    np.testing.assert_array_equal(m[:], expected)
    np.testing.assert_array_equal(m[[3, 0, 3]], expected[[3, 0, 3]])


def test_a_refused_matrix_is_refused_again_in_a_new_process_state(files):
    main, _ = files
    m = HDF5Matrix(main, "ext", allow_external=True)
    state = m.__getstate__()
    state["allow_external"] = False  # a tampered pickle cannot skip the check
    clone = HDF5Matrix.__new__(HDF5Matrix)
    clone.__setstate__(state)
    with pytest.raises(ValueError, match="external link"):
        clone[0]


def test_missing_names_list_what_the_file_holds(files):
    main, _ = files
    with pytest.raises(KeyError) as info:
        HDF5Matrix(main, "nope")
    text = str(info.value)
    assert "'x' (8, 3) float32" in text
    assert "'inner/z'" in text
    assert "Received: dataset='nope'" in text
    with pytest.raises(KeyError, match="no dataset"):
        HDF5Matrix(main, "inner/nope/deeper")
    with pytest.raises(KeyError, match="no dataset"):
        HDF5Matrix(main, "x/below_a_dataset")
    with pytest.raises(KeyError, match="no dataset"):
        HDF5Matrix(main, "dangling")
    with pytest.raises(KeyError, match="group, not a dataset"):
        HDF5Matrix(main, "inner")
    with pytest.raises(ValueError, match="too many soft links"):
        HDF5Matrix(main, "loop_a")
    with pytest.raises(ValueError, match="scalar dataset"):
        HDF5Matrix(main, "scalar")


def test_missing_or_foreign_files(tmp_path):
    missing = tmp_path / "missing.h5"
    with pytest.raises(FileNotFoundError, match="Received: datapath=") as info:
        HDF5Matrix(missing, "x")
    assert info.value.errno == 2
    assert str(missing) in str(info.value)
    assert not missing.exists(), "reading never creates a file"
    text = tmp_path / "notes.txt"
    text.write_text("not hdf5")
    with pytest.raises(OSError, match="cannot open the file as HDF5"):
        HDF5Matrix(text, "x")


def test_window_and_argument_validation(files):
    main, _ = files
    for start, end in ((5, 2), (0, 9), (-1, 4)):
        with pytest.raises(ValueError, match=r"0 <= start <= end <= 8.*Received: start="):
            HDF5Matrix(main, "x", start=start, end=end)
    for kwargs in ({"start": 1.5}, {"end": "3"}, {"start": True}):
        with pytest.raises(TypeError, match="must be an int"):
            HDF5Matrix(main, "x", **kwargs)
    with pytest.raises(TypeError, match="normalizer"):
        HDF5Matrix(main, "x", normalizer=3)
    with pytest.raises(TypeError, match="datapath"):
        HDF5Matrix(3, "x")
    with pytest.raises(TypeError, match="dataset"):
        HDF5Matrix(main, "")
    empty = HDF5Matrix(main, "x", start=8)
    assert len(empty) == 0
    assert empty.shape == (0, 3)


def test_no_file_handle_survives_close(files):
    main, _ = files
    m = HDF5Matrix(main, "x")
    f = m._file
    m.close()
    assert not f.id.valid
    with h5py.File(main, "a") as w:  # nothing of ours keeps the file open read-only
        w["x"][0] = -1
    assert m[0, 0] == -1


def test_without_h5py_the_error_names_the_extra(files, monkeypatch):
    main, _ = files
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match=r"cornu-data\[hdf5\]"):
        HDF5Matrix(main, "x")
