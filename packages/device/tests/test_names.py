# SPDX-License-Identifier: Apache-2.0
"""name_scope / current_path: Keras semantics (T-NS-01..15 as they apply; the design makes
the empty name an error), context-local stacks, clear_session."""

from __future__ import annotations

import asyncio
import threading

import pytest

import cornu_config
from cornu_device import current_path, name_scope


def test_nesting_builds_the_path(backend):
    # T-NS-01
    with name_scope("outer"):
        assert current_path() == "outer"
        with name_scope("middle"):
            assert current_path() == "outer/middle"
            with name_scope("inner"):
                assert current_path() == "outer/middle/inner"
            assert current_path() == "outer/middle"
        assert current_path() == "outer"
    assert current_path() == ""


def test_same_caller_and_name_is_deduplicated(backend):
    # T-NS-02
    caller = object()
    with name_scope("name", caller=caller):
        with name_scope("name", caller=caller):
            assert current_path() == "name"
        assert current_path() == "name"
    with name_scope("name"), name_scope("name"):
        assert current_path() == "name/name"
    assert current_path() == ""


def test_deduplicate_off_or_other_name(backend):
    # T-NS-03
    caller = object()
    with name_scope("n", caller=caller):
        with name_scope("n", caller=caller, deduplicate=False):
            assert current_path() == "n/n"
        with name_scope("m", caller=caller):
            assert current_path() == "n/m"


def test_dedup_is_by_identity(backend):
    # T-NS-04: equal but distinct callers are not the same caller.
    a, b = int("123456789012345678901234567890"), int("123456789012345678901234567890")
    assert a == b
    assert a is not b
    with name_scope("x", caller=a), name_scope("x", caller=b):
        assert current_path() == "x/x"


@pytest.mark.parametrize("name", ["foo/bar", "/", 4, None, b"x", ""])
def test_invalid_names(name):
    # T-NS-05, and the empty name (T-NS-11 in Keras) is refused by the design.
    with pytest.raises(ValueError) as info:
        name_scope(name)
    assert str(info.value) == (
        "Argument `name` must be a non-empty string and cannot contain character `/`. "
        f"Received: name={name!r}"
    )


def test_override_parent_must_be_a_string():
    with pytest.raises(ValueError) as info:
        name_scope("x", override_parent=3)
    assert str(info.value).endswith("Received: override_parent=3")


def test_override_parent_replaces_the_path(backend):
    # T-NS-06
    with name_scope("outer"):
        with name_scope("middle", override_parent="/absolute/path"):
            assert current_path() == "absolute/path/middle"
            with name_scope("inner"):
                assert current_path() == "absolute/path/middle/inner"
        assert current_path() == "outer"
    with name_scope("a", override_parent="x//y/"):
        assert current_path() == "x/y/a"


def test_empty_override_parent_is_the_root(backend):
    # T-NS-07
    with name_scope("a"), name_scope("b", override_parent=""):
        assert current_path() == "b"
        with name_scope("c"):
            assert current_path() == "b/c"


def test_caller_parent_path_pins_the_scope(backend):
    # T-NS-08
    class Layer:
        _parent_path = "p/q"

    layer = Layer()
    with name_scope("outer"):
        with name_scope("layer", caller=layer):
            assert current_path() == "p/q/layer"
        with name_scope("layer", caller=layer, deduplicate=False):
            assert current_path() == "outer/layer"
    scope = name_scope("layer", caller=layer)
    assert scope.override_parent == "p/q"
    assert (scope.name, scope.caller, scope.deduplicate) == ("layer", layer, True)


def test_exception_pops_the_scope(backend):
    # T-NS-09
    with pytest.raises(RuntimeError, match="inside"), name_scope("a"), name_scope("b"):
        raise RuntimeError("inside")
    assert current_path() == ""


def test_same_instance_entered_twice(backend):
    # T-NS-10
    scope = name_scope("re")
    with scope:
        with scope:
            assert current_path() == "re/re"
        assert current_path() == "re"
    assert current_path() == ""


def test_exit_without_enter_leaves_the_stack(backend):
    # T-NS-13
    with name_scope("kept"):
        name_scope("other").__exit__(None, None, None)
        assert current_path() == "kept"
    assert current_path() == ""


def test_clear_session_inside_a_scope(backend):
    # T-NS-14
    with name_scope("a"):
        with name_scope("b"):
            cornu_config.clear_session(free_memory=False)
            assert current_path() == ""
            with name_scope("fresh"):
                assert current_path() == "fresh"
        assert current_path() == ""
    assert current_path() == ""


def test_variable_paths(backend):
    # T-NS-15, as a library would build them from current_path().
    def path(var):
        return f"{current_path()}/{var}" if current_path() else var

    with name_scope("s"):
        assert path("w") == "s/w"
    assert path("v") == "v"


def test_threads_each_see_their_own_stack(backend):
    # T-NS-12
    seen = {}
    barrier = threading.Barrier(5)

    def work(i):
        with name_scope(f"thread_{i}"):
            barrier.wait(10)
            seen[i] = current_path()
            barrier.wait(10)

    with name_scope("main"):
        threads = [threading.Thread(target=work, args=(i,)) for i in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert current_path() == "main"
    assert seen == {i: f"thread_{i}" for i in range(5)}


def test_asyncio_tasks_each_see_their_own_stack(backend):
    seen = []

    async def task(name, delay):
        with name_scope(name):
            await asyncio.sleep(delay)
            with name_scope("step"):
                await asyncio.sleep(delay)
                seen.append(current_path())

    async def main():
        with name_scope("root"):
            await asyncio.gather(task("a", 0.01), task("b", 0.005))
            seen.append(current_path())

    asyncio.run(main())
    assert seen == ["root/b/step", "root/a/step", "root"]
