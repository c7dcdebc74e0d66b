# SPDX-License-Identifier: Apache-2.0
"""serialize / deserialize: round trips through JSON for every supported kind, lookup order,
Keras 3 configs, and safe mode (reference sections 6 and 19; pain points section 10)."""

from __future__ import annotations

import base64
import contextvars
import enum
import json
import marshal
import sys
import threading
import warnings

import numpy as np
import pytest

import cornu_config
import cornu_utils
from cornu_config import _store
from cornu_utils import (
    SafeModeScope,
    custom_object_scope,
    deserialize,
    get_custom_objects,
    register_serializable,
    serialize,
)
from cornu_utils import _serialization_lookup as lookup
from cornu_utils import custom_objects as co


@pytest.fixture(autouse=True)
def clean_state():
    """Registry as it was, global safe mode unset, before and after each test."""
    objects, names = dict(co._GLOBAL_CUSTOM_OBJECTS), dict(co._GLOBAL_CUSTOM_NAMES)
    _store.unset("safe_mode")
    yield
    _store.unset("safe_mode")
    co._GLOBAL_CUSTOM_OBJECTS.clear()
    co._GLOBAL_CUSTOM_OBJECTS.update(objects)
    co._GLOBAL_CUSTOM_NAMES.clear()
    co._GLOBAL_CUSTOM_NAMES.update(names)


def through_json(obj, **kwargs):
    """serialize -> JSON text -> deserialize, as saving to a file and loading it does."""
    return deserialize(json.loads(json.dumps(serialize(obj))), **kwargs)


def make_lambda_config():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return json.loads(json.dumps(serialize(lambda x: x + 1)))


class Dense:
    """A small layer-like class: its regularizer may be an object, a config or a name."""

    def __init__(self, units, kernel_regularizer=None):
        self.units = units
        if isinstance(kernel_regularizer, str):  # as Keras's regularizers.get does
            kernel_regularizer = deserialize({"class_name": kernel_regularizer, "config": {}})
        self.kernel_regularizer = kernel_regularizer

    def get_config(self):
        return {"units": self.units, "kernel_regularizer": self.kernel_regularizer}


class MyObject:
    def __init__(self, factor=0.5):
        self.factor = factor

    def get_config(self):
        return {"factor": self.factor}

    def __eq__(self, other):
        return type(other) is type(self) and other.factor == self.factor


# ---------------------------------------------------------------------------- built-in kinds


class Color(enum.IntEnum):
    RED = 1


@pytest.mark.parametrize(
    "value",
    [
        0,
        -7,
        2**70,
        1.5,
        float("inf"),
        True,
        None,
        "text",
        "",
        [1, "a", None],
        {"a": 1, "b": [1, 2]},
        (1, (2, 3), []),
        (),
        {1: "int key", (1, 2): "tuple key"},
        {"class_name": "looks like", "config": "an object"},
        b"\x00\xffbytes",
        bytearray(b"ab"),
        1 + 2j,
        slice(1, None, -2),
        Ellipsis,
        [{"nested": ({"deep": (1.25, b"x")},)}],
    ],
    ids=repr,
)
def test_python_values_round_trip(value):
    back = through_json(value)
    assert back == value
    assert type(back) is (bytes if isinstance(value, bytearray) else type(value))


def test_subclasses_of_plain_types_become_their_plain_value():
    assert serialize(Color.RED) == 1
    assert type(serialize(Color.RED)) is int


@pytest.mark.parametrize(
    "array",
    [
        np.arange(6, dtype="int16").reshape(2, 3),
        np.array([True, False]),
        np.array([0, 255], dtype="uint8"),
        np.array([1.5, -2.25], dtype="float16"),
        np.array([[1e-30, 3.4e38]], dtype="float32"),
        np.array([np.pi, np.nan, -np.inf], dtype="float64"),
        np.array([1 + 2j, -3j], dtype="complex64"),
        np.array(["ab", "xyz"]),
        np.zeros((0, 3), dtype="float32"),
        np.array(7, dtype="int64"),
    ],
    ids=lambda a: f"{a.dtype}{list(a.shape)}",
)
def test_numpy_arrays_round_trip_with_dtype_and_shape(array):
    back = through_json(array)
    assert isinstance(back, np.ndarray)
    assert back.dtype == array.dtype
    assert back.shape == array.shape
    np.testing.assert_array_equal(back, array)


