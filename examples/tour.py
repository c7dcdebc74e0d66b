# SPDX-License-Identifier: Apache-2.0
"""A tour of cornu: run it with `hatch run tour` from the repository root.

It does real work end to end on the CPU: serves a generated dataset as a .tar.gz from a local
HTTP server, fetches it with `get_file` (hash checked, extracted safely), writes it to HDF5,
reads it back through `HDF5Matrix` and a `PyDataset` with process workers, one-hot encodes the
labels, trains a small torch classifier for a few epochs under `device("cpu:0")` and
`name_scope`, replicated over two devices, with a progress bar, then prints the model summary,
writes `model.dot` (and `model.png` when Graphviz is installed) and prints the accuracy.
Outputs go to `examples/out/`.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import math
import os
import pathlib
import shutil
import tarfile
import tempfile
import threading
import time

import numpy as np

import cornu

OUT = pathlib.Path(__file__).resolve().parent / "out"
CLASSES, FEATURES, ROWS = 4, 16, 4096


def section(title: str) -> None:
    print(f"\n── {title} " + "─" * max(0, 66 - len(title)))


def tour_config() -> None:
    section("1. settings, and where each value comes from")
    for name, s in cornu.config.settings().items():
        print(f"  {name:22} {s.value!r:18} {s.source}")
    cornu.config.set_floatx("float64")
    print(f"  set_floatx('float64') -> {cornu.config.floatx()!r} "
          f"(source: {cornu.config.settings()['floatx'].source})")
    cornu.config.set_floatx("float32")


def make_archive(folder: pathlib.Path) -> pathlib.Path:
    """Four Gaussian blobs in 16 dimensions, as blobs.npz inside blobs.tar.gz."""
    rng = np.random.default_rng(0)
    centers = rng.normal(0, 3, size=(CLASSES, FEATURES))
    y = rng.integers(0, CLASSES, size=ROWS)
    x = (centers[y] + rng.normal(0, 4.0, size=(ROWS, FEATURES))).astype("float32")
    buf = io.BytesIO()
    np.savez(buf, x=x, y=y)
    archive = folder / "blobs.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("blobs/blobs.npz")
        info.size = buf.getbuffer().nbytes
        buf.seek(0)
        tar.addfile(info, buf)
    return archive


def serve(folder: pathlib.Path) -> http.server.ThreadingHTTPServer:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # the tour prints its own lines
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def tour_fetch(work: pathlib.Path) -> pathlib.Path:
    section("2. get_file: download, check the hash, extract safely, cache")
    served = work / "served"
    served.mkdir()
    archive = make_archive(served)
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    server = serve(served)
    url = f"http://127.0.0.1:{server.server_address[1]}/blobs.tar.gz"
    try:
        start = time.perf_counter()
        folder = cornu.utils.get_file(
            "blobs.tar.gz", origin=url, file_hash=f"sha256:{digest}", extract=True,
            cache_dir=str(work / "cache"),
        )
        first = time.perf_counter() - start
        start = time.perf_counter()
        again = cornu.utils.get_file(
            "blobs.tar.gz", origin=url, file_hash=f"sha256:{digest}", extract=True,
            cache_dir=str(work / "cache"),
        )
        print(f"  fetched and extracted in {first * 1000:.0f} ms; cached call {1000 * (time.perf_counter() - start):.1f} ms")
        assert again == folder
    finally:
        server.shutdown()
        server.server_close()
    npz = next(pathlib.Path(folder).rglob("blobs.npz"))
    print(f"  {npz.relative_to(work)} (sha256 {digest[:12]}… checked)")
    return npz


def tour_hdf5(npz: pathlib.Path, work: pathlib.Path):
    section("3. HDF5Matrix: write in blocks, read windows")
    data = np.load(npz)
    path = str(work / "blobs.h5")
    split = int(ROWS * 0.8)
    x = cornu.utils.HDF5Matrix.create(path, "x", data["x"])
    cornu.utils.HDF5Matrix.create(path, "y", data["y"])
    x_train = cornu.utils.HDF5Matrix(path, "x", end=split)
    y_train = cornu.utils.HDF5Matrix(path, "y", end=split)
    x_test = cornu.utils.HDF5Matrix(path, "x", start=split)
    y_test = cornu.utils.HDF5Matrix(path, "y", start=split)
    print(f"  {x.shape} {x.dtype} in {os.path.getsize(path) // 1024} KiB; train window {x_train.shape}, "
          f"test window {x_test.shape}; x_test[-1, :3] = {np.round(x_test[-1, :3], 2)}")
    return x_train, y_train, x_test, y_test


class Blobs(cornu.utils.PyDataset):
    """Batches from HDF5 windows, labels one-hot encoded; read in worker processes."""

    def __init__(self, x, y, batch_size=128, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index):
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[rows], cornu.utils.to_categorical(self.y[rows], num_classes=CLASSES)


def tour_train(x_train, y_train, x_test, y_test):
    import torch

    section("4. train under device('cpu:0') and name_scope, replicated over two devices")
    torch.manual_seed(0)
    with cornu.device("cpu:0") as dev, cornu.name_scope("classifier"):
        model = torch.nn.Sequential(
            torch.nn.Linear(FEATURES, 32), torch.nn.ReLU(), torch.nn.Linear(32, CLASSES)
        )
        replica = cornu.parallel.replicate(model, devices=["cpu:0", "cpu:0"])
        optimizer = torch.optim.Adam(replica.parameters(), lr=0.01)
        data = Blobs(x_train, y_train, workers=2, use_multiprocessing=True)
        print(f"  device {dev!r}, name scope {cornu_path()!r}")
        for _epoch, _step, (xb, yb) in cornu.data.EpochIterator(data, epochs=3, verbose=1):
            logits = replica(torch.as_tensor(xb))
            loss = torch.nn.functional.cross_entropy(logits, torch.as_tensor(yb))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        predicted = model(torch.as_tensor(x_test[:])).argmax(1).numpy()
    accuracy = float((predicted == y_test[:]).mean())
    return model, accuracy


def cornu_path() -> str:
    from cornu_device import current_path

    return current_path()


def tour_summary(model) -> None:
    import torch

    section("5. summary and plot")
    example = torch.zeros(2, FEATURES)
    cornu.utils.print_summary(model, example_inputs=example)
    OUT.mkdir(exist_ok=True)
    dot = cornu.utils.plot_model(model, to_file=str(OUT / "model.dot"), show_shapes=True, example_inputs=example)
    print(f"  wrote {dot}")
    if shutil.which("dot"):
        png = cornu.utils.plot_model(model, to_file=str(OUT / "model.png"), show_shapes=True, example_inputs=example)
        print(f"  wrote {png}")
    else:
        print("  model.png needs Graphviz (apt-get install graphviz); model.dot was written without it")


def main() -> None:
    start = time.perf_counter()
    print(f"cornu {cornu.__version__}, backend {cornu.config.backend()!r}")
    tour_config()
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        npz = tour_fetch(work)
        x_train, y_train, x_test, y_test = tour_hdf5(npz, work)
        model, accuracy = tour_train(x_train, y_train, x_test, y_test)
        tour_summary(model)
    section("done")
    print(f"  test accuracy {accuracy:.1%} after 3 epochs; the tour took {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
