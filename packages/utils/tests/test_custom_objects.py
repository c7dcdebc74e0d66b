# SPDX-License-Identifier: Apache-2.0
"""The registry and the scopes: reference section 19 (T-CO-*) as cornu adapts it.

cornu's decisions (DESIGN.md, Utilities): nested scopes merge, an explicit ``custom_objects=``
outranks the registry, re-registering a name raises unless ``overwrite=True``, and scopes are
context-local so loader threads running in a copy of the caller's context see them.
"""

from __future__ import annotations

import contextvars
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import cornu_config
import cornu_utils
from cornu_utils import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    register_serializable,
)
from cornu_utils import custom_objects as co

THREADS_INHERIT_CONTEXT = bool(getattr(sys.flags, "thread_inherit_context", False))


@pytest.fixture(autouse=True)
def clean_registry():
    """Each test starts from the registry as it was and leaves it so."""
    objects, names = dict(co._GLOBAL_CUSTOM_OBJECTS), dict(co._GLOBAL_CUSTOM_NAMES)
    yield
    co._GLOBAL_CUSTOM_OBJECTS.clear()
    co._GLOBAL_CUSTOM_OBJECTS.update(objects)
    co._GLOBAL_CUSTOM_NAMES.clear()
    co._GLOBAL_CUSTOM_NAMES.update(names)


class A:
    def get_config(self):
        return {}


class B(A):
    pass


class C(A):
    pass


# ------------------------------------------------------------------------------------ scopes


def test_scope_entries_are_visible_inside_only_and_not_in_the_registry():  # T-CO-01
    with custom_object_scope({"a": A}) as scope:
        assert get_registered_object("a") is A
        assert "a" not in get_custom_objects()
        assert isinstance(scope, CustomObjectScope)
    assert get_registered_object("a") is None


def test_nested_scopes_merge_and_unwind_in_order():  # T-CO-02, as Keras 2 / tf-keras
    with custom_object_scope({"a": A, "shared": A}):
        with custom_object_scope({"b": B, "shared": B}):
            assert get_registered_object("a") is A
            assert get_registered_object("b") is B
            assert get_registered_object("shared") is B  # the inner scope wins a conflict
        assert get_registered_object("a") is A
        assert get_registered_object("b") is None
        assert get_registered_object("shared") is A
    assert get_registered_object("a") is None


@pytest.mark.parametrize("args", [(None,), ({},), ()])
def test_empty_scopes_work(args):  # T-CO-03
    with custom_object_scope(*args):
        assert get_registered_object("a") is None


def test_several_dicts_merge_and_later_ones_win():  # T-CO-04, as Keras 2
    with custom_object_scope({"a": A, "x": A}, {"b": B, "x": B}):
        assert get_registered_object("a") is A
        assert get_registered_object("b") is B
        assert get_registered_object("x") is B


def test_custom_object_scope_is_the_class():
    assert custom_object_scope is CustomObjectScope
    assert cornu_utils.register_keras_serializable is register_serializable


@pytest.mark.parametrize(
    ("args", "shown"),
    [(([("a", A)],), "custom_objects=[("), (({"a": A}, 3), "custom_objects[1]=3"), (({1: A},), "{1: ")],
)
def test_bad_scope_arguments_name_the_argument(args, shown):
    with pytest.raises(TypeError, match="Received: ") as info:
        CustomObjectScope(*args)
    assert shown in str(info.value)


def test_one_scope_object_can_be_entered_twice():
    scope = custom_object_scope({"a": A})
    with scope, custom_object_scope({"b": B}), scope:
        assert get_registered_object("b") is B
    assert get_registered_object("a") is None


def test_scope_reads_its_dict_when_entered():
    objects = {}
    scope = custom_object_scope(objects)
    objects["late"] = A
    with scope:
        assert get_registered_object("late") is A
    assert scope.custom_objects == {"late": A}


def test_scope_is_restored_when_the_block_raises():
    with pytest.raises(RuntimeError), custom_object_scope({"a": A}):
        raise RuntimeError("boom")
    assert get_registered_object("a") is None


# ------------------------------------------------------------------------ threads and contexts


