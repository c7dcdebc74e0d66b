# SPDX-License-Identifier: Apache-2.0
# Package: cornu-utils 0.1.0 (module cornu_utils.numerical)
# Source: https://github.com/cornu-project/cornu/blob/main/packages/utils/src/cornu_utils/numerical.py
# Copyable: this file stands alone. At the top it imports only the standard library (NumPy and
# the frameworks are imported inside functions); cornu settings are used when cornu_config is
# installed and replaced by defaults when it is not. Copy it into your project as it is.
"""``to_categorical`` and ``normalize`` for NumPy arrays and torch, JAX and TensorFlow tensors.

A NumPy array, list or scalar gives a NumPy array back; a torch, JAX or TensorFlow tensor gives a
tensor of the same framework back, on the same device, computed by that framework.

Example:
    >>> to_categorical([0, 2], num_classes=3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    >>> normalize([[3.0, 4.0]]).tolist()
    [[0.6000000238418579, 0.800000011920929]]
"""

from __future__ import annotations

import math
import operator
from typing import Any

try:  # cornu settings when installed; plain defaults when this file is copied alone
    from cornu_config import filter_traceback as _filter_traceback
    from cornu_config import floatx as _floatx
except ImportError:  # pragma: no cover - exercised by the copy test in a bare folder

    def _filter_traceback(fn):
        return fn

    def _floatx() -> str:
        return "float32"


__all__ = ["normalize", "to_categorical"]

_CHUNK_BYTES = 1 << 19  # work in blocks of ~512 KiB so temporaries stay in cache


# ---------------------------------------------------------------- shared helpers
def _framework(x: Any) -> str | None:
    """``"torch"``, ``"jax"``, ``"tensorflow"`` for a tensor of that framework, else None."""
    module = type(x).__module__
    if module.startswith("torch"):
        return "torch"
    if module.startswith(("jax", "jaxlib")):
        return "jax"
    if module.startswith(("tensorflow", "tf_keras")):
        return "tensorflow"
    return None


def _dtype_name(dtype: Any) -> str:
    """A dtype given as a string, NumPy dtype/type, or torch/JAX/TF dtype, as its name."""
    if isinstance(dtype, str):
        return dtype
    if type(dtype).__module__.startswith("torch"):
        return str(dtype).rsplit(".", 1)[-1]
    name = getattr(dtype, "name", None)  # np.dtype, tf.DType
    if isinstance(name, str):
        return name
    return _np_dtype(dtype, "dtype").name


def _np_dtype(dtype: Any, arg: str):
    import numpy as np

    if type(dtype).__module__.startswith(("torch", "tensorflow")):
        dtype = _dtype_name(dtype)
    try:
        return np.dtype(dtype)
    except TypeError:
        pass
    try:  # bfloat16, float8_*: known to NumPy once ml_dtypes is imported
        import ml_dtypes  # noqa: F401

        return np.dtype(dtype)
    except (ImportError, TypeError):
        raise ValueError(
            f"`{arg}` must be a numeric or bool dtype (bfloat16 needs the ml_dtypes package). "
            f"Received: {arg}={dtype!r}"
        ) from None


def _is_float(dt) -> bool:
    return dt.kind in "fc" or (dt.type.__module__ == "ml_dtypes" and "float" in dt.name)


def _where(pos: tuple[int, ...]) -> str:
    return "y[" + ", ".join(map(str, pos)) + "]" if pos else "y"