@pytest.mark.parametrize(
    "scalar", [np.float32(1.5), np.int64(-3), np.bool_(True), np.complex128(1 - 1j), np.uint8(200)], ids=repr
)
def test_numpy_scalars_round_trip(scalar):
    back = through_json(scalar)
    assert type(back) is type(scalar)
    assert back == scalar


@pytest.mark.parametrize(
    "dtype", [np.dtype("float32"), np.dtype("int8"), np.dtype("<U4"), np.float64, np.int32]
)
def test_numpy_dtypes_and_scalar_types_round_trip(dtype):
    back = through_json(dtype)
    assert back == dtype
    assert type(back) is type(dtype)


def test_arrays_numpy_cannot_hold_as_json_are_refused():
    with pytest.raises(TypeError, match="dtype"):
        serialize(np.array([object()], dtype=object))
    with pytest.raises(TypeError, match="dtype"):
        serialize(np.array(["2020-01-01"], dtype="datetime64[D]"))


def test_keras_written_numpy_and_bytes_entries_read_back():
    array = deserialize({"class_name": "__numpy__", "config": {"value": [[1, 2]], "dtype": "float32"}})
    assert array.dtype == np.float32
    assert array.shape == (1, 2)
    assert deserialize({"class_name": "__bytes__", "config": {"value": "héllo"}}) == "héllo".encode()


@pytest.mark.parametrize(
    ("entry", "shown"),
    [
        ({"class_name": "__numpy__", "config": {"value": [1], "dtype": "O"}}, "not one cornu rebuilds"),
        (
            {"class_name": "__numpy__", "config": {"value": [1, 2], "dtype": "int8", "shape": [3]}},
            "do not fill",
        ),
        ({"class_name": "__numpy__", "config": {"value": [1], "dtype": "nope"}}, "not a NumPy dtype"),
        ({"class_name": "__dict__", "config": {"items": [[1]]}}, "pairs"),
        ({"class_name": "__dict__", "config": {"items": [[[1], 2]]}}, "not hashable"),
        ({"class_name": "__tuple__", "config": {"value": "ab"}}, "must be a list"),
        ({"class_name": "__complex__", "config": {"real": "1", "imag": 0}}, "must be numbers"),
        ({"class_name": 3, "config": {}}, "class_name"),
        ({"class_name": "function", "config": {"a": 1}}, "must be its name"),
        ({"class_name": "MyObject", "config": [1]}, "must be a dict"),
    ],
)
def test_malformed_entries_raise_value_errors(entry, shown):
    with pytest.raises(ValueError, match=shown) as info, custom_object_scope({"MyObject": MyObject}):
        deserialize(entry)
    assert "Received: config=" in str(info.value)


def test_what_cannot_be_serialized_raises_type_error():
    with pytest.raises(TypeError, match=r"Received: obj=\{1\}"):
        serialize({1})
    with pytest.raises(TypeError, match="a class; serialize an instance"):
        serialize(MyObject)

    class BadConfig:
        def get_config(self):
            return [1]

    with pytest.raises(TypeError, match="must return a dict"):
        serialize(BadConfig())


def test_self_containing_or_too_deep_data_is_a_clear_error():
    loop = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        serialize(loop)
    deep = {"class_name": "__tuple__", "config": {"value": []}}
    for _ in range(sys.getrecursionlimit()):
        deep = {"class_name": "__tuple__", "config": {"value": [deep]}}
    with pytest.raises(ValueError, match="nests too deeply"):
        deserialize(deep)


# ------------------------------------------------------------------ classes and functions


def test_registered_class_round_trip_has_the_keras_format():
    register_serializable(package="demo")(MyObject)
    data = serialize(MyObject(factor=(1, 2)))
    assert data == {
        "module": __name__,
        "class_name": "MyObject",
        "config": {"factor": {"class_name": "__tuple__", "config": {"value": [1, 2]}}},
        "registered_name": "demo>MyObject",
    }
    back = through_json(MyObject(factor=(1, 2)))
    assert back == MyObject(factor=(1, 2))


def test_nested_objects_and_arrays_in_a_config_are_rebuilt():
    register_serializable(package="demo")(MyObject)
    register_serializable(package="demo")(Dense)
    layer = Dense(3, kernel_regularizer=MyObject(factor=np.ones((2, 2), "float32")))
    back = through_json(layer)
    assert isinstance(back, Dense)
    assert back.units == 3
    assert isinstance(back.kernel_regularizer, MyObject)
    assert back.kernel_regularizer.factor.dtype == np.float32