def _lookup_in_thread(name, *, copy_context):
    seen = []

    def work():
        seen.append(get_registered_object(name))

    target = contextvars.copy_context().run if copy_context else (lambda fn: fn())
    thread = threading.Thread(target=target, args=(work,))
    thread.start()
    thread.join()
    return seen[0]


def test_worker_thread_running_in_a_copy_of_the_context_sees_the_scope():
    with custom_object_scope({"a": A}):
        assert _lookup_in_thread("a", copy_context=True) is A
        with ThreadPoolExecutor(2) as pool:
            futures = [
                pool.submit(contextvars.copy_context().run, get_registered_object, "a") for _ in range(4)
            ]
            assert [f.result() for f in futures] == [A] * 4


@pytest.mark.skipif(THREADS_INHERIT_CONTEXT, reason="this Python starts threads in a copy of the context")
def test_plain_thread_starts_without_the_callers_scope():  # T-CO-05
    with custom_object_scope({"a": A}):
        assert _lookup_in_thread("a", copy_context=False) is None


def test_scope_opened_in_a_thread_does_not_leak_to_others():
    opened, release = threading.Event(), threading.Event()

    def work():
        with custom_object_scope({"t": A}):
            opened.set()
            release.wait(5)

    thread = threading.Thread(target=work)
    thread.start()
    try:
        assert opened.wait(5)
        assert get_registered_object("t") is None
    finally:
        release.set()
        thread.join()


def test_asyncio_tasks_each_have_their_own_scope():
    import asyncio

    async def task(name, cls, started, other_started):
        with custom_object_scope({name: cls}):
            started.set()
            await other_started.wait()  # both scopes are open now
            return get_registered_object("a"), get_registered_object("b")

    async def main():
        a_started, b_started = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(task("a", A, a_started, b_started), task("b", B, b_started, a_started))

    assert asyncio.run(main()) == [(A, None), (None, B)]


def test_registry_is_shared_by_every_thread():
    register_serializable(package="threads")(A)
    assert _lookup_in_thread("threads>A", copy_context=False) is A


# ----------------------------------------------------------------------------------- priority


def test_priority_explicit_then_scope_then_registry_then_module_objects():  # T-CO-06, adapted
    get_custom_objects()["g"] = C
    assert get_registered_object("g") is C
    with custom_object_scope({"g": A}):
        assert get_registered_object("g") is A
        assert get_registered_object("g", custom_objects={"g": B}) is B
    assert get_registered_object("g") is C
    assert get_registered_object("g", custom_objects={"g": B}) is B  # the argument beats the registry
    assert get_registered_object("g", module_objects={"g": B}) is C  # module objects come last
    assert get_registered_object("m", module_objects={"m": B}) is B
    assert get_registered_object("nothing") is None


# ------------------------------------------------------------------------------- registration


def test_registered_names_and_lookup():  # T-CO-07
    @register_serializable()
    def f1(x):
        return x

    @register_serializable("pkg", "nm")
    def f2(x):
        return x

    assert get_registered_name(f1) == "Custom>f1"
    assert get_registered_name(f2) == "pkg>nm"
    assert get_registered_object("pkg>nm") is f2
    assert get_custom_objects()["Custom>f1"] is f1


def test_class_without_get_config_is_refused():  # T-CO-08
    class NoConfig:
        pass

    with pytest.raises(
        ValueError, match=r"Cannot register a class that does not have a get_config\(\) method"
    ):
        register_serializable()(NoConfig)
    assert NoConfig not in co._GLOBAL_CUSTOM_NAMES


def test_decorator_returns_the_object_and_works_bare():  # T-CO-09
    class Thing(A):
        pass

    assert register_keras_serializable(package="bare_pkg")(Thing) is Thing

    @register_serializable
    def bare_function(x):
        return x

    assert get_registered_name(bare_function) == "Custom>bare_function"
    assert get_registered_object("Custom>bare_function") is bare_function


