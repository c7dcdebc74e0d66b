# SPDX-License-Identifier: Apache-2.0
"""The Keras documentation examples for these APIs, with `cornu` in place of `keras`.

Each test is the Keras example as a Keras user would port it, and checks what it gives.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import tarfile
import threading
import warnings

import pytest
from keras_doc_sequences import CIFAR10Sequence

import cornu

np = pytest.importorskip("numpy")


def test_to_categorical_doc_example():
    # keras.utils.to_categorical docstring
    a = cornu.utils.to_categorical([0, 1, 2, 3], num_classes=4)
    np.testing.assert_array_equal(a, np.eye(4))
    assert a.dtype == np.float32
    b = np.array([0.9, 0.04, 0.03, 0.03, 0.3, 0.45, 0.15, 0.13,
                  0.04, 0.01, 0.94, 0.05, 0.12, 0.21, 0.5, 0.17]).reshape(4, 4)
    loss = -np.sum(a * np.log(b), axis=-1)  # categorical cross-entropy, as the example computes
    np.testing.assert_allclose(loss, -np.log([0.9, 0.45, 0.94, 0.17]), rtol=1e-6)
    assert np.argmax(a, axis=-1).tolist() == [0, 1, 2, 3]


def test_normalize_doc_example():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(cornu.utils.normalize(x), [[0.6, 0.8], [0.0, 0.0]])


def test_clear_session_in_a_loop_doc_example():
    # keras.utils.clear_session docstring: with clear_session at the top of each iteration,
    # the global naming state starts blank every time.
    from cornu_config import get_uid

    names = []
    for _ in range(3):
        cornu.utils.clear_session()
        names.append([f"dense_{get_uid('dense')}" for _ in range(10)][-1])
    assert names == ["dense_10", "dense_10", "dense_10"]


def test_custom_object_scope_doc_example():
    # keras.utils.custom_object_scope docstring: a layer whose config names "MyObject".
    class MyObject:
        pass

    class Layer:
        def __init__(self, kernel_regularizer=None):
            self.kernel_regularizer = kernel_regularizer

        def get_config(self):
            return {"kernel_regularizer": "MyObject"}

        @classmethod
        def from_config(cls, config):
            return cls(cornu.utils.deserialize(config["kernel_regularizer"]))

    config = Layer().get_config()
    with cornu.utils.custom_object_scope({"MyObject": MyObject}):
        layer = Layer.from_config(config)
    assert layer.kernel_regularizer is MyObject
    with cornu.utils.CustomObjectScope({"MyObject": MyObject}):
        assert cornu.utils.get_custom_objects() is not None
    assert Layer.from_config(config).kernel_regularizer == "MyObject"  # outside: a plain string


def test_hdf5matrix_doc_example(tmp_path):
    # keras 2 HDF5Matrix docstring: x_data = HDF5Matrix('input/file.hdf5', 'data')
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "file.hdf5"
    data = np.arange(200, dtype="float32").reshape(50, 4)
    with h5py.File(path, "w") as f:
        f["data"] = data
    x_data = cornu.utils.HDF5Matrix(str(path), "data")
    assert x_data.shape == (50, 4)
    np.testing.assert_array_equal(x_data[10:20], data[10:20])
    x_train = cornu.utils.HDF5Matrix(str(path), "data", start=0, end=40)
    x_test = cornu.utils.HDF5Matrix(str(path), "data", start=40, end=50)
    assert (len(x_train), len(x_test)) == (40, 10)
    np.testing.assert_array_equal(x_test[-1], data[-1])
    np.testing.assert_array_equal(x_train[[3, 1]], data[[3, 1]])


@pytest.mark.parametrize("use_multiprocessing", [False, True])
def test_cifar10_sequence_doc_example(use_multiprocessing):
    x = np.arange(10 * 4 * 4 * 3, dtype="float32").reshape(10, 4, 4, 3)
    y = np.arange(10)
    seq = CIFAR10Sequence(x, y, batch_size=4, workers=2, use_multiprocessing=use_multiprocessing)
    assert len(seq) == 3
    batches = [b for _, _, b in cornu.data.EpochIterator(seq, epochs=1)]
    assert [len(by) for _, by in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([by for _, by in batches]), y)
    np.testing.assert_allclose(batches[-1][0], x[8:] / 255.0)


@pytest.fixture
def archive_server(tmp_path):
    payload = io.BytesIO()
    with tarfile.open(fileobj=payload, mode="w:gz") as tar:
        body = b"daisy\n" * 100
        info = tarfile.TarInfo("flower_photos/daisy.txt")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    (tmp_path / "flower_photos.tgz").write_bytes(payload.getvalue())

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hashlib.sha256(payload.getvalue()).hexdigest()
    server.shutdown()
    server.server_close()
    thread.join()


def test_get_file_doc_example(archive_server, tmp_path):
    # keras.utils.get_file docstring: path = get_file(origin=".../flower_photos.tgz", extract=True)
    base, digest = archive_server
    cache = tmp_path / "cache"
    path = cornu.utils.get_file(
        origin=f"{base}/flower_photos.tgz", extract=True, file_hash=digest, cache_dir=str(cache)
    )
    found = list(__import__("pathlib").Path(path).rglob("daisy.txt"))
    assert len(found) == 1
    assert found[0].read_bytes() == b"daisy\n" * 100


def test_device_doc_example_cpu_preprocessing_then_training():
    # keras.device docstring: preprocess under the CPU, train under the accelerator.
    torch = pytest.importorskip("torch")
    import cornu_device

    if cornu.config.backend() != "torch":
        pytest.skip("the example trains a torch model: it runs with CORNU_BACKEND=torch")
    with cornu.device("cpu:0"):
        x = torch.randn(64, 8)
        y = (x.sum(1, keepdims=True) > 0).float()
    assert x.device.type == "cpu"
    accelerator = "gpu:0" if torch.cuda.is_available() else "cpu:0"
    model = torch.nn.Linear(8, 1)
    before = model.weight.detach().clone()
    with cornu.device(accelerator) as dev:
        model = model.to(dev)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for _ in range(5):
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x.to(dev)), y.to(dev))
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert not torch.equal(before, model.weight.detach().cpu())
    assert cornu_device.current_device() in (None, "cpu:0")


def test_multi_gpu_model_needs_two_gpus_as_keras_says():
    # keras 2 multi_gpu_model docstring: gpus=2 on a machine without two GPUs is an error
    torch = pytest.importorskip("torch")
    if torch.cuda.device_count() >= 2:
        pytest.skip("this machine has two GPUs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="gpus"):
            cornu.utils.multi_gpu_model(torch.nn.Linear(2, 2), gpus=2)
