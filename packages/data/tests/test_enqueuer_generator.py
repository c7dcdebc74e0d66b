# SPDX-License-Identifier: Apache-2.0
"""GeneratorEnqueuer: Keras 2 behaviour (reference §17a, T-ENQ-08 … 10)."""

from __future__ import annotations

import functools
import multiprocessing
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import cornu_data_testsets as sets

from cornu_data import GeneratorEnqueuer

pytestmark = [
    pytest.mark.filterwarnings("ignore:Forking worker processes:RuntimeWarning"),
    pytest.mark.filterwarnings(r"ignore:os.fork\(\) was called:RuntimeWarning"),  # JAX's, when loaded
]


def test_finite_generator_yields_every_item_then_ends():
    enq = GeneratorEnqueuer(sets.counting_generator(6))
    enq.start(workers=1, max_queue_size=3)
    assert sorted(enq.get()) == list(range(6))
    assert not enq.is_running()
    assert list(enq.get()) == []  # nothing after the end, as after stop()


def test_is_running_lifecycle():
    enq = GeneratorEnqueuer(sets.counting_generator(100))
    assert not enq.is_running()
    enq.start(workers=2, max_queue_size=4)
    assert enq.is_running()
    enq.stop()
    assert not enq.is_running()
    assert list(enq.get()) == []


def test_plain_generator_shared_by_threads_is_reported_thread_unsafe():
    enq = GeneratorEnqueuer(sets.slow_generator(200))
    enq.start(workers=3, max_queue_size=10)
    with pytest.raises(RuntimeError, match="thread-safe"):
        list(enq.get())
    assert not enq.is_running()


class LockedIterator:
    def __init__(self, n):
        self._it = iter(range(n))
        self._lock = threading.Lock()

    def __iter__(self):
        return self

    def __next__(self):
        with self._lock:
            return next(self._it)


def test_thread_safe_iterator_with_several_threads():
    enq = GeneratorEnqueuer(LockedIterator(40))
    enq.start(workers=3, max_queue_size=5)
    assert sorted(enq.get()) == list(range(40))


def test_generator_exception_keeps_its_type():
    def broken():
        yield 1
        raise KeyError("gone")

    enq = GeneratorEnqueuer(broken())
    enq.start(workers=1)
    with pytest.raises(KeyError, match="gone"):
        list(enq.get())
    assert not enq.is_running()


def test_wait_time_is_deprecated():
    with pytest.warns(DeprecationWarning, match="`wait_time` is not used anymore."):
        GeneratorEnqueuer(sets.counting_generator(), wait_time=0.1)


def test_processes_fork_each_iterate_their_own_copy():
    enq = GeneratorEnqueuer(sets.counting_generator(5), use_multiprocessing=True, start_method="fork")
    with pytest.warns(UserWarning, match="duplicate your data"):
        enq.start(workers=2, max_queue_size=4)
    items = sorted(enq.get())
    assert items == sorted(list(range(5)) * 2)
    assert multiprocessing.active_children() == []


def test_processes_with_a_factory_under_spawn_semantics():
    enq = GeneratorEnqueuer(functools.partial(sets.counting_generator, 4), use_multiprocessing=True,
                            start_method="fork")
    enq.start(workers=1)
    assert sorted(enq.get()) == [0, 1, 2, 3]


def test_generator_object_cannot_go_to_spawned_workers():
    enq = GeneratorEnqueuer(sets.counting_generator(3), use_multiprocessing=True, start_method="spawn")
    with pytest.raises(TypeError, match="picklable function"):
        enq.start(workers=1)


def test_bad_generator_argument():
    with pytest.raises(ValueError, match="Received: generator=3"):
        GeneratorEnqueuer(3)
