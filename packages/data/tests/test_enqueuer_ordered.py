# SPDX-License-Identifier: Apache-2.0
"""OrderedEnqueuer: order, shuffle, persistence, seeding, hooks, context (reference §17)."""

from __future__ import annotations

import random
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import cornu_data_testsets as sets

from cornu_data import OrderedEnqueuer

# Worker processes are forked here (fast); spawn and forkserver have their own tests.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Forking worker processes:RuntimeWarning"),
    pytest.mark.filterwarnings(r"ignore:os.fork\(\) was called:RuntimeWarning"),  # JAX's, when loaded
]
MODES = [pytest.param(False, id="threads"), pytest.param(True, id="processes")]


def enqueuer(ds, mp, **kwargs):
    if mp:
        kwargs.setdefault("start_method", "fork")
    return OrderedEnqueuer(ds, use_multiprocessing=mp, **kwargs)


def epoch(enq, e=None):
    enq.start(e)
    return list(enq.get())


@pytest.mark.parametrize("mp", MODES)
def test_order_is_kept_whatever_the_worker_timing(mp):
    with enqueuer(sets.Indexed(n=12, delay=0.02), mp, workers=3, max_queue_size=4) as enq:
        batches = epoch(enq)
    assert [i for _, i in batches] == list(range(12))
    assert all(float(x[0, 0]) == i for x, i in batches)


@pytest.mark.parametrize("mp", MODES)
def test_restart_after_stop_serves_the_epoch_again(mp):
    enq = enqueuer(sets.Indexed(n=6, delay=0.01), mp, workers=3)
    assert [i for _, i in epoch(enq)] == list(range(6))
    enq.stop()
    assert not enq.is_running()
    assert [i for _, i in epoch(enq)] == list(range(6))
    enq.stop()


def test_is_running_and_get_outside_an_epoch():
    enq = OrderedEnqueuer(sets.Indexed(n=2), workers=2)
    assert not enq.is_running()
    with pytest.raises(ValueError, match="before `on_epoch_begin`"):
        next(enq.get())
    enq.start()
    assert enq.is_running()
    enq.stop()
    assert not enq.is_running()
    with pytest.raises(ValueError, match="after `on_epoch_end`"):
        next(enq.get())


def test_shuffle_is_a_permutation_reproducible_from_the_epoch():
    n = 40
    with OrderedEnqueuer(sets.Indexed(n=n), workers=2, shuffle=True) as enq:
        first = [i for _, i in epoch(enq, 3)]
        again = [i for _, i in epoch(enq, 3)]
        other = [i for _, i in epoch(enq, 4)]
    expected = list(range(n))
    random.Random(3).shuffle(expected)
    assert first == again == expected
    assert sorted(other) == list(range(n))
    assert other != first


def test_shuffle_with_a_seed_depends_on_the_seed():
    orders = []
    for seed in (1, 1, 2):
        with OrderedEnqueuer(sets.Indexed(n=30), workers=2, shuffle=True, seed=seed) as enq:
            orders.append([i for _, i in epoch(enq, 0)])
    assert orders[0] == orders[1] != orders[2]


@pytest.mark.parametrize("mp", MODES)
def test_workers_persist_across_epochs(mp):
    with enqueuer(sets.Who(n=8), mp, workers=2) as enq:
        first = epoch(enq)
        second = epoch(enq)
    key = "pid" if mp else "thread"
    assert {b[key] for b in first} == {b[key] for b in second}
    assert len({b[key] for b in first + second}) == 2
    if mp:
        assert all(b["pid"] != __import__("os").getpid() for b in first)


@pytest.mark.parametrize("mp", MODES)
def test_on_epoch_end_changes_reach_the_workers(mp):
    ds = sets.Indexed(n=10, factor=5)
    with enqueuer(ds, mp, workers=2) as enq:
        first = epoch(enq)
        ds.on_epoch_end()
        second = epoch(enq)
    assert [float(x[0, 0]) for x, _ in first] == list(range(10))
    assert [float(x[0, 0]) for x, _ in second] == [5.0 * i for i in range(10)]