def _unravel(index: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    pos = []
    for size in reversed(shape):
        index, rest = divmod(index, size)
        pos.append(rest)
    return tuple(reversed(pos))


def _bad_label(value: Any, index: int, shape: tuple[int, ...], num_classes: int | None) -> ValueError:
    """The error for the label ``value`` found at flat ``index`` of an array of ``shape``."""
    pos = _unravel(index, shape)
    allowed = f"integers in [0, {num_classes})" if num_classes else "non-negative integers"
    if isinstance(value, float) and math.isnan(value):
        problem = "is NaN"
    elif isinstance(value, float) and math.isinf(value):
        problem = "is infinite"
    elif isinstance(value, float) and not value.is_integer():
        problem = "is not an integer (labels are class indices; round or cast them yourself)"
    elif value < 0:
        problem = "is negative"
    else:
        problem = f"is >= num_classes={num_classes}"
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return ValueError(
        f"`y` must hold class labels that are {allowed}; the label at position {pos} {problem}. "
        f"Received: {_where(pos)}={value!r}"
    )


def _check_num_classes(num_classes: Any) -> int | None:
    if num_classes is None:
        return None
    if not isinstance(num_classes, bool):
        try:
            value = operator.index(num_classes)
        except TypeError:
            value = -1
        if value >= 0:
            return value or None  # 0 means "infer", as in Keras
    raise ValueError(
        "`num_classes` must be a positive integer, or None (or 0) to infer it from `y`. "
        f"Received: num_classes={num_classes!r}"
    )


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Keras drops a trailing axis of size 1 (rank > 1): (n, 1) labels give (n, C)."""
    return shape[:-1] if len(shape) > 1 and shape[-1] == 1 else shape


# ---------------------------------------------------------------- to_categorical
@_filter_traceback
def to_categorical(y: Any, num_classes: int | None = None, dtype: Any = "float32") -> Any:
    """One-hot encode integer class labels.

    The output has the shape of ``y`` plus a last axis of ``num_classes`` (a trailing axis of
    size 1 in ``y`` is dropped first, as in Keras: ``(n, 1)`` labels give ``(n, C)``). Unlike
    Keras, negative labels, labels ``>= num_classes``, non-integer floats and NaN are errors,
    never a silent wrap or truncation, and ``dtype`` is always honoured.

    NumPy input is written in one pass into a zeroed output; nothing else of the output's size
    is allocated. A torch, JAX or TensorFlow tensor is encoded by its own framework on its own
    device. Inside ``jax.jit`` or a ``tf.function`` the labels cannot be inspected: JAX then needs
    ``num_classes`` and skips the checks; TensorFlow checks with graph assertions.

    Args:
        y: labels: array-like of integers (or integer-valued floats, or bools), or a tensor.
        num_classes: number of classes; ``None`` (or 0, as in Keras) means ``max(y) + 1``.
        dtype: output dtype: any numeric or bool dtype (``"float32"``, ``"uint8"``, ``"bool"``,
            ``"bfloat16"`` with ml_dtypes or a framework that has it), as a string, a NumPy dtype
            or the tensor's framework dtype.

    Returns:
        A NumPy array, or a tensor of ``y``'s framework.

    Raises:
        ValueError: bad labels (with the offending value and its position), empty ``y`` without
            ``num_classes``, non-numeric ``y``, a bad ``num_classes`` or ``dtype``.

    Example:
        >>> to_categorical([[1], [0]], num_classes=3, dtype="uint8").tolist()
        [[0, 1, 0], [1, 0, 0]]
    """
    num_classes = _check_num_classes(num_classes)
    framework = _framework(y)
    if framework == "torch":
        return _torch_categorical(y, num_classes, dtype)
    if framework == "jax":
        return _jax_categorical(y, num_classes, dtype)
    if framework == "tensorflow":
        return _tf_categorical(y, num_classes, dtype)
    return _np_categorical(y, num_classes, dtype)


def _np_labels(y: Any):
    """``y`` as a NumPy array of bool, integer or real float labels, or a clear error."""
    import numpy as np

    arr = np.asarray(y)
    if arr.dtype.kind in "biuf":
        return arr
    if arr.dtype.kind in "OUS":  # Python objects or strings: numeric only if every element is
        items = arr if arr.dtype.kind == "O" or isinstance(y, np.ndarray) else np.asarray(y, dtype=object)
        for i, item in enumerate(items.reshape(-1).tolist()):
            if not isinstance(item, (int, float)):
                pos = _unravel(i, items.shape)
                raise ValueError(
                    "`y` must hold numeric class labels (map classes to integers first, e.g. with "
                    f"np.unique(y, return_inverse=True)); the element at position {pos} is a "
                    f"{type(item).__name__}. Received: {_where(pos)}={item!r}"
                )
        return items.astype(np.float64)
    raise ValueError(f"`y` must hold real numeric class labels. Received: y with dtype {arr.dtype}")


def _np_check_chunk(chunk, start: int, shape, num_classes: int | None) -> int:
    """Validate a block of flat labels while it is in cache; return its maximum as an int."""
    import numpy as np

    kind = chunk.dtype.kind
    if kind == "b":
        return int(chunk.max())
    if kind == "i":  # one pass: seen as unsigned, negative labels are above every valid one
        top = int(chunk.view(f"u{chunk.dtype.itemsize}").max())
        ok = top < 2 ** (8 * chunk.dtype.itemsize - 1) and (num_classes is None or top < num_classes)
    else:
        low, top = chunk.min(), chunk.max()  # NaN propagates into both
        ok = low >= 0 and (num_classes is None or top < num_classes)
    if kind == "f":
        ok = ok and math.isfinite(top) and bool((np.trunc(chunk) == chunk).all())
    if not ok:
        bad = ~(chunk >= 0)
        if chunk.dtype.kind == "f":
            bad |= ~np.isfinite(chunk) | (np.trunc(chunk) != chunk)
        if num_classes is not None:
            bad |= chunk >= num_classes
        i = int(np.argmax(bad))
        raise _bad_label(chunk[i].item(), start + i, shape, num_classes)
    return int(top)


def _np_categorical(y: Any, num_classes: int | None, dtype: Any):
    import numpy as np

    out_dtype = _np_dtype(dtype, "dtype")
    if out_dtype.kind not in "biufc" and not _is_float(out_dtype):
        raise ValueError(f"`dtype` must be a numeric or bool dtype. Received: dtype={dtype!r}")
    labels = _np_labels(y)
    shape = labels.shape
    flat = labels.reshape(-1)
    n = flat.size
    step = max(1024, _CHUNK_BYTES // 8)
    if num_classes is None:  # a first pass only to find max(y) + 1
        if n == 0:
            raise ValueError(
                "`y` is empty, so `num_classes` cannot be inferred; pass num_classes. "
                f"Received: y with shape {shape}, num_classes=None"
            )
        top = max(_np_check_chunk(flat[s : s + step], s, shape, None) for s in range(0, n, step))
        num_classes = top + 1
    out = np.zeros((n, num_classes), dtype=out_dtype)  # calloc: zero pages cost nothing up front
    out_flat = out.reshape(-1)
    base = np.arange(0, min(step, n) * num_classes, num_classes, dtype=np.intp)
    index = np.empty_like(base)
    for start in range(0, n, step):
        chunk = flat[start : start + step]
        _np_check_chunk(chunk, start, shape, num_classes)
        k = chunk.size
        np.add(base[:k], chunk, out=index[:k], casting="unsafe")
        out_flat[start * num_classes : (start + k) * num_classes][index[:k]] = 1
    return out.reshape((*_squeezed(shape), num_classes))


def _torch_categorical(y, num_classes, dtype):
    import torch

    out_dtype = dtype if isinstance(dtype, torch.dtype) else getattr(torch, _dtype_name(dtype), None)
    if not isinstance(out_dtype, torch.dtype):
        raise ValueError(f"`dtype` must be a dtype torch has. Received: dtype={dtype!r}")
    shape = tuple(y.shape)
    flat = y.detach().reshape(-1)
    if flat.is_complex():
        raise ValueError(f"`y` must hold real class labels. Received: y with dtype {y.dtype}")
    n = flat.numel()
    if n == 0 and num_classes is None:
        raise ValueError(
            f"`y` is empty, so `num_classes` cannot be inferred; pass num_classes. Received: y with shape {shape}"
        )
    if n:  # one reduction pass and one device sync; the element-wise mask only when wrong
        if flat.dtype == torch.bool:
            low, top = 0, int(flat.any())
        else:
            low, top = torch.stack(torch.aminmax(flat)).tolist()
        ok = low >= 0 and (num_classes is None or top < num_classes)
        if flat.is_floating_point():
            ok = ok and math.isfinite(top) and bool((flat == torch.trunc(flat)).all())
        if not ok:
            bad = ~(flat >= 0) if flat.dtype != torch.bool else torch.zeros_like(flat)
            if flat.is_floating_point():
                bad |= ~torch.isfinite(flat) | (flat != torch.trunc(flat))
            if num_classes is not None:
                bad |= flat >= num_classes
            i = int(torch.nonzero(bad)[0, 0])
            raise _bad_label(flat[i].item(), i, shape, num_classes)
        num_classes = num_classes or int(top) + 1
    out = torch.zeros((n, num_classes), dtype=out_dtype, device=y.device)
    if n:
        out.scatter_(1, flat.to(torch.int64).unsqueeze(1), 1)
    return out.reshape((*_squeezed(shape), num_classes))


_JAX_JITTED: dict[str, Any] = {}


def _jax_jit(name: str, fn, **options):
    """``jax.jit(fn)``, made once per process (JAX caches the compilations per shape)."""
    jitted = _JAX_JITTED.get(name)
    if jitted is None:
        import jax

        jitted = _JAX_JITTED[name] = jax.jit(fn, **options)
    return jitted


def _jax_label_stats(flat):
    """min, max, and whether every label is a finite whole number, in one variadic reduction
    (a single pass; on CPU several times faster than separate ``min()`` and ``max()``)."""
    import jax.numpy as jnp
    from jax import lax

    if flat.dtype == jnp.bool_:
        flat = flat.astype(jnp.int8)
    if jnp.issubdtype(flat.dtype, jnp.floating):
        whole = (jnp.isfinite(flat) & (flat == jnp.trunc(flat))).astype(jnp.int8)
        big, small = jnp.array(jnp.inf, flat.dtype), jnp.array(-jnp.inf, flat.dtype)
    else:
        whole = jnp.ones(flat.shape, jnp.int8)
        info = jnp.iinfo(flat.dtype)
        big, small = jnp.array(info.max, flat.dtype), jnp.array(info.min, flat.dtype)
    low, top, ok = lax.reduce(
        (flat, flat, whole),
        (big, small, jnp.array(1, jnp.int8)),
        lambda a, b: (lax.min(a[0], b[0]), lax.max(a[1], b[1]), lax.min(a[2], b[2])),
        (0,),
    )
    return low, top, ok == 1


def _jax_one_hot(y, num_classes, dtype, shape, with_stats):
    """One XLA program: the one-hot output (and the label statistics, read in the same run)."""
    import jax
    import jax.numpy as jnp

    labels = y if jnp.issubdtype(y.dtype, jnp.integer) else y.astype(jnp.int32)
    out = jax.nn.one_hot(labels.reshape(shape), num_classes, dtype=dtype)
    return (out, _jax_label_stats(y.reshape(-1))) if with_stats else (out, None)


def _jax_categorical(y, num_classes, dtype):
    import jax
    import jax.numpy as jnp

    try:
        out_dtype = jnp.dtype(_dtype_name(dtype))
    except TypeError:
        raise ValueError(f"`dtype` must be a dtype JAX has. Received: dtype={dtype!r}") from None
    shape = tuple(y.shape)
    if jnp.issubdtype(y.dtype, jnp.complexfloating):
        raise ValueError(f"`y` must hold real class labels. Received: y with dtype {y.dtype}")
    if isinstance(y, jax.core.Tracer):  # under jit: values are unknown, nothing to check
        if num_classes is None:
            raise ValueError(
                "`num_classes` must be given when `y` is traced (inside jax.jit), since it sets "
                "the output shape. Received: num_classes=None"
            )
        return _jax_one_hot(y, num_classes, out_dtype, _squeezed(shape), False)[0]
    if y.size == 0:
        if num_classes is None:
            raise ValueError(
                f"`y` is empty, so `num_classes` cannot be inferred; pass num_classes. Received: y with shape {shape}"
            )
        return jnp.zeros((*_squeezed(shape), num_classes), out_dtype, device=next(iter(y.devices())))
    one_hot = _jax_jit("one_hot", _jax_one_hot, static_argnums=(1, 2, 3, 4))
    if num_classes is None:  # the labels set the output shape: read them first
        stats = _jax_jit("label_stats", _jax_label_stats)(y.reshape(-1))
        out = None
    else:  # common case: one program, one device sync
        out, stats = one_hot(y, num_classes, out_dtype, _squeezed(shape), True)
    low, top, whole = jax.device_get(stats)
    if not (whole and low >= 0 and (num_classes is None or top < num_classes)):
        flat = y.reshape(-1)
        bad = ~(flat >= 0) if flat.dtype != jnp.bool_ else jnp.zeros(flat.shape, bool)
        if jnp.issubdtype(flat.dtype, jnp.floating):
            bad = bad | ~jnp.isfinite(flat) | (flat != jnp.trunc(flat))
        if num_classes is not None:
            bad = bad | (flat >= num_classes)
        i = int(jnp.argmax(bad))
        raise _bad_label(flat[i].item(), i, shape, num_classes)
    if out is None:
        out = one_hot(y, int(top) + 1, out_dtype, _squeezed(shape), False)[0]
    return out


def _tf_categorical(y, num_classes, dtype):
    import tensorflow as tf

    try:
        out_dtype = tf.as_dtype(_dtype_name(dtype))
    except TypeError:
        raise ValueError(f"`dtype` must be a dtype TensorFlow has. Received: dtype={dtype!r}") from None
    y = tf.convert_to_tensor(y)
    if y.dtype.is_complex or y.dtype == tf.string:
        raise ValueError(f"`y` must hold real class labels. Received: y with dtype {y.dtype.name}")
    shape = tuple(y.shape)
    with tf.device(y.device or None):
        flat = tf.reshape(y, [-1])
        labels = flat if y.dtype != tf.bool else tf.cast(flat, tf.int32)
        if tf.executing_eagerly() and hasattr(y, "numpy"):
            n = int(tf.size(flat))
            if n == 0 and num_classes is None:
                raise ValueError(
                    f"`y` is empty, so `num_classes` cannot be inferred; pass num_classes. Received: y with shape {shape}"
                )
            if n:  # reductions only; the element-wise mask is built when something is wrong
                if labels.dtype in (tf.int32, tf.int64):  # one pass: negatives become huge
                    top = tf.reduce_max(tf.bitcast(labels, tf.uint32 if labels.dtype == tf.int32 else tf.uint64))
                    top = top.numpy().item()
                    ok = top < 2 ** (labels.dtype.size * 8 - 1)
                else:
                    top = tf.reduce_max(labels).numpy().item()
                    ok = y.dtype == tf.bool or tf.reduce_min(labels).numpy().item() >= 0
                if y.dtype.is_floating:
                    ok = ok and bool(tf.reduce_all(tf.math.is_finite(flat) & tf.equal(flat, tf.floor(flat))))
                if not ok or (num_classes is not None and top >= num_classes):
                    i = int(tf.argmax(tf.cast(_tf_bad(tf, flat, labels, num_classes), tf.int32)))
                    raise _bad_label(flat[i].numpy().item(), i, shape, num_classes)
                num_classes = num_classes or int(top) + 1
            depth = num_classes
        else:  # inside tf.function / tf.data: graph assertions instead of Python checks
            depth = tf.cast(tf.reduce_max(labels), tf.int32) + 1 if num_classes is None else num_classes
            check = tf.debugging.Assert(
                tf.logical_not(tf.reduce_any(_tf_bad(tf, flat, labels, num_classes))),
                ["to_categorical: `y` holds a label that is negative, not an integer, or >= num_classes"],
            )
            with tf.control_dependencies([check]):
                labels = tf.identity(labels)
        if labels.dtype not in (tf.uint8, tf.int8, tf.int32, tf.int64):
            labels = tf.cast(labels, tf.int64)
        squeeze = len(shape) > 1 and shape[-1] == 1
        indices = tf.reshape(labels, tf.shape(y)[:-1] if squeeze else tf.shape(y))
        if out_dtype == tf.bool:
            return tf.one_hot(indices, depth, on_value=True, off_value=False, dtype=tf.bool)
        return tf.one_hot(indices, depth, dtype=out_dtype)


def _tf_bad(tf, flat, labels, num_classes):
    """Element-wise: which labels are negative, not whole, not finite, or >= num_classes."""
    bad = tf.zeros(tf.shape(flat), tf.bool) if flat.dtype == tf.bool else labels < tf.zeros([], labels.dtype)
    if flat.dtype.is_floating:
        bad = bad | ~tf.math.is_finite(flat) | tf.not_equal(flat, tf.floor(flat))
    if num_classes is not None:
        bad = bad | (labels >= tf.cast(num_classes, labels.dtype))
    return bad


# ---------------------------------------------------------------- normalize
def _check_order(order: Any) -> float:
    try:
        value = float(order)
    except (TypeError, ValueError):
        value = -1.0
    if isinstance(order, (str, bytes, complex)) or not (value >= 0 or value == -math.inf):
        raise ValueError(
            "`order` must be the order of a vector norm: a number >= 0 (1: L1, 2: L2, 0: count of "
            f"non-zeros, p: Lp) or +/-inf (max / min magnitude). Received: order={order!r}"
        )
    return value


def _check_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    items = axis if isinstance(axis, (tuple, list)) else (axis,)
    axes = []
    for item in items:
        try:
            a = operator.index(item)
        except TypeError:
            raise ValueError(
                f"`axis` must be an int, a tuple of ints or None. Received: axis={axis!r}"
            ) from None
        if not -ndim <= a < ndim:
            import numpy as np

            raise np.exceptions.AxisError(
                f"`axis` {a} is out of bounds for an input with {ndim} dimensions. Received: axis={axis!r}"
            )
        axes.append(a % ndim)
    if len(set(axes)) != len(axes):
        raise ValueError(f"`axis` must not repeat an axis. Received: axis={axis!r}")
    return tuple(sorted(axes))


@_filter_traceback
def normalize(x: Any, axis: int | tuple[int, ...] | None = -1, order: float = 2) -> Any:
    """Divide ``x`` by its vector norm along ``axis``.

    Vectors whose norm is zero stay zero (no NaN, and finite gradients in the frameworks), the
    shape of ``x`` is kept (a 1-D input stays 1-D, unlike Keras), and a float array or tensor
    keeps its dtype (integers, bools, lists and scalars become ``floatx()``, float32 by
    default). NumPy input is read at most twice: blocks are normalized while still in cache.

    Args:
        x: array-like or a torch, JAX or TensorFlow tensor.
        axis: the axis (or tuple of axes) of each vector; any axis including 0 and negative
            ones; ``None`` normalizes the whole array as one vector.
        order: ``2`` (L2, default), ``1`` (L1), ``math.inf`` (max magnitude), ``-math.inf`` (min
            magnitude), ``0`` (number of non-zeros) or any ``p > 0``.

    Returns:
        A NumPy array, or a tensor of ``x``'s framework on its device.

    Raises:
        ValueError: a bad ``order``, a non-numeric ``x`` or a bad ``axis`` (an ``AxisError``,
            which is a ``ValueError``, when it is out of range).

    Example:
        >>> normalize([[3.0, 4.0], [0.0, 0.0]]).tolist()
        [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
        >>> normalize([3.0, 4.0], order=1).tolist()
        [0.4285714328289032, 0.5714285969734192]
    """
    order = _check_order(order)
    framework = _framework(x)
    if framework == "torch":
        return _torch_normalize(x, axis, order)
    if framework == "jax":
        return _jax_normalize(x, axis, order)
    if framework == "tensorflow":
        return _tf_normalize(x, axis, order)
    return _np_normalize(x, axis, order)


def _np_power_sum(block, axes, order, cdt, keepdims=True):
    """Sum of |x|^p (p = order), or max/min |x|, or the count of non-zeros, over ``axes``."""
    import numpy as np

    if order == 0:
        return np.count_nonzero(block, axis=axes, keepdims=keepdims).astype(cdt)
    if block.dtype.kind == "c":
        mag = np.abs(block)
    else:
        mag = block.astype(cdt, copy=False)
        if order != 2:
            mag = np.abs(mag)
    if order == 2:
        last = block.ndim - 1
        if mag is block and axes == (last,) and block.shape[last] <= 65536 and keepdims:
            return np.einsum("...i,...i->...", block, block)[..., None]  # no temporary
        return np.add.reduce(np.square(mag, out=mag if mag is not block else None), axis=axes, keepdims=keepdims)
    if order == math.inf:
        return np.maximum.reduce(mag, axis=axes, keepdims=keepdims)
    if order == -math.inf:
        return np.minimum.reduce(mag, axis=axes, keepdims=keepdims)
    if order != 1:
        mag = np.power(mag, order, out=mag if mag is not block else None)
    return np.add.reduce(mag, axis=axes, keepdims=keepdims)


def _np_root(total, order):
    import numpy as np

    if order == 2:
        total = np.sqrt(total)
    elif order not in (0, 1, math.inf, -math.inf):
        total = total ** (1.0 / order)
    total = np.asarray(total)
    total[total == 0] = 1
    return total


def _np_normalize(x, axis, order):
    import numpy as np

    arr = np.asarray(x)
    if arr.dtype.kind in "biu" or (arr.dtype.kind == "f" and not hasattr(x, "dtype")):  # lists: floatx
        out_dtype = _np_dtype(_floatx(), "floatx")
    elif _is_float(arr.dtype):
        out_dtype = arr.dtype
    else:
        raise ValueError(f"`x` must be numeric. Received: x with dtype {arr.dtype}")
    axes = _check_axes(axis, arr.ndim)
    if arr.ndim == 0:  # a scalar is a vector of one element
        return _np_normalize(arr.reshape(1), 0, order).astype(out_dtype).reshape(())
    # Accumulate in float32 at least (float16 / bfloat16 sums lose too much), real for complex.
    if out_dtype.kind == "c":
        cdt = np.empty(0, out_dtype).real.dtype
    elif out_dtype.kind == "f" and out_dtype.itemsize >= 4:
        cdt = out_dtype
    else:
        cdt = np.dtype(np.float32)
    out = np.empty(arr.shape, out_dtype)
    if arr.size == 0:
        return out
    step = max(1, _CHUNK_BYTES // max(1, arr.itemsize * (arr.size // arr.shape[0])))
    if 0 not in axes:  # blocks of whole vectors: norm, then divide while in cache
        for s in range(0, arr.shape[0], step):
            block = arr[s : s + step]
            norm = _np_root(_np_power_sum(block, axes, order, cdt), order)
            np.divide(block, norm, out=out[s : s + step], casting="unsafe")
        return out
    # Vectors run across axis 0: pass 1 combines per-block partial norms, pass 2 divides.
    combine = np.maximum if order == math.inf else np.minimum if order == -math.inf else np.add
    total = _np_power_sum(arr[:step], axes, order, cdt)
    for s in range(step, arr.shape[0], step):
        combine(total, _np_power_sum(arr[s : s + step], axes, order, cdt), out=total)
    np.divide(arr, _np_root(total, order), out=out, casting="unsafe")
    return out


def _torch_normalize(x, axis, order):
    import torch

    if x.is_complex() or x.is_floating_point():
        xf = x
    else:
        xf = x.to(getattr(torch, _floatx()))
    axes = _check_axes(axis, xf.dim())
    norm = torch.linalg.vector_norm(xf, ord=order, dim=axes if axes else None, keepdim=True)
    norm = torch.where(norm == 0, torch.ones_like(norm), norm)
    return xf / norm


def _jax_normalize(x, axis, order):
    import jax.numpy as jnp

    if not (jnp.issubdtype(x.dtype, jnp.floating) or jnp.issubdtype(x.dtype, jnp.complexfloating)):
        x = x.astype(_floatx())
    axes = _check_axes(axis, x.ndim)
    return _jax_jit("normalize", _jax_normalize_traced, static_argnums=(1, 2))(x, axes, order)


def _jax_normalize_traced(x, axes, order):
    """The whole normalization as one XLA program: the norm's pass and the division's pass."""
    import jax.numpy as jnp

    low = x.dtype.itemsize < 4 and jnp.issubdtype(x.dtype, jnp.floating)
    xc = x.astype(jnp.float32) if low else x
    mag = jnp.abs(xc) if jnp.issubdtype(xc.dtype, jnp.complexfloating) else xc
    if order == 2:
        total = jnp.sum(mag * mag, axis=axes, keepdims=True)
    elif order == math.inf:
        total = jnp.max(jnp.abs(mag), axis=axes, keepdims=True)
    elif order == -math.inf:
        total = jnp.min(jnp.abs(mag), axis=axes, keepdims=True)
    elif order == 0:
        total = jnp.sum(mag != 0, axis=axes, keepdims=True).astype(mag.dtype)
    else:
        total = jnp.sum(jnp.abs(mag) ** order, axis=axes, keepdims=True)
    safe = jnp.where(total == 0, jnp.ones_like(total), total)  # double where: finite gradients
    if order == 2:
        safe = jnp.sqrt(safe)
    elif order not in (0, 1, math.inf, -math.inf):
        safe = safe ** (1.0 / order)
    return (xc / safe).astype(x.dtype)


def _tf_l2_normalize(tf, x, axes):
    """x / ||x|| in one fused norm pass (no temporary of x's size) and one multiply; zero vectors
    stay zero. The gradient is written out: the norm's own is NaN at zero, this one is finite
    (1 / norm, and 1 for zero vectors, as the element-wise formula with a safe divisor gives)."""

    @tf.custom_gradient
    def l2(x):
        norm = tf.math.reduce_euclidean_norm(x, axis=axes, keepdims=True)
        inv = tf.math.reciprocal_no_nan(norm)
        y = x * inv

        def grad(g):
            scale = tf.where(norm == 0, tf.ones_like(inv), inv)
            return (g - y * tf.reduce_sum(g * y, axis=axes, keepdims=True)) * scale

        return y, grad

    return l2(x)


def _tf_normalize(x, axis, order):
    import tensorflow as tf

    x = tf.convert_to_tensor(x)
    if not (x.dtype.is_floating or x.dtype.is_complex):
        if not (x.dtype.is_integer or x.dtype.is_bool):
            raise ValueError(f"`x` must be numeric. Received: x with dtype {x.dtype.name}")
        x = tf.cast(x, _floatx())
    axes = list(_check_axes(axis, x.shape.rank))
    with tf.device(x.device or None):
        low = x.dtype.is_floating and x.dtype.size < 4
        xc = tf.cast(x, tf.float32) if low else x
        if order == 2 and not xc.dtype.is_complex:
            return tf.cast(_tf_l2_normalize(tf, xc, axes), x.dtype)
        mag = tf.abs(xc) if xc.dtype.is_complex else xc
        if order == 2:
            total = tf.reduce_sum(mag * mag, axis=axes, keepdims=True)
        elif order == math.inf:
            total = tf.reduce_max(tf.abs(mag), axis=axes, keepdims=True)
        elif order == -math.inf:
            total = tf.reduce_min(tf.abs(mag), axis=axes, keepdims=True)
        elif order == 0:
            total = tf.cast(tf.math.count_nonzero(mag, axis=axes, keepdims=True), mag.dtype)
        else:
            total = tf.reduce_sum(tf.abs(mag) ** order, axis=axes, keepdims=True)
        safe = tf.where(total == 0, tf.ones_like(total), total)
        if order == 2:
            safe = tf.sqrt(safe)
        elif order not in (0, 1, math.inf, -math.inf):
            safe = safe ** (1.0 / order)
        return tf.cast(xc / tf.cast(safe, xc.dtype), x.dtype)