def test_from_config_is_used_when_the_class_has_it():
    calls = []

    @register_serializable(package="demo")
    class WithFromConfig:
        def __init__(self, a):
            self.a = a

        def get_config(self):
            return {"a": self.a}

        @classmethod
        def from_config(cls, config):
            calls.append(config)
            return cls(**config)

    back = through_json(WithFromConfig(a=(1, 2)))
    assert back.a == (1, 2)
    assert calls == [{"a": (1, 2)}]  # values arrive rebuilt


def test_a_keras_style_from_config_that_deserializes_its_own_values_works():
    @register_serializable(package="demo")
    class Wrapper:
        def __init__(self, inner):
            self.inner = inner

        def get_config(self):
            return {"inner": serialize(self.inner)}

        @classmethod
        def from_config(cls, config):
            return cls(deserialize(config["inner"]))

    register_serializable(package="demo")(MyObject)
    back = through_json(Wrapper(MyObject(3)))
    assert back.inner == MyObject(3)


def test_constructor_errors_say_which_class_failed():
    register_serializable(package="demo")(MyObject)
    entry = {
        "module": None,
        "class_name": "MyObject",
        "config": {"nope": 1},
        "registered_name": "demo>MyObject",
    }
    with pytest.raises(TypeError, match=r"Could not rebuild 'MyObject' from its config with its constructor"):
        deserialize(entry)


def test_functions_round_trip_by_registered_name():
    @register_serializable(package="fn")
    def scale(x):
        return 2 * x

    data = serialize(scale)
    assert data == {
        "module": __name__,
        "class_name": "function",
        "config": "fn>scale",
        "registered_name": "fn>scale",
    }
    assert through_json(scale) is scale
    assert through_json({"activation": scale})["activation"] is scale


def test_unregistered_functions_need_custom_objects_or_unsafe_mode():
    import os.path

    data = json.loads(json.dumps(serialize(os.path.join)))
    assert data["class_name"] == "function"
    assert data["config"] == "join"
    with pytest.raises(ValueError, match="Safe mode does not import the module"):
        deserialize(data)
    assert deserialize(data, custom_objects={"join": os.path.join}) is os.path.join
    assert deserialize(data, safe_mode=False) is os.path.join
    assert through_json(len, safe_mode=False) is len
    with pytest.raises(ValueError, match="'builtins'"):
        through_json(len)


def test_a_function_given_under_a_class_name_is_returned_as_is():
    def factory(**kwargs):
        raise AssertionError("not called")

    assert deserialize({"class_name": "Thing", "config": {}}, custom_objects={"Thing": factory}) is factory


def test_an_object_already_rebuilt_passes_through():
    obj = MyObject()
    assert deserialize(obj) is obj
    assert deserialize({"a": obj})["a"] is obj


# ------------------------------------------------------------------------------ lookup order


class Explicit(MyObject):
    pass


class Scoped(MyObject):
    pass


class Registered(MyObject):
    pass


ENTRY = {"module": "elsewhere", "class_name": "Thing", "config": {}, "registered_name": "Custom>Thing"}


def test_lookup_order_argument_then_scope_then_registry():
    register_serializable(name="Thing")(Registered)
    assert type(deserialize(ENTRY)) is Registered
    with custom_object_scope({"Thing": Scoped}):
        assert type(deserialize(ENTRY)) is Scoped
        assert type(deserialize(ENTRY, custom_objects={"Thing": Explicit})) is Explicit
    assert type(deserialize(ENTRY, custom_objects={"Thing": Explicit})) is Explicit


def test_a_name_mapped_to_none_counts_as_absent():
    register_serializable(name="Thing")(Registered)
    assert type(deserialize(ENTRY, custom_objects={"Thing": None, "Custom>Thing": None})) is Registered


def test_nested_scopes_merge_for_deserialize():
    register_serializable(package="demo")(Dense)
    data = json.loads(json.dumps(serialize(Dense(2, kernel_regularizer=MyObject()))))
    data["kernel_regularizer"] = data["config"]["kernel_regularizer"]
    with custom_object_scope({"MyObject": MyObject}), custom_object_scope({"Other": Explicit}):
        back = deserialize(data)
    assert back.kernel_regularizer == MyObject()