@pytest.mark.parametrize("mp", MODES)
def test_a_length_change_in_on_epoch_end_is_honoured(mp):
    ds = sets.Shrinking(n=8)
    with enqueuer(ds, mp, workers=2) as enq:
        first = epoch(enq)
        ds.on_epoch_end()
        second = epoch(enq)
    assert first == list(range(8))
    assert second == list(range(4))


def test_process_workers_seed_per_worker_and_epoch():
    with enqueuer(sets.Who(n=12), True, workers=3, seed=7) as enq:
        epochs = [epoch(enq) for _ in range(2)]
    for e, batches in enumerate(epochs):
        assert {b["epoch"] for b in batches} == {e}
        by_worker = {}
        for b in batches:
            by_worker.setdefault(b["worker"], []).append(b)
        seeds = {w: {b["seed"] for b in bs} for w, bs in by_worker.items()}
        assert all(len(s) == 1 for s in seeds.values())
        assert len({s.pop() for s in seeds.values()}) == len(by_worker)  # one seed per worker
        firsts = [bs[0] for bs in by_worker.values()]
        # Each worker's first draw of the epoch comes from its own seed: no repeats across workers.
        assert len({b["random"] for b in firsts}) == len(firsts)
        assert len({b["numpy"] for b in firsts}) == len(firsts)
        for b in firsts:
            assert b["random"] == random.Random(b["seed"]).random()
            assert b["numpy"] == np.random.RandomState(b["seed"] % 2**32).rand()
    assert {b["seed"] for b in epochs[0]}.isdisjoint({b["seed"] for b in epochs[1]})


def test_same_seed_gives_the_same_worker_seeds():
    seeds = []
    for _ in range(2):
        with enqueuer(sets.Who(n=4), True, workers=2, seed=11) as enq:
            seeds.append(sorted({(b["worker"], b["seed"]) for b in epoch(enq)}))
    assert seeds[0] == seeds[1]


def test_process_workers_seed_torch():
    torch = pytest.importorskip("torch")
    with enqueuer(sets.TorchDraw(), True, workers=2, seed=3) as enq:
        batches = epoch(enq)
    firsts = {}
    for b in batches:
        firsts.setdefault(b["worker"], b)
    assert len(firsts) == 2
    for b in firsts.values():
        expected = float(torch.rand(1, generator=torch.Generator().manual_seed(b["seed"])))
        assert b["draw"] == pytest.approx(expected)
    assert len({b["draw"] for b in firsts.values()}) == 2


_LAZY_TORCH = """
import json, sys
sys.path.insert(0, {here!r})
import cornu_data_testsets as sets
from cornu_data import OrderedEnqueuer
assert "torch" not in sys.modules
with OrderedEnqueuer(sets.TorchDraw(), workers=1, use_multiprocessing=True, start_method="fork", seed=1) as enq:
    for _ in range(2):
        enq.start()
        print(json.dumps(list(enq.get())[0]))
"""


@pytest.mark.slow
def test_torch_imported_inside_getitem_is_seeded_at_import(tmp_path):
    """The worker imports torch in its first task; that import is seeded from the epoch seed."""
    torch = pytest.importorskip("torch")
    import json
    import subprocess

    code = _LAZY_TORCH.format(here=str(Path(__file__).parent))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    firsts = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(firsts) == 2
    assert firsts[0]["seed"] != firsts[1]["seed"]
    for b in firsts:
        expected = float(torch.rand(1, generator=torch.Generator().manual_seed(b["seed"])))
        assert b["draw"] == pytest.approx(expected, abs=1e-7)


def test_thread_workers_run_in_a_copy_of_the_callers_context():
    token = sets.SCOPE.set("outer scope")
    try:
        with OrderedEnqueuer(sets.Who(n=6), workers=3) as enq:
            batches = epoch(enq)
    finally:
        sets.SCOPE.reset(token)
    assert {b["scope"] for b in batches} == {"outer scope"}
    assert all(b["thread"] != threading.get_ident() for b in batches)
    assert {b["worker"] for b in batches} <= {0, 1, 2}


def test_thread_context_follows_the_scope_of_each_epoch():
    with OrderedEnqueuer(sets.Who(n=4), workers=2) as enq:
        token = sets.SCOPE.set("epoch 0")
        first = epoch(enq)
        sets.SCOPE.reset(token)
        second = epoch(enq)
    assert {b["scope"] for b in first} == {"epoch 0"}
    assert {b["scope"] for b in second} == {"none"}


