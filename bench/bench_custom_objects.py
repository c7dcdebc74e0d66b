# SPDX-License-Identifier: Apache-2.0
"""Custom-object lookup, ``serialize`` and ``deserialize`` beside ``keras.saving``'s.

Same objects on both sides: a registered class with a small config, the same inside a scope,
a nested config (an object holding a tuple, a list of 100 floats and a 32x32 float32 array),
and a registered function. Keras runs on its numpy backend (the cheapest to import); figures
are microseconds per call (median of 5 runs of many calls).
"""

from __future__ import annotations

import importlib.util
import os

from harness import Row, timeit

TITLE = "custom objects: lookup / serialize / deserialize (µs per call)"


def _classes(register, deserialize, package):
    @register(package=package)
    class Scale:
        def __init__(self, factor=2.0, name="scale"):
            self.factor, self.name = factor, name

        def get_config(self):
            return {"factor": self.factor, "name": self.name}

        @classmethod
        def from_config(cls, config):
            return cls(**config)

    @register(package=package)
    class Holder:
        def __init__(self, inner=None, shape=(1,), values=(), table=None):
            self.inner, self.shape, self.values, self.table = inner, shape, values, table

        def get_config(self):
            return {"inner": self.inner, "shape": self.shape, "values": self.values, "table": self.table}

        @classmethod
        def from_config(cls, config):
            # Keras hands from_config the serialized values; rebuilding them is the class's
            # job (as Keras's own layers do). cornu hands over rebuilt values, which pass
            # through deserialize unchanged, so both sides end with the same objects.
            return cls(**{k: deserialize(v) for k, v in config.items()})

    @register(package=package)
    def activation(x):
        return x

    return Scale, Holder, activation


def run(args, rest) -> list[Row]:
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import numpy as np

    import cornu_utils as cu

    if importlib.util.find_spec("keras") is None:
        print("keras is not installed: nothing to compare with")
        return []
    import keras

    ks = keras.saving
    number = 300 if args.quick else 2000
    c_scale, c_holder, c_fn = _classes(cu.register_serializable, cu.deserialize, "bench_cornu")
    k_scale, k_holder, k_fn = _classes(
        ks.register_keras_serializable, ks.deserialize_keras_object, "bench_keras"
    )
    table = np.ones((32, 32), "float32")
    values = [float(i) for i in range(100)]

    def make_nested(scale, holder):
        return holder(inner=scale(3.0), shape=(4, 4), values=values, table=table)

    c_obj, k_obj = c_scale(), k_scale()
    c_big, k_big = make_nested(c_scale, c_holder), make_nested(k_scale, k_holder)
    cases = {
        "get_registered_object (registry)": (
            lambda: cu.get_registered_object("bench_cornu>Scale"),
            lambda: ks.get_registered_object("bench_keras>Scale"),
        ),
        "serialize registered object": (
            lambda: cu.serialize(c_obj),
            lambda: ks.serialize_keras_object(k_obj),
        ),
        "serialize registered function": (
            lambda: cu.serialize(c_fn),
            lambda: ks.serialize_keras_object(k_fn),
        ),
        "serialize nested (tuple, 100 floats, 32x32 array)": (
            lambda: cu.serialize(c_big),
            lambda: ks.serialize_keras_object(k_big),
        ),
    }
    c_data, k_data = cu.serialize(c_scale()), ks.serialize_keras_object(k_scale())
    cases["deserialize registered object"] = (
        lambda: cu.deserialize(c_data),
        lambda: ks.deserialize_keras_object(k_data),
    )
    c_nested = cu.serialize(make_nested(c_scale, c_holder))
    k_nested = ks.serialize_keras_object(make_nested(k_scale, k_holder))
    cases["deserialize nested (tuple, 100 floats, 32x32 array)"] = (
        lambda: cu.deserialize(c_nested),
        lambda: ks.deserialize_keras_object(k_nested),
    )
    c_plain = dict(c_data, registered_name="Plain", class_name="Plain")
    k_plain = dict(k_data, registered_name="Plain", class_name="Plain")
    c_scope, k_scope = cu.custom_object_scope({"Plain": c_scale}), ks.custom_object_scope({"Plain": k_scale})
    with c_scope, k_scope:
        cases["get_registered_object (in a scope)"] = (
            lambda: cu.get_registered_object("Plain"),
            lambda: ks.get_registered_object("Plain"),
        )
        cases["deserialize by a scope's name"] = (
            lambda: cu.deserialize(c_plain),
            lambda: ks.deserialize_keras_object(k_plain),
        )
        rows = []
        for case, (cornu_fn, keras_fn) in cases.items():
            c = timeit(cornu_fn, number=number) * 1e6
            k = timeit(keras_fn, number=number) * 1e6
            rows.append(Row(case, c, k, f"keras.saving ({keras.__version__})", "us"))
    entered = cu.custom_object_scope({"Plain": c_scale})
    k_entered = ks.custom_object_scope({"Plain": k_scale})

    def c_enter_exit():
        with entered:
            pass

    def k_enter_exit():
        with k_entered:
            pass

    rows.append(
        Row(
            "enter + exit a scope",
            timeit(c_enter_exit, number=number) * 1e6,
            timeit(k_enter_exit, number=number) * 1e6,
            f"keras.saving ({keras.__version__})",
            "us",
        )
    )
    return rows
