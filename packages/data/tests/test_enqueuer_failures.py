# SPDX-License-Identifier: Apache-2.0
"""Worker failures never hang, and stop() leaves no process, thread or shared memory behind."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import cornu_data_testsets as sets  # noqa: E402

from cornu_data import OrderedEnqueuer, WorkerError, WorkerTimeoutError  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore:Forking worker processes:RuntimeWarning"),
    pytest.mark.filterwarnings(r"ignore:os.fork\(\) was called:RuntimeWarning"),  # JAX's, when loaded
]
MODES = [pytest.param(False, id="threads"), pytest.param(True, id="processes")]


def shm_entries():
    return {e for e in os.listdir("/dev/shm") if e.startswith("cnd")} if os.path.isdir("/dev/shm") else set()


@pytest.fixture
def leak_check():
    """Fails the test if it leaves worker processes, threads or segments behind."""
    before_shm = shm_entries()
    before_threads = {t.ident for t in threading.enumerate()}
    yield
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and (multiprocessing.active_children() or shm_entries() - before_shm):
        time.sleep(0.05)
    assert multiprocessing.active_children() == []
    assert shm_entries() - before_shm == set()
    workers = [t for t in threading.enumerate() if t.ident not in before_threads and t.name.startswith("cornu-data")]
    assert workers == []


def make(ds, mp, **kwargs):
    if mp:
        kwargs.setdefault("start_method", "fork")
    return OrderedEnqueuer(ds, use_multiprocessing=mp, **kwargs)


@pytest.mark.parametrize("mp", MODES)
def test_worker_exception_keeps_its_type_after_earlier_batches(mp, leak_check):
    enq = make(sets.FailsAt(bad=2), mp, workers=2)
    enq.start()
    got = []
    with pytest.raises(IndexError, match="no batch 2 here") as info:
        for batch in enq.get():
            got.append(batch)
    assert [int(b[0]) for b in got] == [0, 1]
    assert not enq.is_running()
    if mp:  # the worker's traceback text travels as the cause
        cause = info.value.__cause__
        assert "worker process" in str(cause)
        assert "__getitem__" in str(cause)
        assert "raise IndexError" in str(cause)
    else:  # a thread re-raises the very object, with its own frames
        assert any(f.name == "__getitem__" for f in __import__("traceback").extract_tb(info.value.__traceback__))


def test_unpicklable_exception_becomes_a_worker_error_naming_it(leak_check):
    enq = make(sets.FailsAt(bad=0, kind="unpicklable"), True, workers=1)
    enq.start()
    with pytest.raises(WorkerError, match="Unpicklable: batch 0: needs two arguments"):
        list(enq.get())


@pytest.mark.parametrize(("kind", "how"), [("kill", "killed by SIGKILL"), ("exit", "exited with code 3")])
def test_a_dead_worker_process_is_an_error_not_a_hang(kind, how, leak_check):
    enq = make(sets.FailsAt(bad=3, kind=kind), True, workers=2, timeout=30)
    enq.start()
    start = time.monotonic()
    with pytest.raises(WorkerError, match=how) as info:
        list(enq.get())
    assert "batch 3" in str(info.value)
    assert time.monotonic() - start < 10
    assert not enq.is_running()


def test_a_hung_process_worker_times_out_and_is_killed(leak_check):
    enq = make(sets.FailsAt(bad=1, kind="hang"), True, workers=2, timeout=0.5)
    enq.start()
    start = time.monotonic()
    with pytest.raises(WorkerTimeoutError, match=r"more than 0.5 s on batch 1.*Received: timeout=0.5"):
        list(enq.get())
    assert time.monotonic() - start < 10
    assert isinstance(WorkerTimeoutError("x"), TimeoutError)


def test_a_hung_thread_worker_times_out():
    ds = sets.Indexed(n=2, delay=1.0)  # batch 0 sleeps 0.84 s
    enq = make(ds, False, workers=1, timeout=0.2)
    enq.start()
    start = time.monotonic()
    with (
        pytest.warns(RuntimeWarning, match="still inside `__getitem__`"),
        pytest.raises(WorkerTimeoutError, match="worker thread 0"),
    ):
        list(enq.get())
    assert time.monotonic() - start < 0.8


@pytest.mark.parametrize("mp", MODES)
def test_stop_leaves_nothing_behind(mp, leak_check):
    enq = make(sets.Structured(), mp, workers=2)
    for _ in range(2):
        enq.start()
        assert len(list(enq.get())) == 3
    if mp:
        assert len(multiprocessing.active_children()) == 2
        assert shm_entries()
    enq.stop()
    enq.stop()  # twice is fine


def test_stop_in_the_middle_of_an_epoch(leak_check):
    enq = make(sets.Indexed(n=50, delay=0.02), True, workers=2)
    enq.start()
    stream = enq.get()
    next(stream)
    enq.stop()
    with pytest.raises(ValueError):
        next(enq.get())


def test_a_forgotten_enqueuer_is_cleaned_up_when_collected(leak_check):
    enq = make(sets.Indexed(n=4), True, workers=2)
    enq.start()
    list(enq.get())
    del enq
    import gc

    gc.collect()


@pytest.mark.parametrize("mp", MODES)
def test_batches_keep_structure_dtypes_and_values(mp, leak_check):
    ds = sets.Structured()
    with make(ds, mp, workers=1, max_queue_size=1) as enq:
        enq.start()
        got = list(enq.get())
    for i, batch in enumerate(got):
        want = ds[i]
        assert batch.keys() == want.keys()
        np.testing.assert_array_equal(batch["x"], want["x"])
        assert batch["x"].dtype == np.float64
        assert batch["pair"][0].dtype == bool
        assert batch["pair"][1].shape == (0, 2)
        assert batch["pair"][1].dtype == np.int16
        np.testing.assert_array_equal(batch["big"], want["big"])
        assert batch["name"] == f"batch-{i}"
        assert batch["strings"].tolist() == ["a", "bc"]
        assert batch["big"].flags.owndata or batch["big"].base is not None


def test_process_batches_are_private_copies(leak_check):
    """A batch kept by the consumer is not overwritten when its slot is reused."""
    with make(sets.Indexed(n=12, rows=1000), True, workers=1, max_queue_size=1) as enq:
        enq.start()
        kept = list(enq.get())
    assert [float(x[0, 0]) for x, _ in kept] == list(range(12))
    assert all(float(x[-1, -1]) == i for x, i in kept)


def test_slots_are_reused_once_the_consumer_drops_batches(leak_check):
    """Zero-copy batches hold their slot; dropping them gives it back, so segments stay few."""
    before = shm_entries()
    seen = set()
    with make(sets.Indexed(n=30, rows=500), True, workers=1, max_queue_size=2) as enq:
        enq.start()
        for x, i in enq.get():
            assert float(x[-1, -1]) == i
            seen |= shm_entries() - before
            del x
    assert 1 <= len(seen) <= 3  # max_queue_size + 1 slots, never one per batch


def test_unpicklable_dataset_under_spawn_is_a_clear_error():
    ds = sets.Indexed(n=2)
    ds.lock = threading.Lock()
    with pytest.raises(TypeError, match=r"picklable dataset.*Received: Indexed object"):
        OrderedEnqueuer(ds, workers=1, use_multiprocessing=True, start_method="spawn").start()


def test_a_class_workers_cannot_import_says_where_it_must_live(tmp_path):
    # Like a class in a test file or notebook cell loaded under a name no worker can import.
    import importlib.util

    (tmp_path / "ghost_sets.py").write_text(
        "from cornu_data import PyDataset\n"
        "class Ghost(PyDataset):\n"
        "    def __len__(self): return 2\n"
        "    def __getitem__(self, i): return [i]\n"
    )
    spec = importlib.util.spec_from_file_location("ghost_sets", tmp_path / "ghost_sets.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["ghost_sets"] = module  # importable here only: the folder is not on sys.path
    try:
        spec.loader.exec_module(module)
        enq = OrderedEnqueuer(module.Ghost(), workers=1, use_multiprocessing=True, start_method="spawn")
        enq.start()
        try:
            with pytest.raises(ModuleNotFoundError) as info:
                list(enq.get())
        finally:
            enq.stop()
    finally:
        del sys.modules["ghost_sets"]
    notes = "".join(getattr(info.value, "__notes__", []))
    if sys.version_info >= (3, 11):
        assert "started with 'spawn' import the dataset's class ghost_sets.Ghost" in notes
        assert "use_multiprocessing=False" in notes


_CHILD = """
import os, sys, time
sys.path.insert(0, {here!r})
import multiprocessing
import cornu_data_testsets as sets
from cornu_data import OrderedEnqueuer