@pytest.mark.parametrize("mp", MODES)
def test_none_batches_are_skipped(mp):
    with enqueuer(sets.NoneEvery(), mp, workers=2) as enq:
        assert epoch(enq) == [0, 1, 3, 4, 6, 7]


@pytest.mark.parametrize("mp", MODES)
def test_infinite_dataset_resumes_where_it_stopped(mp):
    with enqueuer(sets.Infinite(), mp, workers=2, max_queue_size=3) as enq:
        enq.start()
        stream = enq.get()
        first = [int(next(stream)[0]) for _ in range(5)]
        enq.start(1)
        stream = enq.get()
        second = [int(next(stream)[0]) for _ in range(5)]
    assert first == [0, 1, 2, 3, 4]
    assert second == [5, 6, 7, 8, 9]


def test_start_is_ignored_while_the_epoch_is_served():
    with OrderedEnqueuer(sets.Indexed(n=6), workers=2) as enq:
        enq.start()
        stream = enq.get()
        head = [next(stream)[1] for _ in range(2)]
        enq.start()  # same epoch still running: ignored, as in Keras
        rest = [i for _, i in stream]
    assert head + rest == list(range(6))


def test_a_new_epoch_drops_the_rest_of_an_unfinished_one():
    with OrderedEnqueuer(sets.Indexed(n=8, delay=0.01), workers=2) as enq:
        enq.start(0)
        stream = enq.get()
        assert [next(stream)[1] for _ in range(3)] == [0, 1, 2]
        assert [i for _, i in epoch(enq, 1)] == list(range(8))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"workers": 0}, "workers"), ({"max_queue_size": 0}, "max_queue_size"), ({"timeout": -1}, "timeout"),
     ({"seed": "x"}, "seed"), ({"start_method": "teleport", "use_multiprocessing": True}, "start_method")],
)
def test_bad_arguments_name_themselves(kwargs, name):
    with pytest.raises(ValueError, match=f"Received: {name}="):
        OrderedEnqueuer(sets.Indexed(), **kwargs)


@pytest.fixture
def no_global_start_method(monkeypatch):
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False: None)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["fork", "spawn", "forkserver"])


def test_fork_is_avoided_once_a_threaded_framework_is_loaded(monkeypatch, no_global_start_method):
    import types

    monkeypatch.delitem(sys.modules, "jax", raising=False)
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    assert OrderedEnqueuer(sets.Indexed(), use_multiprocessing=True).start_method == "fork"
    monkeypatch.setitem(sys.modules, "jax", types.ModuleType("jax"))
    assert OrderedEnqueuer(sets.Indexed(), use_multiprocessing=True).start_method == "forkserver"
    with pytest.warns(RuntimeWarning, match=r"after jax.*fork was chosen explicitly"):
        chosen = OrderedEnqueuer(sets.Indexed(), use_multiprocessing=True, start_method="fork")
    assert chosen.start_method == "fork"


def test_a_global_start_method_is_respected_unless_it_is_fork(monkeypatch):
    import multiprocessing
    import types

    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False: "spawn")
    assert OrderedEnqueuer(sets.Indexed(), use_multiprocessing=True).start_method == "spawn"
    assert OrderedEnqueuer(sets.Indexed(), use_multiprocessing=False).start_method is None
    # fork gets fixed silently by any use of multiprocessing's default context: not a choice
    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False: "fork")
    monkeypatch.setitem(sys.modules, "jax", types.ModuleType("jax"))
    assert OrderedEnqueuer(sets.Indexed(), use_multiprocessing=True).start_method == "forkserver"


def test_a_dataset_with_only_len_and_getitem_works():
    # The docstring promises `num_batches` or `len`; an object with just `__len__` used to raise
    # AttributeError.
    from cornu_data import OrderedEnqueuer

    class Batches:
        def __len__(self):
            return 3

        def __getitem__(self, index):
            return index * 10

    enqueuer = OrderedEnqueuer(Batches(), workers=2)
    enqueuer.start()
    try:
        assert list(enqueuer.get()) == [0, 10, 20]
    finally:
        enqueuer.stop()
