# SPDX-License-Identifier: Apache-2.0
"""HDF5Matrix in worker processes (fork, spawn, forkserver) and threads, and torch DataLoader."""

from __future__ import annotations

import multiprocessing
import operator
import os
import pathlib
import sys
import threading

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

from cornu_data import HDF5Matrix  # noqa: E402

DATA = np.arange(40 * 6, dtype=np.float32).reshape(40, 6)
START, END = 5, 35
KEYS = [0, -1, slice(3, 9, 2), [7, 0, 7, 29], (slice(None), 2), np.arange(30) % 3 == 0]
METHODS = [m for m in ("fork", "spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]


@pytest.fixture(scope="module")
def h5file(tmp_path_factory):
    path = tmp_path_factory.mktemp("workers") / "w.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("contiguous", data=DATA)
        f.create_dataset("gzip", data=DATA, chunks=(4, 6), compression="gzip")
    return str(path)


def _pid_and_reopened(m):
    """Run in a forked child: the handle inherited from the parent must not be used."""
    inherited = m._file
    row = m[1]
    return os.getpid(), m._pid == os.getpid(), m._file is not inherited, row


@pytest.mark.parametrize("method", METHODS)
def test_process_pool_reads_the_window(h5file, method):
    window = -DATA[START:END]
    matrices = [
        HDF5Matrix(h5file, layout, start=START, end=END, normalizer=np.negative)
        for layout in ("contiguous", "gzip")
    ]
    for m in matrices:
        m[0]  # the parent has the file open (and mapped) before the workers start
    calls = [(m, key) for m in matrices for key in KEYS * 2]
    with multiprocessing.get_context(method).Pool(2) as pool:
        results = pool.starmap(operator.getitem, calls)
    for (_, key), got in zip(calls, results):
        np.testing.assert_array_equal(got, window[key])
    for m in matrices:
        np.testing.assert_array_equal(m[[2, 1]], window[[2, 1]])  # the parent still reads correctly


def test_forked_child_reopens_instead_of_using_the_inherited_handle(h5file):
    if "fork" not in METHODS:
        pytest.skip("no fork on this platform")
    m = HDF5Matrix(h5file, "gzip", start=START, end=END)
    m[0]
    with multiprocessing.get_context("fork").Pool(1) as pool:
        pid, own, reopened, row = pool.apply(_pid_and_reopened, (m,))
    assert pid != os.getpid()
    assert own
    assert reopened
    np.testing.assert_array_equal(row, DATA[START + 1])
    assert m._pid == os.getpid()
    np.testing.assert_array_equal(m[-1], DATA[END - 1])


def test_threads_share_one_handle(h5file):
    m = HDF5Matrix(h5file, "gzip", start=START, end=END)
    rng = np.random.default_rng(0)
    keys = [rng.integers(-30, 30, 8) for _ in range(64)]
    errors, out = [], [None] * len(keys)

    def work(i):
        try:
            out[i] = m[keys[i]]
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(keys))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for key, got in zip(keys, out):
        np.testing.assert_array_equal(got, DATA[START:END][key])


@pytest.mark.parametrize("method", METHODS)
def test_torch_dataloader_workers(h5file, method):
    torch = pytest.importorskip("torch")
    from torch.utils.data import BatchSampler, DataLoader, SequentialSampler

    m = HDF5Matrix(h5file, "gzip", start=START, end=END)
    m[0]  # open in the parent first: what breaks raw h5py under fork
    window = DATA[START:END]
    # whole batches through one index list each (the fast way to read HDF5), two epochs
    loader = DataLoader(
        m, batch_size=None, num_workers=2 if method == "fork" else 1, persistent_workers=True,
        multiprocessing_context=method,
        sampler=BatchSampler(SequentialSampler(range(len(m))), 8, drop_last=False),
    )  # fmt: skip
    for _ in range(2):
        np.testing.assert_array_equal(torch.cat(list(loader)).numpy(), window)
    if method == "fork":  # per-row items collated by torch (spawn workers cost seconds each)
        per_row = DataLoader(m, batch_size=7, num_workers=2, multiprocessing_context=method)
        np.testing.assert_array_equal(torch.cat(list(per_row)).numpy(), window)


def test_threads_racing_to_open_an_unpickled_matrix_open_it_once(h5file, monkeypatch):
    import pickle

    clone = pickle.loads(pickle.dumps(HDF5Matrix(h5file, "contiguous", start=START, end=END)))
    opened = []
    real_open_file = HDF5Matrix._open_file

    def counting_open_file(self, *args):
        opened.append(threading.get_ident())
        return real_open_file(self, *args)

    monkeypatch.setattr(HDF5Matrix, "_open_file", counting_open_file)
    barrier = threading.Barrier(8)
    out = [None] * 8

    def work(i):
        barrier.wait()
        out[i] = clone[i]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(opened) == 1
    for i, row in enumerate(out):
        np.testing.assert_array_equal(row, DATA[START + i])


class RowBatches:
    """A PyDataset-like view (batches of 4 rows) importable by worker processes (see below)."""

    def __init__(self, matrix):
        self.matrix = matrix

    @property
    def num_batches(self):
        return -(-len(self.matrix) // 4)

    def __len__(self):
        return self.num_batches

    def __getitem__(self, i):
        return self.matrix[i * 4 : i * 4 + 4]


# spawn/forkserver workers import this class by module name: this file, from its own folder
RowBatches.__module__ = pathlib.Path(__file__).stem


@pytest.mark.parametrize("method", METHODS)
def test_cornu_enqueuer_processes_read_the_matrix(h5file, method, monkeypatch):
    import cornu_data

    if not hasattr(cornu_data, "OrderedEnqueuer"):
        pytest.skip("cornu_data.OrderedEnqueuer is not available")
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).parent))
    monkeypatch.setitem(sys.modules, RowBatches.__module__, sys.modules[__name__])
    m = HDF5Matrix(h5file, "gzip", start=START, end=END, normalizer=np.negative)
    m[0]  # open in the parent first
    with cornu_data.OrderedEnqueuer(
        RowBatches(m), workers=2, use_multiprocessing=True, start_method=method
    ) as enqueuer:
        for _ in range(2):  # persistent workers, two epochs
            enqueuer.start()
            np.testing.assert_array_equal(np.concatenate(list(enqueuer.get())), -DATA[START:END])
