# SPDX-License-Identifier: Apache-2.0
"""to_categorical and normalize: Keras semantics, the errors Keras does not raise, dtypes, memory,
and tensors of each framework (skipped when the framework is missing)."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

import cornu_config
from cornu_utils import normalize, to_categorical

# ---------------------------------------------------------------- to_categorical, NumPy


def test_identity():
    np.testing.assert_array_equal(to_categorical([0, 1, 2, 3], 4), np.eye(4))


@pytest.mark.parametrize(
    ("shape", "expected"),
    [((1,), (1, 5)), ((3,), (3, 5)), ((4, 3), (4, 3, 5)), ((5, 4, 3), (5, 4, 3, 5)), ((3, 1), (3, 5)), ((3, 2, 1), (3, 2, 5))],
)
def test_keras_shape_table_one_hot_per_row_and_argmax_recovers(shape, expected):
    labels = np.random.default_rng(0).integers(0, 5, size=shape)
    out = to_categorical(labels, 5)
    assert out.shape == expected
    assert np.all(out.sum(-1) == 1)
    np.testing.assert_array_equal(out.argmax(-1), labels.reshape(expected[:-1]))


def test_inferred_num_classes_scalar_and_squeezed_inputs():
    assert to_categorical([0, 2, 5]).shape == (3, 6)
    np.testing.assert_array_equal(to_categorical(2, 3), [0, 0, 1])
    assert to_categorical(2).shape == (3,)
    assert to_categorical([[1], [2]], 3).shape == (2, 3)
    assert to_categorical([[1]]).shape == (1, 2)
    assert to_categorical(np.zeros((2, 1, 1)), 2).shape == (2, 1, 2)
    assert to_categorical([], 3).shape == (0, 3)
    assert to_categorical([1], 0).shape == (1, 2)  # 0 means "infer", as in Keras


def test_default_dtype_is_float32_and_list_gives_numpy():
    out = to_categorical([0, 1], 2)
    assert isinstance(out, np.ndarray)
    assert out.dtype == np.float32


def test_list_gives_numpy_whatever_the_configured_backend():
    assert cornu_config.backend() in ("numpy", "torch", "jax", "tensorflow")
    assert type(to_categorical([1, 0])) is np.ndarray
    assert type(normalize([[1.0, 0.0]])) is np.ndarray


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "float16", "float64", "complex64", np.int8, np.dtype("float32")])
def test_dtype_is_honoured(dtype):
    out = to_categorical([2, 0], 3, dtype=dtype)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.real.astype(np.float64), [[0, 0, 1], [1, 0, 0]])


def test_bfloat16_through_ml_dtypes():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    out = to_categorical([1, 0], dtype="bfloat16")
    assert out.dtype == np.dtype(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(out.astype(np.float32), [[0, 1], [1, 0]])


@pytest.mark.parametrize("dtype", ["str", "object", "not-a-dtype", "datetime64[s]"])
def test_bad_dtype(dtype):
    with pytest.raises(ValueError, match=r"dtype.*Received: dtype="):
        to_categorical([0, 1], dtype=dtype)


@pytest.mark.parametrize(
    ("labels", "num_classes", "position", "value", "problem"),
    [
        ([0, 3], 3, r"\(1,\)", r"y\[1\]=3", "num_classes=3"),
        ([[0, 1], [-1, 2]], 3, r"\(1, 0\)", r"y\[1, 0\]=-1", "negative"),
        ([0, 1], 1, r"\(1,\)", r"y\[1\]=1", "num_classes=1"),
        ([1.7, 0.2], None, r"\(0,\)", r"y\[0\]=1.7", "not an integer"),
        ([0.0, 1.0, 0.1], 3, r"\(2,\)", r"y\[2\]=0.1", "not an integer"),
        ([0.0, np.nan], None, r"\(1,\)", r"y\[1\]=nan", "NaN"),
        ([0.0, np.inf], 3, r"\(1,\)", r"y\[1\]=inf", "infinite"),
        ([-1], None, r"\(0,\)", r"y\[0\]=-1", "negative"),
    ],
)
def test_bad_labels_name_value_and_position(labels, num_classes, position, value, problem):
    with pytest.raises(ValueError, match=f"position {position}.*{problem}.*Received: {value}$"):
        to_categorical(labels, num_classes)


def test_bad_label_deep_in_a_large_array_is_found():
    labels = np.zeros((300_000, 1), np.int64)
    labels[212_345, 0] = 7
    with pytest.raises(ValueError, match=r"position \(212345, 0\).*Received: y\[212345, 0\]=7$"):
        to_categorical(labels, 5)


def test_scalar_bad_label():
    with pytest.raises(ValueError, match=r"Received: y=-2$"):
        to_categorical(-2, 3)


@pytest.mark.parametrize(
    ("labels", "received"),
    [(["cat", "dog"], "y[0]='cat'"), ([[0, 1], [2, "x"]], "y[1, 1]='x'"), ([b"a"], "y[0]=b'a'"), ([1, None], "y[1]=None")],
)
def test_non_numeric_labels(labels, received):
    with pytest.raises(ValueError, match=r"numeric class labels") as info:
        to_categorical(labels, 3)
    assert str(info.value).endswith(f"Received: {received}")


def test_complex_labels():
    with pytest.raises(ValueError, match=r"real numeric class labels.*complex"):
        to_categorical(np.array([1j]), 3)


def test_empty_without_num_classes():
    with pytest.raises(ValueError, match=r"empty.*num_classes"):
        to_categorical([])


@pytest.mark.parametrize("num_classes", [-1, 2.0, True, "3", [3]])
def test_bad_num_classes(num_classes):
    with pytest.raises(ValueError, match=r"`num_classes` must be .*Received: num_classes="):
        to_categorical([0], num_classes)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.uint64, np.int32, bool, np.float32])
def test_any_real_label_dtype(dtype):
    labels = np.array([1, 0, 1], dtype=dtype)
    np.testing.assert_array_equal(to_categorical(labels, 2), [[0, 1], [1, 0], [0, 1]])


def test_object_array_of_numbers_and_non_contiguous_labels():
    np.testing.assert_array_equal(to_categorical(np.array([1, 0.0], dtype=object)), [[0, 1], [1, 0]])
    labels = np.arange(12).reshape(3, 4)[:, ::2] % 3  # non-contiguous view
    np.testing.assert_array_equal(to_categorical(labels, 3).argmax(-1), labels)


def test_many_blocks_match_the_naive_encoding():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 7, size=200_003)  # several blocks and a ragged last one
    expected = np.zeros((labels.size, 7), np.float32)
    expected[np.arange(labels.size), labels] = 1
    np.testing.assert_array_equal(to_categorical(labels), expected)


def test_allocates_nothing_else_of_the_output_size():
    labels = np.random.default_rng(2).integers(0, 50, size=200_000)
    tracemalloc.start()
    try:
        out = to_categorical(labels, 50)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < out.nbytes + (2 << 20), (peak, out.nbytes)


# ---------------------------------------------------------------- normalize, NumPy


def test_normalize_keras_examples():
    np.testing.assert_allclose(normalize(np.array([[3.0, 4.0]])), [[0.6, 0.8]])
    np.testing.assert_allclose(normalize(np.array([[3, 4]])), [[0.6, 0.8]], rtol=1e-6)
    np.testing.assert_array_equal(normalize(np.array([[0.0, 0.0], [3.0, 4.0]]))[0], [0, 0])
    np.testing.assert_allclose(normalize(np.array([[1.0, 3.0]]), order=1), [[0.25, 0.75]])
    np.testing.assert_allclose(normalize(np.array([[1.0, -3.0]]), order=np.inf), [[1 / 3, -1]])
    np.testing.assert_allclose(normalize(np.array([[3.0, 0, 12], [4, 5, 0]]), axis=0), [[0.6, 0, 1], [0.8, 1, 0]])


def test_zero_vectors_stay_zero_without_warnings():
    with np.errstate(all="raise"):
        for order in (1, 2, 3, 0, math.inf, -math.inf):
            out = normalize(np.zeros((2, 3)), order=order)
            np.testing.assert_array_equal(out, 0)


def test_one_d_keeps_its_shape():
    out = normalize(np.array([3.0, 4.0]))
    assert out.shape == (2,)
    np.testing.assert_allclose(out, [0.6, 0.8])


@pytest.mark.parametrize("order", [0, 1, 2, 3, math.inf, -math.inf])
def test_scalars_are_one_element_vectors(order):
    out = normalize(np.float64(-3.0), axis=None, order=order)
    assert out.shape == ()
    assert out == pytest.approx(-1.0 if order else -3.0)  # order 0 divides by the count of non-zeros
    assert normalize(np.array(0.0, np.float32), axis=None, order=order).dtype == np.float32
    assert normalize(np.array(0.0), axis=None, order=order) == 0


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_dtype_is_kept(dtype):
    out = normalize(np.array([[3.0, 4.0]], dtype=dtype))
    assert out.dtype == dtype
    np.testing.assert_allclose(out.astype(np.float64), [[0.6, 0.8]], rtol=1e-3)


def test_bfloat16_is_kept():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    out = normalize(np.array([[3.0, 4.0]], dtype=ml_dtypes.bfloat16))
    assert out.dtype == np.dtype(ml_dtypes.bfloat16)
    np.testing.assert_allclose(out.astype(np.float32), [[0.6, 0.8]], rtol=1e-2)


def test_integer_and_list_input_become_floatx():
    assert normalize(np.array([[3, 4]])).dtype == np.dtype(cornu_config.floatx())
    assert normalize([[3, 4]]).dtype == np.dtype(cornu_config.floatx())


def _reference(x, axis, order):
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True) if axis is not None else np.linalg.norm(x.ravel(), order)
    return x / np.where(norm == 0, 1, norm)


@pytest.mark.parametrize("order", [1, 2, 3, 0.5, 0, math.inf, -math.inf])
@pytest.mark.parametrize(("shape", "axis"), [((3, 3), -1), ((3, 3), 0), ((4, 5, 6), 1), ((4, 5, 6), -3), ((7,), 0), ((4, 5), None)])
def test_matches_the_numpy_formula(shape, axis, order):
    x = np.random.default_rng(3).standard_normal(shape)
    np.testing.assert_allclose(normalize(x, axis=axis, order=order), _reference(x, axis, order), rtol=1e-12)


@pytest.mark.parametrize("axis", [-1, 0, 1, None, (0, 2)])
@pytest.mark.parametrize("order", [2, 1, math.inf])
def test_many_blocks_match_the_numpy_formula(axis, order):
    x = np.random.default_rng(4).standard_normal((301, 7, 97)).astype(np.float32)  # ~800 KiB: several blocks
    if isinstance(axis, tuple):
        norm = np.linalg.norm(x.transpose(1, 0, 2).reshape(7, -1), ord=order, axis=1)[None, :, None]
        expected = x / norm
    else:
        expected = _reference(x.astype(np.float64), axis, order)
    np.testing.assert_allclose(normalize(x, axis=axis, order=order), expected, rtol=2e-5)


def test_non_contiguous_and_complex_input():
    x = np.random.default_rng(5).standard_normal((6, 8))[:, ::2]
    np.testing.assert_allclose(normalize(x), _reference(x, -1, 2))
    z = np.array([[3 + 4j, 0j]])
    np.testing.assert_allclose(normalize(z), [[0.6 + 0.8j, 0]])


def test_normalize_reads_in_blocks_with_small_temporaries():
    x = np.random.default_rng(6).standard_normal((512, 1024)).astype(np.float32)
    for axis, order in ((-1, 2), (-1, 1), (0, 2)):
        tracemalloc.start()
        try:
            out = normalize(x, axis=axis, order=order)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < out.nbytes + (3 << 20), (axis, order, peak)


@pytest.mark.parametrize("axis", [5, -3, (0, 0), 1.5, "x"])
def test_bad_axis(axis):
    with pytest.raises(ValueError, match=r"axis.*Received: axis="):
        normalize(np.ones((2, 2)), axis=axis)


def test_out_of_range_axis_is_an_axis_error():
    with pytest.raises(np.exceptions.AxisError):
        normalize(np.ones((2, 2)), axis=5)


@pytest.mark.parametrize("order", ["fro", -1, None, 1j])
def test_bad_order(order):
    with pytest.raises(ValueError, match=r"`order` must be .*Received: order="):
        normalize(np.ones((2, 2)), order=order)


def test_non_numeric_x():
    with pytest.raises(ValueError, match=r"`x` must be numeric"):
        normalize(np.array([["a", "b"]]))


# ---------------------------------------------------------------- tensors of each framework

FRAMEWORKS = ["torch", "jax", "tensorflow"]


class _Fw:
    """Make tensors and read them back, per framework, for the shared tests below."""

    def __init__(self, name):
        self.name = name
        self.mod = pytest.importorskip(name)
        if name == "jax":
            import jax.numpy as jnp

            self.np = jnp

    def tensor(self, values, dtype=None):
        if self.name == "torch":
            return self.mod.tensor(values, dtype=getattr(self.mod, dtype) if dtype else None)
        if self.name == "jax":
            return self.np.asarray(values, dtype=dtype)
        return self.mod.constant(values, dtype=dtype)

    def is_native(self, x):
        return type(x).__module__.split(".")[0] in {"torch": ("torch",), "jax": ("jax", "jaxlib"), "tensorflow": ("tensorflow",)}[self.name]

    def dtype_name(self, x):
        return str(x.dtype).rsplit(".", 1)[-1].replace("<dtype: '", "").replace("'>", "")

    def numpy(self, x):
        if self.name == "torch":
            return x.detach().float().cpu().numpy() if x.dtype == self.mod.bfloat16 else x.detach().cpu().numpy()
        return np.asarray(x.numpy() if self.name == "tensorflow" else x).astype(np.float64) if "bfloat16" in self.dtype_name(x) else np.asarray(x)

    def device(self, x):
        return str(x.device) if self.name != "jax" else str(next(iter(x.devices())))


@pytest.fixture(params=FRAMEWORKS)
def fw(request):
    return _Fw(request.param)


def test_tensor_in_same_framework_out_on_same_device(fw):
    y = fw.tensor([[0], [2], [1]])
    out = to_categorical(y)
    assert fw.is_native(out)
    assert fw.dtype_name(out) == "float32"
    assert tuple(out.shape) == (3, 3)
    assert fw.device(out) == fw.device(y)
    np.testing.assert_array_equal(fw.numpy(out), np.eye(3)[[0, 2, 1]])


@pytest.mark.parametrize("dtype", ["bool", "uint8", "bfloat16", "float16", "int32"])
def test_tensor_dtype_is_honoured(fw, dtype):
    out = to_categorical(fw.tensor([1, 0]), 3, dtype=dtype)
    assert fw.dtype_name(out) == dtype
    np.testing.assert_array_equal(fw.numpy(out).astype(np.float64), [[0, 1, 0], [1, 0, 0]])


def test_tensor_float_labels_and_framework_dtype_object(fw):
    native = fw.mod.float16 if fw.name != "jax" else fw.np.float16
    out = to_categorical(fw.tensor([2.0, 0.0], "float32"), dtype=native)
    assert fw.dtype_name(out) == "float16"
    np.testing.assert_array_equal(fw.numpy(out), [[0, 0, 1], [1, 0, 0]])


@pytest.mark.parametrize(
    ("values", "dtype", "num_classes", "match"),
    [
        ([0, -1], "int32", 3, r"position \(1,\).*negative.*Received: y\[1\]=-1$"),
        ([[0], [5]], "int32", 3, r"position \(1, 0\).*num_classes=3.*Received: y\[1, 0\]=5$"),
        ([0.0, 1.5], "float32", None, r"position \(1,\).*not an integer.*Received: y\[1\]=1.5$"),
        ([float("nan")], "float32", 2, r"NaN.*Received: y\[0\]=nan$"),
    ],
)
def test_tensor_bad_labels(fw, values, dtype, num_classes, match):
    with pytest.raises(ValueError, match=match):
        to_categorical(fw.tensor(values, dtype), num_classes)


@pytest.mark.parametrize("label_dtype", ["uint8", "int8", "int32", "bool", "float16"])
def test_tensor_label_dtypes(fw, label_dtype):
    values = [True, False, True] if label_dtype == "bool" else [1, 0, 1]
    out = to_categorical(fw.tensor(values, label_dtype))
    np.testing.assert_array_equal(fw.numpy(out), [[0, 1], [1, 0], [0, 1]])


def test_tensor_empty(fw):
    with pytest.raises(ValueError, match="empty"):
        to_categorical(fw.tensor([], "int32"))
    assert tuple(to_categorical(fw.tensor([], "int32"), 4).shape) == (0, 4)


def test_tensor_normalize_matches_numpy(fw):
    x = np.random.default_rng(7).standard_normal((4, 5)).astype(np.float32)
    x[1] = 0
    for axis, order in ((-1, 2), (0, 1), (None, math.inf), (-1, 0), (0, 3), (None, 2), (-1, -math.inf)):
        out = normalize(fw.tensor(x), axis=axis, order=order)
        assert fw.is_native(out)
        assert fw.dtype_name(out) == "float32"
        np.testing.assert_allclose(fw.numpy(out), _reference(x.astype(np.float64), axis, order), rtol=1e-5, atol=1e-7)


def test_tensor_normalize_one_d_integer_and_bfloat16(fw):
    out = normalize(fw.tensor([3, 4], "int32"))
    assert tuple(out.shape) == (2,)
    assert fw.dtype_name(out) == cornu_config.floatx()
    np.testing.assert_allclose(fw.numpy(out), [0.6, 0.8], rtol=1e-6)
    low = normalize(fw.tensor([[3.0, 4.0]], "bfloat16"))
    assert fw.dtype_name(low) == "bfloat16"
    np.testing.assert_allclose(fw.numpy(low), [[0.6, 0.8]], rtol=1e-2)


def test_tensor_normalize_bad_axis(fw):
    with pytest.raises(ValueError, match=r"Received: axis=2"):
        normalize(fw.tensor([[1.0]]), axis=2)


def test_torch_needs_no_numpy_round_trip(monkeypatch):
    torch = pytest.importorskip("torch")

    def refuse(*args, **kwargs):
        raise AssertionError("converted to NumPy")

    monkeypatch.setattr(torch.Tensor, "numpy", refuse)
    monkeypatch.setattr(torch.Tensor, "__array__", refuse)
    assert to_categorical(torch.tensor([1, 0]), 2).tolist() == [[0, 1], [1, 0]]
    assert normalize(torch.tensor([3.0, 4.0])).tolist() == pytest.approx([0.6, 0.8])


def test_torch_gradient_is_finite_at_a_zero_vector():
    torch = pytest.importorskip("torch")
    x = torch.tensor([[3.0, 4.0], [0.0, 0.0]], requires_grad=True)
    normalize(x).sum().backward()
    assert torch.isfinite(x.grad).all()


def test_jax_gradient_is_finite_and_jit_works():
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp

    grad = jax.grad(lambda a: normalize(a).sum())(jnp.array([[3.0, 4.0], [0.0, 0.0]]))
    assert bool(jnp.isfinite(grad).all())
    out = jax.jit(lambda y: to_categorical(y, 3))(jnp.array([0, 2]))
    np.testing.assert_array_equal(np.asarray(out), [[1, 0, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match="num_classes` must be given"):
        jax.jit(to_categorical)(jnp.array([0, 2]))


def test_tensorflow_graph_mode_and_gradient():
    tf = pytest.importorskip("tensorflow")

    @tf.function
    def encode(y):
        return to_categorical(y, 3)

    np.testing.assert_array_equal(encode(tf.constant([0, 2])).numpy(), [[1, 0, 0], [0, 0, 1]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="to_categorical"):
        encode(tf.constant([0, 5]))
    inferred = tf.function(lambda y: to_categorical(y))(tf.constant([[1], [0]]))
    np.testing.assert_array_equal(inferred.numpy(), [[0, 1], [1, 0]])
    x = tf.Variable([[3.0, 4.0], [0.0, 0.0]])
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(normalize(x))
    assert bool(tf.reduce_all(tf.math.is_finite(tape.gradient(total, x))))


def test_tensorflow_l2_gradient_matches_the_plain_formula():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(3)
    values = rng.normal(size=(5, 7)).astype("float32")
    values[2] = 0.0  # a zero vector: stays zero, finite gradient
    weights = tf.constant(rng.normal(size=(5, 7)).astype("float32"))
    x = tf.Variable(values)
    with tf.GradientTape(persistent=True) as tape:
        ours = normalize(x, axis=-1)
        plain = x / tf.norm(x, axis=-1, keepdims=True)
        loss_ours = tf.reduce_sum(ours * weights)
        loss_plain = tf.reduce_sum(plain * weights)
    np.testing.assert_allclose(ours.numpy()[2], 0.0)
    g_ours, g_plain = tape.gradient(loss_ours, x).numpy(), tape.gradient(loss_plain, x).numpy()
    rows = [0, 1, 3, 4]
    np.testing.assert_allclose(g_ours[rows], g_plain[rows], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g_ours[2], weights.numpy()[2])  # d(x / 1)/dx on a zero vector
    # along axis 0 too (the norm's axes are passed through)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(normalize(x, axis=0) * weights)
    with tf.GradientTape() as tape2:
        loss2 = tf.reduce_sum(x / tf.norm(x, axis=0, keepdims=True) * weights)
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), tape2.gradient(loss2, x).numpy(), rtol=1e-5, atol=1e-6)
