# SPDX-License-Identifier: Apache-2.0
# Package: cornu-data (module cornu_data.hdf5), version 0.1.0
# Source: https://github.com/cornu-dev/cornu/blob/main/packages/data/src/cornu_data/hdf5.py
# Copyable: this file needs only the standard library, numpy and h5py (both imported on first
# use), so it can be copied alone into another project (keep this header).
"""``HDF5Matrix``: a NumPy-like, fork/spawn-safe, fast window over an HDF5 dataset.

Indexing follows NumPy on the ``[start, end)`` window exactly (negative indices, steps, index
lists in any order with repeats, boolean masks, N-D tuples). The file is opened lazily in each
process and never pickled, so a matrix can be handed to worker processes under fork, spawn
or forkserver. An uncompressed dataset stored contiguous or in whole-row chunks (what
``HDF5Matrix.create`` writes) is read through a memory map of its bytes; other layouts through
h5py, with index lists sorted, deduplicated and grouped into runs or chunks.
External links, soft links leaving the file, external storage and virtual datasets are
refused unless ``allow_external=True``.

Example:
    >>> import h5py, os, tempfile, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "demo.h5")
    >>> m = HDF5Matrix.create(path, "x", np.arange(20.0).reshape(10, 2))
    >>> w = HDF5Matrix(path, "x", start=2, end=6)
    >>> w.shape, w[-1].tolist(), w[[3, 0, 3], 1].tolist()
    ((4, 2), [10.0, 11.0], [11.0, 5.0, 11.0])
"""

from __future__ import annotations

import errno
import math
import numbers
import operator
import os
import threading
import weakref

try:  # cornu's traceback filtering when installed; a plain pass-through when copied alone
    from cornu_config import filter_traceback as _filter_traceback
except ImportError:  # pragma: no cover - exercised by the copy test

    def _filter_traceback(fn):
        return fn


__all__ = ["HDF5Matrix"]

_BLOCK_BYTES = 8 << 20  # rows read per block when iterating or writing
_CHUNK_BYTES = 1 << 20  # target size of the row-aligned chunks chosen by ``create``
_MAX_SOFT_LINKS = 32
_INHERITED: list = []  # h5py handles inherited through fork: kept, never closed in the child
_OPEN: dict = {}  # absolute path -> WeakSet of matrices holding it open in this process


def _h5py():
    try:
        import h5py
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            'HDF5Matrix needs h5py: pip install "cornu-data[hdf5]" (or pip install h5py).'
        ) from exc
    return h5py


def _listing(f, limit=20) -> str:
    """What the file holds: up to ``limit`` datasets with shape and dtype (links not followed)."""
    import h5py

    found: list[str] = []

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            found.append(f"{name!r} {obj.shape} {obj.dtype}")

    f.visititems(visit)
    if not found:
        return "no datasets"
    more = f" and {len(found) - limit} more" if len(found) > limit else ""
    return ", ".join(found[:limit]) + more


def _checked_name(f, name: str, allow_external: bool, where: str) -> str:
    """Resolve ``name`` one component at a time; refuse external and user-defined links."""
    import h5py

    parts = [p for p in name.split("/") if p and p != "."]
    cur, hops = "", 0
    while parts:
        part = parts.pop(0)
        nxt = f"{cur}/{part}"
        link = f.get(nxt, getlink=True)  # cur is made of hard links only: nothing followed yet
        if link is None:
            raise KeyError(
                f"HDF5Matrix: no dataset {name!r} in {where!r}; the file holds {_listing(f)}. "
                f"Received: dataset={name!r}"
            )
        if isinstance(link, h5py.HardLink):
            cur = nxt
        elif isinstance(link, h5py.SoftLink):
            hops += 1
            if hops > _MAX_SOFT_LINKS:
                raise ValueError(
                    f"HDF5Matrix: too many soft links resolving {name!r}. Received: dataset={name!r}"
                )
            target = link.path
            head = [] if target.startswith("/") else [p for p in cur.split("/") if p]
            parts = head + [p for p in target.split("/") if p and p != "."] + parts
            cur = ""
        elif isinstance(link, h5py.ExternalLink) and allow_external:
            return nxt + "".join("/" + p for p in parts)
        else:
            kind = "an external link" if isinstance(link, h5py.ExternalLink) else "a user-defined link"
            raise ValueError(
                f"HDF5Matrix: {nxt!r} in {where!r} is {kind}, which reads outside the file; refused "
                f"unless allow_external=True (only for files you trust). Received: dataset={name!r}"
            )
    return cur or "/"


