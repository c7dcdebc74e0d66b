# SPDX-License-Identifier: Apache-2.0
"""``HDF5Matrix`` reads beside raw h5py and a NumPy memmap of the same bytes.

Data: float32 x 1024 columns, ~1 GiB (``--quick``: 128 MiB), written contiguous, with the
row-aligned chunks ``HDF5Matrix.create`` chooses (both read through a memory map), and with
h5py's automatic chunks (rows cut in pieces: read through h5py); batches of 256 rows. Cases: slices
(consecutive batches), random batches with sorted indices and with unsorted ones. Figures are
GB/s (higher is better); the reference is raw h5py (for unsorted indices: h5py on the sorted
indices plus the reorder, the least work raw h5py needs), and the memmap figure is shown
beside. The files are deleted afterwards.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile

from harness import Row, timeit

TITLE = "HDF5Matrix vs raw h5py (GB/s, 256-row batches of float32 x 1024)"
COLS, BATCH, BATCHES = 1024, 256, 24


def _gbps(seconds: float, batches: int) -> float:
    return batches * BATCH * COLS * 4 / seconds / 1e9


def _measure(repeat, *fns):
    """GB/s of each function, timed in turns so a busy machine slows all alike."""
    times = [[] for _ in fns]
    for fn in fns:
        fn()  # warm up: page cache, memory map, chunk cache
    for _ in range(repeat):
        for t, fn in zip(times, fns):
            t.append(timeit(fn, repeat=1, warmup=0))
    return [_gbps(statistics.median(t), BATCHES) for t in times]


def _layout_rows(name, path, starts, ordered, unsorted, repeat):
    import h5py
    import numpy as np

    from cornu_data import HDF5Matrix

    m = HDF5Matrix(path, "x")
    f = h5py.File(path, "r")
    ds = f["x"]
    offset = ds.id.get_offset()
    mm = (
        None if offset is None else np.memmap(path, dtype=np.float32, mode="r", offset=offset, shape=ds.shape)
    )
    label = f"{name} (chunks {ds.chunks})" if ds.chunks else name

    def h5_unsorted():
        for idx in unsorted:
            order = np.argsort(idx)
            block = ds[idx[order]]
            result = np.empty_like(block)
            result[order] = block

    def each(read, keys):
        # One batch alive at a time, as in a training loop: keeping all of them would time
        # the page faults of fresh allocations (a few GB/s here) instead of the reads.
        def go():
            for k in keys:
                read(k)
        return go

    cases = {
        "slices": (each(lambda s: m[s : s + BATCH], starts), each(lambda s: ds[s : s + BATCH], starts),
                   each(lambda s: np.array(mm[s : s + BATCH]), starts)),
        "random sorted": (each(m.__getitem__, ordered), each(ds.__getitem__, ordered),
                          each(lambda i: mm[i], ordered)),
        "random unsorted": (each(m.__getitem__, unsorted), h5_unsorted,
                            each(lambda i: mm[i], unsorted)),
    }  # fmt: skip
    rows, sorted_h5 = [], None
    for case, (cornu_fn, h5_fn, mm_fn) in cases.items():
        fns = (cornu_fn, h5_fn) if mm is None else (cornu_fn, h5_fn, mm_fn)
        c, h, *ref = _measure(repeat, *fns)
        extra = {"memmap_GB/s": f"{ref[0]:.2f}"} if ref else {}
        extra["x_h5py"] = f"{c / h:.1f}"
        if case == "random sorted":
            sorted_h5 = h
        elif case == "random unsorted":
            extra["x_h5py_sorted"] = f"{c / sorted_h5:.1f}"
        rows.append(Row(f"{label}: {case}", c, h, "raw h5py", "GB/s", True, extra))
    f.close()
    m.close()
    return rows


def run(args, rest) -> list[Row]:
    import h5py
    import numpy as np

    from cornu_data import HDF5Matrix

    rows_total = (128 if args.quick else 1024) * 1024 * 1024 // (COLS * 4)
    repeat = 5 if args.quick else 9
    folder = tempfile.mkdtemp(prefix="cornu-bench-hdf5-")
    rng = np.random.default_rng(0)
    out: list[Row] = []

    def blocks():
        step = 8192
        for i in range(0, rows_total, step):
            yield rng.standard_normal((min(step, rows_total - i), COLS), dtype=np.float32)

    try:
        starts = rng.integers(0, rows_total - BATCH, BATCHES)
        unsorted = [rng.choice(rows_total, BATCH, replace=False) for _ in range(BATCHES)]
        ordered = [np.sort(i) for i in unsorted]
        for name, chunks in (("contiguous", None), ("chunked", True), ("h5py auto", "h5py")):
            path = os.path.join(folder, f"{name}.h5")
            if chunks == "h5py":  # h5py's own chunk shape: rows cut in pieces, read through h5py
                with h5py.File(path, "w") as f:
                    ds = f.create_dataset("x", shape=(rows_total, COLS), dtype="f4", chunks=True)
                    for i, block in enumerate(blocks()):
                        ds[i * 8192 : i * 8192 + len(block)] = block
            else:
                HDF5Matrix.create(path, "x", blocks(), chunks=chunks, length=rows_total).close()
            # Flush the GiB just written before timing reads: the kernel's write-back would
            # otherwise run during the measurements (reads measured at a fraction of their speed).
            os.sync()
            out += _layout_rows(name, path, starts, ordered, unsorted, 3 if chunks == "h5py" else repeat)
            os.remove(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out