def test_re_registering_a_taken_name_raises_unless_overwrite():  # T-CO-10, decided otherwise
    register_serializable(package="dup", name="Thing")(B)
    with pytest.raises(ValueError, match=r"'dup>Thing' is already registered .*overwrite=True"):
        register_serializable(package="dup", name="Thing")(C)
    assert get_registered_object("dup>Thing") is B
    register_serializable(package="dup", name="Thing", overwrite=True)(C)
    assert get_registered_object("dup>Thing") is C
    assert get_registered_name(C) == "dup>Thing"
    assert get_registered_name(B) == "B"  # the replaced object no longer claims the name


def test_registering_the_same_object_again_is_harmless():
    register_serializable(package="again")(B)
    register_serializable(package="again")(B)
    assert get_registered_object("again>B") is B


def test_a_redefinition_of_the_same_class_replaces_it():
    """A module reloaded or a notebook cell run twice defines the class again: no error."""

    def define():
        class Reloaded(A):
            pass

        return Reloaded

    first, second = define(), define()
    assert first is not second
    register_serializable(package="reload")(first)
    register_serializable(package="reload")(second)
    assert get_registered_object("reload>Reloaded") is second


def test_one_object_under_a_second_name_needs_overwrite():
    register_serializable(package="first")(B)
    with pytest.raises(ValueError, match=r"already registered as 'first>B'"):
        register_serializable(package="second")(B)
    register_serializable(package="second", overwrite=True)(B)
    assert get_registered_name(B) == "second>B"
    assert get_registered_object("first>B") is B  # old data still loads


@pytest.mark.parametrize(
    ("kwargs", "shown"),
    [({"package": "a>b"}, "package='a>b'"), ({"package": ""}, "package=''"), ({"name": "x>y"}, "name='x>y'")],
)
def test_bad_package_or_name_is_refused(kwargs, shown):
    with pytest.raises(ValueError, match="without '>'") as info:
        register_serializable(**kwargs)(B)
    assert str(info.value).endswith(shown)


def test_a_lambda_needs_a_name():
    with pytest.raises(ValueError, match="name="):
        register_serializable()(lambda x: x)
    square = register_serializable(name="square")(lambda x: x * x)
    assert get_registered_object("Custom>square") is square


def test_only_callables_register():
    with pytest.raises(TypeError, match="Received: obj=3"):
        register_serializable(name="three")(3)


def test_registered_name_of_unregistered_objects():  # T-CO-11
    assert get_registered_name(len) == "len"
    assert get_registered_name(A) == "A"
    register_serializable(package="inst")(B)
    assert get_registered_name(B()) == "inst>B"  # an instance is named by its class


# ------------------------------------------------------------------------------ clear_session


def test_clear_session_keeps_the_registry_and_resets_scopes():  # T-CO-12
    register_serializable(package="keep")(B)
    with custom_object_scope({"a": A}):
        cornu_config.clear_session(free_memory=False)
        assert get_registered_object("a") is None
        assert get_registered_object("keep>B") is B
        with custom_object_scope({"c": C}):
            assert get_registered_object("c") is C
            assert get_registered_object("a") is None
        assert get_registered_object("a") is None
    assert get_registered_object("a") is None
    assert get_registered_object("keep>B") is B


def test_clear_session_resets_scopes_of_other_threads():
    entered, cleared, done = threading.Event(), threading.Event(), []

    def work():
        with custom_object_scope({"a": A}):
            entered.set()
            cleared.wait(5)
            done.append(get_registered_object("a"))

    thread = threading.Thread(target=work)
    thread.start()
    assert entered.wait(5)
    cornu_config.clear_session(free_memory=False)
    cleared.set()
    thread.join()
    assert done == [None]


def test_errors_show_the_callers_frames_not_cornus():
    import os
    import traceback

    cornu_dir = os.path.dirname(co.__file__)
    register_serializable(package="tb")(B)
    with pytest.raises(ValueError) as info:
        register_serializable(package="tb", name="B")(C)
    frames = [f.filename for f in traceback.extract_tb(info.value.__traceback__)]
    assert frames
    assert not any(f.startswith(cornu_dir) for f in frames)
    with pytest.raises(ValueError) as info:
        cornu_utils.deserialize({"class_name": "Missing", "config": {}})
    assert not any(f.filename.startswith(cornu_dir) for f in traceback.extract_tb(info.value.__traceback__))