def main():
    ds = sets.Indexed(n=6, factor=5)
    enq = OrderedEnqueuer(ds, workers=2, use_multiprocessing=True, start_method={method!r}, seed=5)
    enq.start()
    first = [int(x[0, 0]) for x, _ in enq.get()]
    ds.on_epoch_end()
    enq.start()
    second = [int(x[0, 0]) for x, _ in enq.get()]
    pids = {{p.pid for p in multiprocessing.active_children()}}
    assert first == [0, 1, 2, 3, 4, 5], first
    assert second == [0, 5, 10, 15, 20, 25], second
    enq.stop()
    left = [e for e in os.listdir("/dev/shm") if e.startswith("cnd")] if os.path.isdir("/dev/shm") else []
    assert left == [], left
    print("ok", len(pids))

if __name__ == "__main__":
    main()
"""


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_spawn_and_forkserver_workers(method, tmp_path):
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available here")
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(_CHILD.format(here=str(HERE), method=method)))
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().startswith("ok")


_ORPHAN = """
import os, sys, time
sys.path.insert(0, {here!r})
import cornu_data_testsets as sets
from cornu_data import OrderedEnqueuer
enq = OrderedEnqueuer(sets.Indexed(n=4), workers=2, use_multiprocessing=True, start_method="fork")
enq.start()
list(enq.get())
import multiprocessing
print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads process states from /proc")
def test_workers_exit_when_the_consumer_is_killed(tmp_path):
    import signal

    script = tmp_path / "orphan.py"
    script.write_text(textwrap.dedent(_ORPHAN.format(here=str(HERE))))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) == 2
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()

    def alive(pid):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        # a zombie waiting for its (new) parent to reap it has exited too
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().split(")")[-1].split()[0] != "Z"
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.1)
    assert not any(alive(p) for p in pids)