def test_string_names_resolve_inside_a_scope():
    """Keras's example: ``kernel_regularizer="MyObject"`` works inside a scope."""
    with custom_object_scope({"MyObject": MyObject}):
        layer = Dense(3, kernel_regularizer="MyObject")
        assert deserialize("MyObject") is MyObject
    assert layer.kernel_regularizer == MyObject()
    assert deserialize("MyObject") == "MyObject"  # outside: just a string
    with pytest.raises(ValueError, match="Could not find the class 'MyObject'"):
        Dense(3, kernel_regularizer="MyObject")


def test_custom_objects_are_in_scope_inside_from_config():
    @register_serializable(package="demo")
    class Parent:
        def get_config(self):
            return {}

        @classmethod
        def from_config(cls, config):
            obj = cls()
            obj.child = deserialize({"class_name": "Child", "config": {"factor": 2}})
            return obj

    back = deserialize(serialize(Parent()), custom_objects={"Child": MyObject})
    assert back.child == MyObject(2)


def test_get_custom_objects_entries_are_found():
    get_custom_objects()["MyObject"] = MyObject
    assert deserialize({"class_name": "MyObject", "config": {"factor": 1}}) == MyObject(1)


# ----------------------------------------------------------------------------- unknown names


def test_unknown_names_suggest_the_nearest_registered_ones():
    register_serializable(package="pkg")(MyObject)
    register_serializable(package="pkg", name="MyOtherThing")(Explicit)
    entry = {"module": "somewhere", "class_name": "MyObjekt", "config": {}, "registered_name": "pkg>MyObjekt"}
    with pytest.raises(ValueError, match=r"Did you mean: 'pkg>MyObject'") as info:
        deserialize(entry)
    message = str(info.value)
    assert "register_serializable" in message
    assert message.endswith("'registered_name': 'pkg>MyObjekt'}")
    with pytest.raises(ValueError, match=r"Did you mean: 'pkg>MyObject'"):
        deserialize({"class_name": "MyObject", "config": {}})  # the short name finds the full one


def test_suggestions_include_scope_and_argument_names():
    with (
        pytest.raises(ValueError, match=r"Did you mean: 'Regularizer'") as info,
        custom_object_scope({"Regularizer": MyObject}),
    ):
        deserialize({"class_name": "Regulariser", "config": {}}, custom_objects={"Unrelated": MyObject})
    assert "Unrelated" not in str(info.value)


def test_no_suggestion_when_nothing_is_close():
    with pytest.raises(ValueError) as info:
        deserialize({"class_name": "Zzyzx", "config": {}})
    assert "Did you mean" not in str(info.value)


def test_suggest_is_bounded_and_puts_the_closest_first():
    names = {f"pkg>Layer{i}": None for i in range(10)}
    found = lookup.suggest(["Layer1"], [names])
    assert found[0] == "pkg>Layer1"
    assert len(found) == 3
    assert lookup.suggest(["Layer1"], [names], n=1) == ["pkg>Layer1"]


# -------------------------------------------------------------------------------- safe mode


def lam(x, y=2, *, z=3):
    return x


def test_safe_mode_flag_is_none_until_unsafe_is_enabled():  # T-SM-01, T-SM-02
    assert cornu_config.in_safe_mode() is None
    cornu_config.enable_unsafe_deserialization()
    assert cornu_config.in_safe_mode() is False
    cornu_config.clear_session(free_memory=False)
    assert cornu_config.in_safe_mode() is False  # a setting: clear_session leaves it alone


def test_a_lambda_is_refused_by_default_with_a_way_out():
    with pytest.raises(ValueError) as info:
        deserialize(make_lambda_config())
    message = str(info.value)
    assert "arbitrary code" in message
    assert "safe_mode=False" in message
    assert "enable_unsafe_deserialization()" in message


def test_serializing_a_lambda_warns():
    with pytest.warns(UserWarning, match="safe_mode=False"):
        serialize(lambda x: x)