def _chunk_cache(ds):
    """(nslots, nbytes, w0) for the dataset's chunk cache, or None for unchunked layouts.

    Unfiltered chunks are read straight from the file when they do not fit the cache, which
    avoids reading a whole chunk for one row; so the cache only matters (and is sized to hold
    every chunk across a band of rows, a few bands deep) when chunks are compressed.
    """
    if ds.chunks is None:
        return None
    chunk_bytes = math.prod(ds.chunks) * ds.dtype.itemsize
    if ds.id.get_create_plist().get_nfilters() == 0:
        return (521, 0, 1.0)
    across = math.prod(-(-n // c) for n, c in zip(ds.shape[1:], ds.chunks[1:]))
    nbytes = min(max(chunk_bytes * across * 4, 1 << 20), max(256 << 20, chunk_bytes))
    nchunks = max(1, nbytes // max(chunk_bytes, 1))
    base = min(100 * nchunks, 50_000) | 1  # HDF5 advises ~100 slots per chunk held, prime
    nslots = next(n for n in range(base, 2 * base + 3, 2) if _is_prime(n))
    return (nslots, nbytes, 0.75)


def _is_prime(n: int) -> bool:
    return n > 1 and all(n % d for d in range(2, math.isqrt(n) + 1))


def _memmap(ds, path: str):
    """A read-only NumPy memory map of an uncompressed contiguous dataset's bytes, or None."""
    import numpy as np

    offset = ds.id.get_offset()
    nbytes = math.prod(ds.shape) * ds.dtype.itemsize
    if (
        offset is None
        or nbytes == 0
        or ds.dtype.kind not in "iufc"
        or ds.id.get_type().get_size() != ds.dtype.itemsize
        or ds.id.get_storage_size() != nbytes
        or os.path.getsize(path) < offset + nbytes
    ):
        return None
    return np.memmap(path, dtype=ds.dtype, mode="r", offset=offset, shape=ds.shape).view(np.ndarray)


def _short(key) -> str:
    text = repr(key)
    return text if len(text) <= 200 else text[:197] + "..."


def _row_map(ds, path: str):
    """Memory maps of an uncompressed dataset chunked in whole rows, or None.

    Returns ``(views, first, group)``: ``views[j]`` maps the file as rows starting at byte
    ``j``'s offset class, ``first[k]`` is the row of ``views[group[k]]`` where chunk ``k``
    starts. Chunks allocated back to back (as ``create`` does when it knows the length) share
    one class and rows are gathered in one NumPy call; chunks interleaved with metadata (a
    dataset grown block by block) fall in several classes, gathered one class at a time.
    """
    import numpy as np

    band = ds.chunks[0]
    row_bytes = math.prod(ds.shape[1:]) * ds.dtype.itemsize
    nchunks = -(-ds.shape[0] // band)
    if (
        tuple(ds.chunks[1:]) != tuple(ds.shape[1:])
        or ds.id.get_create_plist().get_nfilters()
        or ds.dtype.kind not in "iufc"
        or ds.id.get_type().get_size() != ds.dtype.itemsize
        or row_bytes == 0
        or not 0 < nchunks <= 1 << 20
        or not hasattr(ds.id, "chunk_iter")
    ):
        return None
    offsets = np.full(nchunks, -1, dtype=np.int64)

    def visit(info):
        if info.size == band * row_bytes and not any(info.chunk_offset[1:]):
            offsets[info.chunk_offset[0] // band] = info.byte_offset

    ds.id.chunk_iter(visit)
    size = os.path.getsize(path)
    if (offsets < 0).any() or int(offsets.max()) + band * row_bytes > size:
        return None
    bases, group = np.unique(offsets % row_bytes, return_inverse=True)
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    views = [
        np.ndarray(((size - b) // row_bytes, *ds.shape[1:]), dtype=ds.dtype, buffer=raw, offset=int(b))
        for b in bases
    ]
    return views, (offsets - bases[group]) // row_bytes, group.reshape(-1)


def _index_error(key, i, axis, size, window) -> IndexError:
    where = f"axis {axis} with size {size}"
    if axis == 0:
        where = f"the window [{window[0]}, {window[1]}) of {size} rows (valid: {-size} to {size - 1})"
    return IndexError(f"HDF5Matrix index {i} is out of range for {where}. Received: key={_short(key)}")


def _components(key, shape, window):
    """Validated NumPy index components: None, int, slice or intp array, one per axis of ``shape``.

    Negative ints and array entries are wrapped; boolean arrays become their ``nonzero()``
    arrays, which NumPy defines as equivalent; ``...`` and missing trailing axes become ``:``.
    """
    import numpy as np

    raw = key if isinstance(key, tuple) else (key,)
    comps, used, ellipsis = [], 0, None
    for k in raw:
        if k is None:
            comps.append(None)
        elif k is Ellipsis:
            if ellipsis is not None:
                raise IndexError(
                    f"an index can only have a single ellipsis ('...'). Received: key={_short(key)}"
                )
            ellipsis = len(comps)
        elif isinstance(k, slice):
            for v in (k.start, k.stop, k.step):
                if v is not None:
                    operator.index(v)
            if k.step is not None and operator.index(k.step) == 0:
                raise ValueError(f"slice step cannot be zero. Received: key={_short(key)}")
            comps.append(k)
            used += 1
        elif isinstance(k, (bool, np.bool_)):
            raise TypeError(
                f"HDF5Matrix does not take a scalar boolean index; use a mask array. Received: key={_short(key)}"
            )
        elif isinstance(k, numbers.Integral):
            comps.append(int(k))
            used += 1
        else:
            arr = np.asarray(k)
            if arr.dtype == bool:
                if arr.ndim == 0:
                    raise TypeError(
                        f"HDF5Matrix does not take a scalar boolean index. Received: key={_short(key)}"
                    )
                comps.append(arr)
                used += arr.ndim
            elif arr.dtype.kind in "iu" or (arr.size == 0 and arr.dtype.kind == "f"):
                comps.append(int(arr) if arr.ndim == 0 else arr.astype(np.intp))
                used += 1
            else:
                raise TypeError(
                    "HDF5Matrix indices must be ints, slices, integer or boolean arrays, None or "
                    f"'...'. Received: key={_short(key)}"
                )
    if used > len(shape):
        raise IndexError(
            f"too many indices for HDF5Matrix: it is {len(shape)}-dimensional, but {used} were "
            f"indexed. Received: key={_short(key)}"
        )
    fill = [slice(None)] * (len(shape) - used)
    comps = comps + fill if ellipsis is None else comps[:ellipsis] + fill + comps[ellipsis:]
    out, axis = [], 0
    for c in comps:
        if c is None or isinstance(c, slice):
            out.append(c)
            axis += c is not None
            continue
        if isinstance(c, np.ndarray) and c.dtype == bool:
            if c.shape != tuple(shape[axis : axis + c.ndim]):
                raise IndexError(
                    f"boolean index of shape {c.shape} does not match HDF5Matrix axes {axis}.."
                    f"{axis + c.ndim - 1} of shape {tuple(shape[axis : axis + c.ndim])}. Received: key={_short(key)}"
                )
            out.extend(c.nonzero())
            axis += c.ndim
            continue
        size = shape[axis]
        if isinstance(c, int):
            if not -size <= c < size:
                raise _index_error(key, c, axis, size, window)
            out.append(c + size if c < 0 else c)
        else:
            if c.size:
                lo, hi = int(c.min()), int(c.max())
                if lo < -size or hi >= size:
                    raise _index_error(key, lo if lo < -size else hi, axis, size, window)
                if lo < 0:
                    c = np.where(c < 0, c + size, c)
            out.append(c)
        axis += 1
    return out


def _read_plan(c, size, offset=0, rows=True):
    """(what to read along one axis, how to index what was read) for one component.

    Along rows an index array reads its sorted unique rows; along other axes its bounding range.
    """
    import numpy as np

    if isinstance(c, int):
        return slice(offset + c, offset + c + 1), 0
    if isinstance(c, slice):
        r = range(*c.indices(size))
        if not r:
            return slice(offset, offset), slice(None)
        if r.step > 0:
            return slice(offset + r.start, offset + r[-1] + 1, r.step), slice(None)
        return slice(offset + r[-1], offset + r.start + 1, -r.step), slice(None, None, -1)
    if c.size == 0:
        return slice(offset, offset), c
    if not rows:
        lo = int(c.min())
        return slice(lo, int(c.max()) + 1), c - lo
    uniq, inverse = np.unique(c, return_inverse=True)
    local = inverse.reshape(c.shape)
    if uniq[-1] - uniq[0] + 1 == len(uniq):
        return slice(offset + int(uniq[0]), offset + int(uniq[-1]) + 1), local
    return uniq + offset, local


class HDF5Matrix:
    """A NumPy-like view of rows ``[start, end)`` of an HDF5 dataset (Keras 2's ``HDF5Matrix``).

    Args:
        datapath: Path of the HDF5 file (made absolute, so workers can reopen it).
        dataset: Name of the dataset in the file, e.g. ``"x"`` or ``"group/x"``.
        start: First row of the window (``0 <= start <= end``).
        end: End of the window (exclusive); ``None`` means the dataset's number of rows.
        normalizer: Function applied to every block of rows read (it must act on each row
            independently); ``shape``, ``dtype`` and ``ndim`` describe its output. For
            spawn/forkserver workers it must pickle (a module-level function, not a lambda).
        allow_external: Follow external links and read external storage and virtual datasets.
            Leave off for files you did not make: they can read other files on the host.

    Example:
        >>> import h5py, os, tempfile, numpy as np
        >>> path = os.path.join(tempfile.mkdtemp(), "rows.h5")
        >>> _ = HDF5Matrix.create(path, "x", np.arange(12, dtype="float32").reshape(6, 2))
        >>> with HDF5Matrix(path, "x", start=1, end=5, normalizer=lambda b: b * 10) as m:
        ...     len(m), m.shape, m[::-2].tolist(), m[np.array([True, False, False, True])].tolist()
        (4, (4, 2), [[80.0, 90.0], [40.0, 50.0]], [[20.0, 30.0], [80.0, 90.0]])
    """

    @_filter_traceback
    def __init__(self, datapath, dataset, start=0, end=None, normalizer=None, allow_external=False):
        if not isinstance(datapath, (str, bytes, os.PathLike)):
            raise TypeError(
                f"HDF5Matrix: datapath must be a path (str or os.PathLike). Received: datapath={datapath!r}"
            )
        if not isinstance(dataset, str) or not dataset.strip("/"):
            raise TypeError(
                f"HDF5Matrix: dataset must be a non-empty dataset name. Received: dataset={dataset!r}"
            )
        if normalizer is not None and not callable(normalizer):
            raise TypeError(
                f"HDF5Matrix: normalizer must be callable or None. Received: normalizer={normalizer!r}"
            )
        for arg, value in (("start", start), ("end", end)):
            if (value is not None or arg == "start") and (
                not isinstance(value, numbers.Integral) or isinstance(value, bool)
            ):
                raise TypeError(f"HDF5Matrix: {arg} must be an int. Received: {arg}={value!r}")
        self._path = os.path.abspath(os.fsdecode(datapath))
        self._name = dataset
        self.normalizer = normalizer
        self._allow_external = bool(allow_external)
        self._reset()
        rows = self._meta[0][0]
        end = rows if end is None else int(end)
        if not 0 <= start <= end <= rows:
            raise ValueError(
                f"HDF5Matrix: the window must satisfy 0 <= start <= end <= {rows} (the rows of "
                f"{dataset!r}). Received: start={start}, end={end}"
            )
        self.start, self.end = int(start), end

    def _reset(self, meta=None, probe=None):
        self._pid, self._file, self._ds, self._mm, self._chunk_rows = None, None, None, None, None
        self._lock, self._lock_pid = threading.Lock(), os.getpid()
        self._meta, self._probe = meta, probe  # (raw shape, raw dtype); normalizer's (row shape, dtype)
        if meta is None:
            self._dataset()

    def _process_lock(self):
        """A lock of this process (one inherited through fork may be held by a dead thread)."""
        if self._lock_pid != os.getpid():
            self._lock, self._lock_pid = threading.Lock(), os.getpid()
        return self._lock

    def _dataset(self):
        """This process's h5py dataset, opened on first use (and again after a fork)."""
        pid = os.getpid()
        if self._pid == pid:
            return self._ds
        with self._process_lock():
            if self._pid != pid:
                if self._file is not None:  # inherited through fork: HDF5 must not close it here
                    _INHERITED.append(self._file)
                self._file = self._ds = self._mm = None
                self._open()
                self._pid = pid
        return self._ds

    def _open(self):
        h5py = _h5py()
        if not os.path.isfile(self._path):
            raise FileNotFoundError(
                errno.ENOENT, f"HDF5Matrix: no such HDF5 file. Received: datapath={self._path!r}"
            )
        cache = self._meta[2] if self._meta is not None else None
        f, ds = self._open_file(h5py, cache)
        if self._meta is None and _chunk_cache(ds) is not None:
            # The chunk cache is a file-access setting (a per-dataset one did not take effect in
            # h5py 3.14); HDF5 keeps the first open's settings while a file is open twice.
            cache = _chunk_cache(ds)
            f.close()
            f, ds = self._open_file(h5py, cache)
        try:
            dcpl = ds.id.get_create_plist()
            mm = chunk_rows = None
            # map only bytes that lie in this very file (not behind an external link)
            if dcpl.get_external_count() == 0 and os.path.samefile(ds.file.filename, self._path):
                if dcpl.get_layout() == h5py.h5d.CONTIGUOUS:
                    mm = _memmap(ds, self._path)
                elif dcpl.get_layout() == h5py.h5d.CHUNKED and (mapped := _row_map(ds, self._path)):
                    views, first, group = mapped
                    mm, chunk_rows = views[0], (first, ds.chunks[0], views if len(views) > 1 else None, group)
        except BaseException:
            f.close()
            raise
        self._file, self._ds, self._mm, self._chunk_rows = f, ds, mm, chunk_rows
        self._filtered = ds.chunks is not None and dcpl.get_nfilters() > 0
        _OPEN.setdefault(self._path, weakref.WeakSet()).add(self)
        if self._meta is None:
            self._meta = (tuple(ds.shape), ds.dtype, cache)

    def _open_file(self, h5py, cache):
        """Open the file read-only, check the dataset's path and storage, return (file, dataset)."""
        kwargs = {} if cache is None else dict(zip(("rdcc_nslots", "rdcc_nbytes", "rdcc_w0"), cache))
        try:
            f = h5py.File(self._path, "r", **kwargs)
        except OSError as exc:
            raise OSError(
                f"HDF5Matrix: cannot open the file as HDF5 ({exc}). Received: datapath={self._path!r}"
            ) from exc
        try:
            ds = f[_checked_name(f, self._name, self._allow_external, self._path)]
            if not isinstance(ds, h5py.Dataset):
                raise KeyError(
                    f"HDF5Matrix: {self._name!r} in {self._path!r} is a group, not a dataset; the "
                    f"file holds {_listing(f)}. Received: dataset={self._name!r}"
                )
            dcpl = ds.id.get_create_plist()
            virtual = dcpl.get_layout() == h5py.h5d.VIRTUAL
            if not self._allow_external and (virtual or dcpl.get_external_count() > 0):
                kind = "a virtual dataset" if virtual else "stored in external files"
                raise ValueError(
                    f"HDF5Matrix: {self._name!r} in {self._path!r} is {kind}, which reads other "
                    f"files; refused unless allow_external=True. Received: dataset={self._name!r}"
                )
            if ds.ndim == 0:
                raise ValueError(
                    f"HDF5Matrix: {self._name!r} is a scalar dataset; it needs rows. Received: dataset={self._name!r}"
                )
        except BaseException:
            f.close()
            raise
        return f, ds

    # -- pickling: the path and window travel, never the handle ------------------------------
    def __getstate__(self):
        return {
            "path": self._path, "name": self._name, "start": self.start, "end": self.end,
            "normalizer": self.normalizer, "allow_external": self._allow_external,
            "meta": self._meta, "probe": self._probe,
        }  # fmt: skip

    def __setstate__(self, state):
        self._path, self._name = state["path"], state["name"]
        self.start, self.end = state["start"], state["end"]
        self.normalizer, self._allow_external = state["normalizer"], state["allow_external"]
        self._reset(state["meta"], state["probe"])

    # -- array protocol ---------------------------------------------------------------------
    def _row_meta(self):
        if self.normalizer is None:
            return self._meta[0][1:], self._meta[1]
        if self._probe is None:
            first = self._read(
                slice(self.start, self.start + min(1, len(self))), (slice(None),) * (len(self._meta[0]) - 1)
            )
            out = self.normalizer(first)
            self._probe = (tuple(out.shape[1:]), out.dtype)
        return self._probe

    @property
    def data(self):
        """The underlying ``h5py.Dataset`` (opened in this process)."""
        return self._dataset()

    @property
    def shape(self) -> tuple:
        """``(len(self),) + row shape`` of what indexing returns (after the normalizer)."""
        return (len(self), *tuple(self._row_meta()[0]))

    @property
    def dtype(self):
        """The dtype of what indexing returns (after the normalizer)."""
        return self._row_meta()[1]

    @property
    def ndim(self) -> int:
        """Number of dimensions of what indexing returns (after the normalizer)."""
        return len(self.shape)

    @property
    def size(self) -> int:
        """Number of elements, as a Python int."""
        return math.prod(self.shape)

    def __len__(self) -> int:
        return self.end - self.start

    def __repr__(self) -> str:
        return (
            f"HDF5Matrix({self._path!r}, {self._name!r}, start={self.start}, end={self.end}, "
            f"shape={self.shape}, dtype={self.dtype})"
        )

    @_filter_traceback
    def __getitem__(self, key):
        out = self._getitem(key)
        if isinstance(key, tuple) and any(k is Ellipsis for k in key):
            import numpy as np

            if isinstance(out, np.generic):  # with '...', NumPy gives a 0-d array, not a scalar
                return np.asarray(out)
        return out

    def _getitem(self, key):
        ds = self._dataset()
        window = (self.start, self.end)
        if self.normalizer is None:
            n = self.end - self.start
            if type(key) is int and -n <= key < n:  # the common cases first, cheaply
                key = self.start + key + (n if key < 0 else 0)
                return self._mm[key].copy() if self._mm is not None and self._chunk_rows is None else ds[key]
            if type(key) is slice and key.step is None:
                a, b, _ = key.indices(n)
                if b > a:
                    key = slice(self.start + a, self.start + b)
                    return (
                        self._mm[key].copy() if self._mm is not None and self._chunk_rows is None else ds[key]
                    )
            comps = _components(key, (n, *self._meta[0][1:]), window)
            if self._mm is not None:  # NumPy gathers from the map
                i0 = next(i for i, c in enumerate(comps) if c is not None)
                if hasattr(comps[i0], "shape") and (self._chunk_rows is None or self._chunk_rows[2] is None):
                    comps[i0] = self._file_rows(comps[i0] + self.start)
                    return self._mm[tuple(comps)]
                one_list = i0 == 0 and getattr(comps[0], "ndim", 0) == 1 and len(comps[0])
                if one_list and not any(hasattr(c, "shape") for c in comps[1:]):
                    return self._gather_classes(comps[0] + self.start, comps[1:])
                if self._chunk_rows is None:  # contiguous: NumPy on the mapped window, a copy
                    out = self._mm[self.start : self.end][tuple(comps)]
                    return out if any(hasattr(c, "shape") for c in comps) else out.copy()
        else:
            comps = _components(key, self.shape, window)
        data_axes = [i for i, c in enumerate(comps) if c is not None]
        raw_shape = ds.shape
        reads, local = [], list(comps)
        for axis, i in enumerate(data_axes):
            if axis == 0:
                read, local[i] = _read_plan(comps[i], len(self), self.start)
            elif self.normalizer is None:
                read, local[i] = _read_plan(comps[i], raw_shape[axis], rows=False)
            else:
                break
            reads.append(read)
        reads += [slice(None)] * (len(raw_shape) - len(reads))
        block = self._read(reads[0], tuple(reads[1:]))
        if self.normalizer is not None:
            block = self.normalizer(block)
        if all(isinstance(c, slice) and c == slice(None) for c in local):
            return block
        return block[tuple(local)]

    def _gather_classes(self, rows, rest):
        """Rows in any order from chunks mapped through several views (see ``_row_map``)."""
        import numpy as np

        _, band, views, group = self._chunk_rows
        where, which = self._file_rows(rows), group[rows // band]
        out = None
        for j in np.unique(which):
            pick = np.flatnonzero(which == j)
            part = views[j][(where[pick], *rest)]
            if out is None:
                out = np.empty((len(rows), *part.shape[1:]), dtype=part.dtype)
            out[pick] = part
        return out

    def _file_rows(self, rows):
        """Rows of the memory map holding the given (absolute) rows of the dataset."""
        if self._chunk_rows is None:
            return rows
        first, band = self._chunk_rows[:2]
        return first[rows // band] + rows % band

    def _read(self, rows, trailing):
        """Rows (a slice with positive step, or sorted unique absolute indices) x trailing slices.

        Slices go to h5py in one call. Index arrays gather from the memory map when there is
        one; otherwise they are read as runs of rows (nearby runs merged), or, for compressed
        chunks, as one read per band of chunks touched, each decompressed once.
        """
        import numpy as np

        ds = self._dataset()
        counts = tuple(len(range(*t.indices(n))) for t, n in zip(trailing, ds.shape[1:]))
        nrows = len(range(*rows.indices(ds.shape[0]))) if isinstance(rows, slice) else len(rows)
        if nrows == 0 or 0 in counts:
            return np.empty((nrows, *counts), dtype=ds.dtype)
        if isinstance(rows, slice):
            return ds[(rows, *trailing)]
        if self._mm is not None:
            if self._chunk_rows is None or self._chunk_rows[2] is None:
                return self._mm[(self._file_rows(rows), *trailing)]
            return self._gather_classes(rows, trailing)
        first, last = int(rows[0]), int(rows[-1])
        if last - first + 1 <= 4 * nrows:  # dense enough: one slice read, then pick
            return ds[(slice(first, last + 1), *trailing)][rows - first]
        if self._filtered:
            cuts = np.flatnonzero(np.diff(rows // ds.chunks[0])) + 1
        else:
            gap = max(1, (64 << 10) // max(1, math.prod(counts) * ds.dtype.itemsize))
            cuts = np.flatnonzero(np.diff(rows) > gap) + 1
        out = np.empty((nrows, *counts), dtype=ds.dtype)
        for lo, hi in zip(np.concatenate(([0], cuts)), np.concatenate((cuts, [nrows]))):
            group = rows[lo:hi]
            a, b = int(group[0]), int(group[-1]) + 1
            block = ds[(slice(a, b), *trailing)]
            out[lo:hi] = block if b - a == hi - lo else block[group - a]
        return out

    def __array__(self, dtype=None, copy=None):
        import numpy as np

        if copy is False:
            raise ValueError(
                "HDF5Matrix: an array of it is always read into new memory, so copy=False cannot "
                "be honoured; use np.asarray(m) or m[:]. Received: copy=False"
            )
        out = self[:]
        return np.asarray(out, dtype=dtype) if dtype is not None else np.asarray(out)

    def __iter__(self):
        row_bytes = max(1, math.prod(self._meta[0][1:]) * self._meta[1].itemsize)
        step = max(1, _BLOCK_BYTES // row_bytes)
        for lo in range(0, len(self), step):
            yield from self[lo : lo + step]

    # -- lifetime ---------------------------------------------------------------------------
    def close(self) -> None:
        """Close this process's file handle and memory map; the next read reopens them.

        Example:
            >>> import h5py, os, tempfile, numpy as np
            >>> path = os.path.join(tempfile.mkdtemp(), "c.h5")
            >>> m = HDF5Matrix.create(path, "x", np.ones((3, 2)))
            >>> m.close(); float(m[0, 0])
            1.0
        """
        with self._process_lock():
            if self._file is not None:
                self._file.close() if self._pid == os.getpid() else _INHERITED.append(self._file)
            self._pid, self._file, self._ds, self._mm, self._chunk_rows = None, None, None, None, None
            _OPEN.get(self._path, weakref.WeakSet()).discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------------
    @classmethod
    @_filter_traceback
    def create(cls, path, dataset, data_or_iterable, chunks=True, *, length=None, dtype=None,
               compression=None, compression_opts=None, overwrite=False):  # fmt: skip
        """Write a dataset block by block (never the whole in memory) and return a matrix of it.

        Args:
            path: HDF5 file to write (created if missing; other datasets in it are kept).
            dataset: Name of the dataset to create.
            data_or_iterable: An array-like with ``shape`` (NumPy array, memmap, h5py dataset,
                ``HDF5Matrix``) read in blocks of rows, or an iterable of row blocks (arrays of
                shape ``(k, *row_shape)``, e.g. a generator).
            chunks: ``True`` chooses row-aligned chunks of about 1 MiB (whole rows, so a random
                row is one chunk, unlike h5py's automatic chunks); an int gives the rows per
                chunk; a tuple is used as is; ``None``/``False`` stores the dataset contiguous
                (fastest random reads; an iterable then needs ``length``).
            length: Total number of rows an iterable yields, when known.
            dtype: Stored dtype (default: the data's).
            compression, compression_opts: Passed to h5py (e.g. ``"gzip"``, ``4``).
            overwrite: Replace an existing dataset of that name instead of raising.

        Returns:
            An ``HDF5Matrix`` over the new dataset.

        Example:
            >>> import h5py, os, tempfile, numpy as np
            >>> path = os.path.join(tempfile.mkdtemp(), "gen.h5")
            >>> blocks = (np.full((2, 1024), i, dtype="float32") for i in range(3))
            >>> m = HDF5Matrix.create(path, "x", blocks)
            >>> m.shape, m.data.chunks, m[5, 0].item()
            ((6, 1024), (256, 1024), 2.0)
        """
        import numpy as np

        h5py = _h5py()
        if chunks is not None and not isinstance(chunks, (bool, numbers.Integral, tuple)):
            raise TypeError(
                f"HDF5Matrix.create: chunks must be True, None, an int or a tuple. Received: chunks={chunks!r}"
            )
        if isinstance(chunks, numbers.Integral) and not isinstance(chunks, bool) and chunks < 1:
            raise ValueError(
                f"HDF5Matrix.create: chunks (rows per chunk) must be >= 1. Received: chunks={chunks!r}"
            )
        if hasattr(data_or_iterable, "shape") and hasattr(data_or_iterable, "__getitem__"):
            src = data_or_iterable
            if len(src.shape) == 0:
                raise ValueError(
                    f"HDF5Matrix.create: the data needs rows, not a scalar. Received: data_or_iterable={src!r}"
                )
            length = src.shape[0] if length is None else length
            row_bytes = max(1, math.prod(src.shape[1:]) * np.dtype(dtype or src.dtype).itemsize)
            step = max(1, _BLOCK_BYTES // row_bytes)
            blocks = (np.asarray(src[i : i + step]) for i in range(0, max(1, src.shape[0]), step))
        else:
            try:
                blocks = (np.asarray(b) for b in iter(data_or_iterable))
            except TypeError:
                raise TypeError(
                    "HDF5Matrix.create: data_or_iterable must be an array-like with a shape or an "
                    f"iterable of row blocks. Received: data_or_iterable={data_or_iterable!r}"
                ) from None
        first = next(blocks, None)
        if first is None or first.ndim == 0:
            raise ValueError(
                "HDF5Matrix.create: the data gave no row blocks (an iterable must yield arrays of "
                f"shape (rows, ...)). Received: data_or_iterable={data_or_iterable!r}"
            )
        row_shape, dtype = first.shape[1:], np.dtype(dtype or first.dtype)
        if chunks is None or chunks is False:
            if length is None:
                raise ValueError(
                    "HDF5Matrix.create: a contiguous dataset (chunks=None) from an iterable needs "
                    "length= (its total rows), or use chunks=True. Received: length=None"
                )
            layout = {"shape": (length, *row_shape)}
        else:
            if chunks is True:
                rows = max(1, _CHUNK_BYTES // max(1, math.prod(row_shape) * dtype.itemsize))
                chunks = (min(rows, length) if length else rows, *row_shape)
            elif not isinstance(chunks, tuple):
                chunks = (int(chunks), *row_shape)
            layout = {"chunks": chunks, "compression": compression, "compression_opts": compression_opts}
            if not length:  # grown block by block
                layout.update(shape=(0, *row_shape), maxshape=(None, *row_shape))
            else:
                layout["shape"] = (length, *row_shape)
                if compression is None:  # every chunk allocated now, back to back: one memory map reads all
                    layout["dcpl"] = dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
                    dcpl.set_fill_time(h5py.h5d.FILL_TIME_NEVER)
        for matrix in list(_OPEN.get(os.path.abspath(os.fsdecode(path)), ())):
            matrix.close()  # HDF5 cannot reopen a file for writing that this process reads
        # Where the data lands in the file: whole-row chunks at multiples of the row size (and of
        # the 4 KiB page when that costs little), so one memory map reads them all as rows (see
        # _row_map); a large contiguous dataset at a page boundary. Metadata stays unaligned.
        row_bytes, aligned = max(1, math.prod(row_shape) * dtype.itemsize), {}
        chunks = layout.get("chunks")
        if compression is None and isinstance(chunks, tuple) and chunks[1:] == row_shape:
            chunk_bytes = math.prod(chunks) * dtype.itemsize
            interval = math.lcm(row_bytes, 4096)
            if interval > max(row_bytes, chunk_bytes // 8):
                interval = row_bytes
            aligned = {"alignment_threshold": chunk_bytes, "alignment_interval": interval}
        elif "chunks" not in layout and length * row_bytes >= 1 << 16:
            aligned = {"alignment_threshold": length * row_bytes, "alignment_interval": 4096}
        with h5py.File(os.fspath(path), "a", **aligned) as f:
            if dataset in f:
                if not overwrite:
                    raise ValueError(
                        f"HDF5Matrix.create: {dataset!r} already exists in {os.fspath(path)!r}; pass "
                        f"overwrite=True to replace it. Received: dataset={dataset!r}"
                    )
                del f[dataset]
            ds = f.create_dataset(dataset, dtype=dtype, **layout)
            written = 0
            block = first
            while block is not None:
                if block.shape[1:] != row_shape:
                    del f[dataset]
                    raise ValueError(
                        f"HDF5Matrix.create: every block must have rows of shape {row_shape}. "
                        f"Received: a block of shape {block.shape}"
                    )
                n = len(block)
                if "maxshape" in layout:
                    ds.resize(written + n, axis=0)
                elif written + n > ds.shape[0]:
                    del f[dataset]
                    raise ValueError(
                        f"HDF5Matrix.create: the data has more rows than length. Received: length={length}"
                    )
                ds[written : written + n] = block
                written += n
                block = next(blocks, None)
            if written != ds.shape[0]:
                del f[dataset]
                raise ValueError(
                    f"HDF5Matrix.create: the data gave {written} rows but length is {ds.shape[0]}. Received: length={length}"
                )
        return cls(path, dataset)
