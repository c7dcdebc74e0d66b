# SPDX-License-Identifier: Apache-2.0
"""Persistent worker threads that run ``__getitem__`` / ``next`` for a loader.

This pool and the process pool (:mod:`cornu_data._processes`) speak the same small protocol with the scheduler (``_scheduler.Scheduler``):

- to a worker: ``("epoch", epoch, seed, extra)``, ``("get", seq, index, slot)``,
  ``("next", seq, slot)`` and ``None`` (exit);
- from a worker: ``("ok", seq, payload)``, ``("err", seq, exception)`` and ``("end", seq)``
  (the worker's iterator is exhausted).

Threads hand batches over as objects, each thread running its tasks in a copy of the
context of the epoch's :meth:`ThreadPool.start_epoch` caller (device and name scopes hold).
"""

from __future__ import annotations

import contextvars
import queue
import threading
from typing import Any

from cornu_data._seeding import WorkerInfo, set_worker_info

__all__ = ["ThreadPool", "run_task"]


def run_task(source: Any, iterator_box: list[Any], msg: tuple[Any, ...]) -> tuple[Any, ...]:
    """Run one task on ``source``; returns the reply without its payload encoding."""
    if msg[0] == "get":
        return ("ok", msg[1], source[msg[2]])
    if not iterator_box:
        iterator_box.append(iter(source))
    try:
        return ("ok", msg[1], next(iterator_box[0]))
    except StopIteration:
        return ("end", msg[1])


class ThreadPool:
    """``workers`` daemon threads sharing ``source``; each runs tasks in its epoch's context."""

    kind = "thread"

    def __init__(self, source: Any, workers: int, name: str) -> None:
        self.workers = workers
        self._results: queue.SimpleQueue[tuple[int, tuple[Any, ...]]] = queue.SimpleQueue()
        self._tasks: list[queue.SimpleQueue[Any]] = [queue.SimpleQueue() for _ in range(workers)]
        self._shared_iterator: list[Any] = []
        self._iter_lock = threading.Lock()
        self._source = source
        self._threads = [
            threading.Thread(target=self._loop, args=(w,), name=f"{name}-{w}", daemon=True) for w in range(workers)
        ]
        for t in self._threads:
            t.start()

    def _loop(self, w: int) -> None:
        context: contextvars.Context | None = None
        while True:
            msg = self._tasks[w].get()
            if msg is None:
                return
            if msg[0] == "epoch":
                _, epoch, seed, context = msg
                set_worker_info(WorkerInfo(w, self.workers, seed, epoch), thread=True)
                continue
            try:
                if not self._shared_iterator and msg[0] == "next":
                    with self._iter_lock:
                        if not self._shared_iterator:
                            self._shared_iterator.append(iter(self._source))
                run = context.run if context is not None else _call
                reply = run(run_task, self._source, self._shared_iterator, msg)
            except BaseException as e:
                reply = ("err", msg[1], e)
            self._results.put((w, reply))

    def start_epoch(self, epoch: int, seeds: list[int], extra: Any = None) -> None:
        for w in range(self.workers):
            self._tasks[w].put(("epoch", epoch, seeds[w], contextvars.copy_context()))

    def send(self, w: int, msg: tuple[Any, ...]) -> None:
        self._tasks[w].put(msg)

    def poll(self, timeout: float) -> list[tuple[int, tuple[Any, ...]]]:
        out = []
        try:
            out.append(self._results.get(timeout=timeout))
            while True:
                out.append(self._results.get_nowait())
        except queue.Empty:
            pass
        return out

    def decode(self, w: int, slot: int, payload: Any, release: Any) -> Any:
        release()  # threads hand over the object itself: no slot to hold
        return payload

    def describe(self, w: int) -> str:
        return f"worker thread {w} ({self._threads[w].name})"

    def close(self, timeout: float = 5.0) -> list[str]:
        """Ask every thread to exit and join them; returns the names still alive (hung)."""
        for q in self._tasks:
            q.put(None)
        import time

        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        return [t.name for t in self._threads if t.is_alive()]


def _call(fn: Any, *args: Any) -> Any:
    return fn(*args)
