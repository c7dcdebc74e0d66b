# SPDX-License-Identifier: Apache-2.0
"""clear_session, get_uid and registered session state (context-local, reset everywhere)."""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import types

import pytest

import cornu_config as cc


def test_uids_restart_after_clear_session():  # T-CS-01
    cc.clear_session(free_memory=False)
    assert [cc.get_uid("dense") for _ in range(3)] == [1, 2, 3]
    assert cc.get_uid("conv") == 1
    cc.clear_session(free_memory=False)
    assert cc.get_uid("dense") == 1


def test_clear_session_changes_no_setting():  # T-CS-02 / T-CS-03, as DESIGN decides
    cc.disable_traceback_filtering()
    cc.disable_interactive_logging()
    cc.disable_flash_attention()
    cc.set_floatx("float64")
    cc.set_max_epochs(3)
    assert cc.clear_session() is None
    assert cc.is_traceback_filtering_enabled() is False
    assert cc.is_interactive_logging_enabled() is False
    assert cc.is_flash_attention_enabled() is False
    assert (cc.floatx(), cc.max_epochs()) == ("float64", 3)


def test_free_memory_controls_gc(monkeypatch):  # T-CS-05
    calls = []
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append(a) or 0)
    assert cc.clear_session(free_memory=False) is None
    assert calls == []
    cc.clear_session()
    assert len(calls) == 1


def test_session_state_is_context_local_per_thread():
    state = cc.register_session_state("test.stack", tuple)
    state.set(("main",))
    seen = []
    t = threading.Thread(target=lambda: seen.append(state.get()))
    t.start()
    t.join()
    assert seen == [()]
    assert state.get() == ("main",)


def test_session_state_is_context_local_per_asyncio_task():
    state = cc.register_session_state("test.task_stack", tuple)

    async def task(name):
        state.set((name,))
        await asyncio.sleep(0.01)
        return state.get()

    async def main():
        return await asyncio.gather(task("a"), task("b"))

    assert asyncio.run(main()) == [("a",), ("b",)]


def test_clear_session_resets_state_in_every_thread():
    state = cc.register_session_state("test.threads", lambda: "default")
    ready, cleared, done = threading.Event(), threading.Event(), []

    def worker():
        state.set("set in worker")
        ready.set()
        cleared.wait(5)
        done.append(state.get())

    t = threading.Thread(target=worker)
    t.start()
    ready.wait(5)
    cc.clear_session(free_memory=False)
    cleared.set()
    t.join()
    assert done == ["default"]


def test_token_reset_after_clear_session_is_safe():  # reference §3: scopes tolerate it
    state = cc.register_session_state("test.tokens", tuple)
    outer = state.set(("a",))
    inner = state.set(("a", "b"))
    cc.clear_session(free_memory=False)
    assert state.get() == ()
    state.reset(inner)
    assert state.get() == ()  # the outer value belongs to the cleared session
    state.reset(outer)
    assert state.get() == ()


def test_register_returns_the_same_state_and_runs_callbacks():
    first = cc.register_session_state("test.same", list)
    assert cc.register_session_state("test.same", list) is first
    calls = []
    assert cc.register_session_state("test.cb", on_clear=lambda: calls.append(1)) is None
    cc.clear_session(free_memory=False)
    assert calls == [1]


@pytest.mark.parametrize(
    ("args", "kwargs", "pattern"),
    [
        (("",), {"default_factory": list}, r"`name` must be a non-empty string. Received: name=''"),
        ((3,), {"default_factory": list}, r"Received: name=3"),
        (("x",), {}, r"Pass `default_factory`"),
        (("x",), {"default_factory": 5}, r"`default_factory` must be callable.*Received: default_factory=5"),
        (("x",), {"on_clear": "no"}, r"`on_clear` must be callable"),
    ],
)
def test_register_rejects_bad_arguments(args, kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        cc.register_session_state(*args, **kwargs)


def test_clear_session_clears_caches_of_imported_frameworks_only(monkeypatch):
    calls = []
    fake_jax = types.ModuleType("jax")
    fake_jax.clear_caches = lambda: calls.append("jax")
    monkeypatch.setitem(sys.modules, "jax", fake_jax)
    for name in ("torch", "torch._dynamo", "keras", "tensorflow"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    cc.clear_session(free_memory=False)
    assert calls == ["jax"]
    assert "torch" not in sys.modules


def test_clear_session_resets_torch_dynamo_when_loaded(monkeypatch):
    pytest.importorskip("torch")
    dynamo = pytest.importorskip("torch._dynamo")
    calls = []
    monkeypatch.setattr(dynamo, "reset", lambda: calls.append("reset"))
    cc.clear_session(free_memory=False)
    # once by cornu; a loaded Keras on the torch backend resets dynamo in its own clear_session too
    keras = sys.modules.get("keras")
    keras_on_torch = keras is not None and keras.backend.backend() == "torch"
    assert calls == ["reset"] * (2 if keras_on_torch else 1)