def test_unsafe_mode_rebuilds_lambdas_with_defaults_closures_and_globals():
    offset = np.float64(0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = json.loads(json.dumps(serialize(lambda x, y=(1, 2), *, z=3: np.sqrt(x) + offset + y[1] + z)))
    fn = deserialize(data, safe_mode=False)
    assert fn(16.0) == 4.0 + 0.5 + 2 + 3
    assert fn(16.0, y=(0, 0), z=0) == 4.5
    assert fn.__name__ == "<lambda>"


def test_local_functions_are_code_too():
    def make():
        def inner(x):
            return x * 3

        return inner

    with pytest.warns(UserWarning, match="inner"):
        data = json.loads(json.dumps(serialize(make())))
    assert data["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="arbitrary code"):
        deserialize(data)
    assert deserialize(data, safe_mode=False)(2) == 6


def test_enable_unsafe_deserialization_turns_safe_mode_off_globally():
    data = make_lambda_config()
    cornu_config.enable_unsafe_deserialization()
    assert deserialize(data)(1) == 2
    with pytest.raises(ValueError, match="arbitrary code"):
        deserialize(data, safe_mode=True)  # an explicit True still wins


def test_safe_mode_scope_nests_and_wins_over_the_argument():  # T-SM-03..05
    data = make_lambda_config()
    with SafeModeScope(True):
        with pytest.raises(ValueError, match="arbitrary code"):
            deserialize(data, safe_mode=False)
        with SafeModeScope(False):
            assert deserialize(data)(1) == 2
            with pytest.raises(ValueError):
                deserialize(data, safe_mode=True)
        with pytest.raises(ValueError):
            deserialize(data, safe_mode=False)
    assert deserialize(data, safe_mode=False)(1) == 2
    cornu_config.enable_unsafe_deserialization()
    with SafeModeScope(True), pytest.raises(ValueError):
        deserialize(data)


def test_safe_mode_scope_checks_its_argument_and_is_reset_by_clear_session():
    with pytest.raises(ValueError, match="Received: safe_mode='no'"):
        SafeModeScope("no")
    data = make_lambda_config()
    with SafeModeScope(False):
        cornu_config.clear_session(free_memory=False)
        with pytest.raises(ValueError):
            deserialize(data)


def test_safe_mode_scope_holds_in_worker_threads_running_in_a_copy_of_the_context():
    data, results = make_lambda_config(), []

    def work():
        try:
            results.append(deserialize(data, safe_mode=False))
        except ValueError as e:
            results.append(e)

    with SafeModeScope(True):
        thread = threading.Thread(target=contextvars.copy_context().run, args=(work,))
        thread.start()
        thread.join()
    assert isinstance(results[0], ValueError)


def test_the_decision_holds_inside_from_config():
    lambda_data = make_lambda_config()

    @register_serializable(package="demo")
    class Holder:
        def get_config(self):
            return {}

        @classmethod
        def from_config(cls, config):
            obj = cls()
            obj.fn = deserialize(lambda_data)  # no safe_mode: inherits the outer call's decision
            return obj

    assert deserialize(serialize(Holder()), safe_mode=False).fn(1) == 2
    with pytest.raises(ValueError, match="arbitrary code"):
        deserialize(serialize(Holder()))

    @register_serializable(package="demo")
    class Sneaky(Holder):
        @classmethod
        def from_config(cls, config):
            return deserialize(lambda_data, safe_mode=False)  # cannot switch off the outer decision

    with pytest.raises(ValueError, match="arbitrary code"):
        deserialize(serialize(Sneaky()))


def test_data_cannot_switch_safe_mode_off():
    """Keys named like the switch are plain data; entries naming the switch (or any cornu
    function) are refused, so nothing in the data can turn safe mode off (CVE-2025-8747)."""
    back = deserialize(
        {"safe_mode": False, "nested": {"safe_mode": False}, "fn": make_lambda_config()["config"]}
    )
    assert back["safe_mode"] is False
    refused = [
        {"module": "cornu_config", "class_name": "function", "config": "enable_unsafe_deserialization"},
        {"module": "cornu_config.flags", "class_name": "function", "config": "enable_unsafe_deserialization"},
        {"module": "cornu.config", "class_name": "function", "config": "enable_unsafe_deserialization"},
        {"module": "cornu_utils", "class_name": "SafeModeScope", "config": {"safe_mode": False}},
        {"module": "cornu_utils", "class_name": "function", "config": "deserialize"},
    ]
    for entry in refused:
        with pytest.raises(ValueError, match="Could not find"):
            deserialize({"payload": entry})
        assert cornu_config.in_safe_mode() is None
    with pytest.raises(ValueError, match="arbitrary code"):
        deserialize(make_lambda_config())


@pytest.fixture
def marker_module(tmp_path, monkeypatch):
    """A module on sys.path that leaves a file behind when imported."""
    name = "cornu_test_marker_mod"
    marker = tmp_path / "imported"
    (tmp_path / f"{name}.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('yes')\n"
        "class Payload:\n"
        "    def __init__(self, value=0):\n        self.value = value\n"
        "    def get_config(self):\n        return {'value': self.value}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    yield name, marker
    sys.modules.pop(name, None)


def test_safe_mode_never_imports_a_module_the_data_names(marker_module):
    name, marker = marker_module
    entry = {"module": name, "class_name": "Payload", "config": {"value": 3}, "registered_name": None}
    with pytest.raises(ValueError, match=f"Safe mode does not import the module '{name}'"):
        deserialize(entry)
    assert name not in sys.modules
    assert not marker.exists()
    rebuilt = deserialize(entry, safe_mode=False)  # trusted data: the module is imported
    assert marker.exists()
    assert rebuilt.value == 3
    assert type(rebuilt).__module__ == name


@pytest.mark.parametrize(
    "module", ["os", "subprocess", "builtins", "cornu_config", "cornu_utilsx", "cornu_utils/../os", "a..b"]
)
def test_modules_outside_the_allow_list_are_refused(module):
    entry = {"module": module, "class_name": "function", "config": "system", "registered_name": None}
    with pytest.raises(ValueError, match=r"Received: config="):
        deserialize(entry)


def test_allow_listed_modules_give_only_serializable_classes_they_define(monkeypatch):
    import cornu_utils.serialization as target

    class Serializable:
        def __init__(self, a=1):
            self.a = a

        def get_config(self):
            return {"a": self.a}

    Serializable.__module__ = "cornu_utils.serialization"
    monkeypatch.setattr(target, "Serializable", Serializable, raising=False)
    monkeypatch.setattr(target, "Popen", __import__("subprocess").Popen, raising=False)
    monkeypatch.setattr(target, "_Hidden", Serializable, raising=False)

    def entry(name, kind="class"):
        config = {"a": 2} if kind == "class" else name
        return {
            "module": "cornu_utils.serialization",
            "class_name": name if kind == "class" else kind,
            "config": config,
        }

    assert deserialize(entry("Serializable")).a == 2
    for refused in ("Popen", "_Hidden", "SafeModeScope"):  # foreign, private, not serializable
        with pytest.raises(ValueError, match="Could not find the class"):
            deserialize(entry(refused))
    with pytest.raises(ValueError, match="Could not find the function"):
        deserialize(entry("deserialize", kind="function"))


def test_allow_listed_modules_are_not_imported_either(marker_module, monkeypatch):
    name, marker = marker_module
    monkeypatch.setattr(lookup, "SAFE_MODULE_ROOTS", lookup.SAFE_MODULE_ROOTS | {name})
    entry = {"module": name, "class_name": "Payload", "config": {"value": 5}}
    with pytest.raises(ValueError, match="once your code has imported them"):
        deserialize(entry)
    assert not marker.exists()
    __import__(name)  # the user's code imports it: now safe mode may use it
    assert deserialize(entry).value == 5


def test_lambda_from_another_python_version_is_refused_clearly():
    data = make_lambda_config()
    data["config"]["python"] = "2.7"
    with pytest.raises(ValueError, match=r"serialized by Python 2\.7"):
        deserialize(data, safe_mode=False)
    data["config"]["python"] = f"{sys.version_info[0]}.{sys.version_info[1]}"
    data["config"]["code"] = base64.b64encode(b"not marshal").decode()
    with pytest.raises(ValueError, match="Malformed `__lambda__`"):
        deserialize(data, safe_mode=False)


def test_lambda_needing_a_missing_module_says_which():
    data = make_lambda_config()
    data["config"]["globals"] = {"helper": {"module": "cornu_no_such_module_xyz", "qualname": "helper"}}
    with pytest.raises(ValueError, match=r"uses cornu_no_such_module_xyz\.helper, which cannot be found"):
        deserialize(data, safe_mode=False)


def test_keras_lambda_format_is_read_in_unsafe_mode_only():
    k = 10
    fn = lambda x, y=1: x + y + k  # noqa: E731
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")  # Keras's func_dump
    entry = {"class_name": "__lambda__", "config": {"value": [code, [1], [10]]}}
    with pytest.raises(ValueError, match="arbitrary code"):
        deserialize(entry)
    assert deserialize(entry, safe_mode=False)(1) == 12


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="Received: safe_mode='yes'"):
        deserialize({}, safe_mode="yes")
    with pytest.raises(TypeError, match=r"Received: custom_objects=\['a'\]"):
        deserialize({}, custom_objects=["a"])


def test_public_names_are_exported():
    for name in ("serialize", "deserialize", "SafeModeScope", "register_keras_serializable"):
        assert name in cornu_utils.__all__
        assert name in dir(cornu_utils)
