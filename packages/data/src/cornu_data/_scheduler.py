# SPDX-License-Identifier: Apache-2.0
"""Hand tasks to a worker pool and collect results: in order, bounded, with a watchdog.

The scheduler keeps at most ``capacity`` batches of the current stream in flight (sent to a
worker, or done and waiting for their turn), gives each task to the least busy worker that has
a free shared-memory slot, and delivers results in submission order (``ordered=True``) or as
they arrive. A worker busy on one task for longer than ``timeout`` seconds raises
:class:`WorkerTimeoutError`; a dead worker process raises :class:`WorkerError` from the pool.
Starting a new stream with ``keep=False`` drops the rest of the previous one: its results are
discarded when they arrive, so they never leak into the next epoch.
"""

from __future__ import annotations

import functools
import time
from collections import deque
from collections.abc import Iterator
from typing import Any

from cornu_data._errors import WorkerError, WorkerTimeoutError

__all__ = ["Scheduler"]

_MAX_WAIT = 0.5


class Scheduler:
    """Ordered or unordered delivery of ``("get", index)`` or ``("next",)`` tasks."""

    def __init__(self, pool: Any, capacity: int, timeout: float | None, *, ordered: bool = True,
                 shared_source: bool = False) -> None:
        self.pool = pool
        self.capacity = max(1, capacity)
        self.timeout = timeout
        self.ordered = ordered
        self.shared_source = shared_source
        workers = pool.workers
        per_worker = -(-self.capacity // workers) + 1
        # Shared-memory slots: a slot is busy from dispatch until the consumer has dropped the
        # batch it carried (``_released`` collects those, from any thread). A worker whose
        # slots are all held by the consumer gets a new one rather than stalling.
        self._free = [list(range(per_worker)) for _ in range(workers)]
        self._slots = [per_worker] * workers
        self._released: deque[tuple[int, int]] = deque()
        self._queued: list[deque[int]] = [deque() for _ in range(workers)]
        self._busy_since = [0.0] * workers
        self._tasks: dict[int, tuple[int, int, Any]] = {}
        self._done: dict[int, tuple[str, Any]] = {}
        self._arrived: deque[int] = deque()
        self._exhausted: set[int] = set()
        self._next_seq = 0
        self._first = 0
        self._expect = 0
        self._in_flight = 0
        self._stream: Iterator[Any] = iter(())
        self._stream_done = True

    def begin(self, stream: Iterator[Any] | None = None, *, keep: bool = False) -> None:
        """Start delivering ``stream`` (indices; ``None`` for ``next`` tasks)."""
        if not keep:
            self._done.clear()
            self._arrived.clear()
            self._first = self._expect = self._next_seq
            self._in_flight = 0
            self._exhausted.clear()
        self._stream = stream if stream is not None else iter(())
        self._stream_done = False

    @property
    def finished(self) -> bool:
        """Whether every task of the current stream was delivered."""
        return self._stream_done and self._in_flight == 0

    def _pick_worker(self) -> int | None:
        while self._released:
            w, slot = self._released.popleft()
            self._free[w].append(slot)
        best = None
        for w in range(len(self._free)):
            if w not in self._exhausted and (best is None or len(self._queued[w]) < len(self._queued[best])):
                best = w
        if best is not None and not self._free[best]:
            self._free[best].append(self._slots[best])
            self._slots[best] += 1
        return best

    def _dispatch(self) -> None:
        while not self._stream_done and self._in_flight < self.capacity:
            w = self._pick_worker()
            if w is None:
                return
            seq = self._next_seq
            if self.ordered:
                try:
                    index = next(self._stream)
                except StopIteration:
                    self._stream_done = True
                    return
            else:
                index = None
            slot = self._free[w].pop()
            self._tasks[seq] = (w, slot, index)
            if not self._queued[w]:
                self._busy_since[w] = time.monotonic()
            self._queued[w].append(seq)
            self._next_seq += 1
            self._in_flight += 1
            self.pool.send(w, ("get", seq, index, slot) if self.ordered else ("next", seq, slot))

    def _receive(self, w: int, reply: tuple[Any, ...]) -> None:
        kind, seq = reply[0], reply[1]
        queued = self._queued[w]
        if queued and queued[0] == seq:
            queued.popleft()
        elif seq in queued:  # pragma: no cover - workers answer in order
            queued.remove(seq)
        self._busy_since[w] = time.monotonic()
        _, slot, _ = self._tasks.pop(seq)
        value: Any = reply[2] if len(reply) > 2 else None
        if kind != "ok" or seq < self._first:  # nothing to deliver: the slot is free again
            self._free[w].append(slot)
            if seq < self._first:
                return  # a task of an abandoned stream
        else:
            try:
                value = self.pool.decode(w, slot, value, functools.partial(self._released.append, (w, slot)))
            except Exception as e:
                kind, value = "err", e
        if kind == "end":
            self._in_flight -= 1
            self._exhausted.add(w)
            if self.shared_source or len(self._exhausted) == len(self._free):
                self._stream_done = True
            return
        self._done[seq] = (kind, value)
        self._arrived.append(seq)

    def _pop_ready(self) -> tuple[str, Any] | None:
        if self.ordered:
            item = self._done.pop(self._expect, None)
            if item is not None:
                self._expect += 1
        else:
            item = self._done.pop(self._arrived.popleft()) if self._arrived else None
        if item is not None:
            self._in_flight -= 1
        return item

    def _wait_time(self) -> float:
        if self.timeout is None:
            return _MAX_WAIT
        now = time.monotonic()
        waits = [self._busy_since[w] + self.timeout - now for w, q in enumerate(self._queued) if q]
        return max(0.0, min([_MAX_WAIT, *waits]))

    def _check_timeouts(self) -> None:
        if self.timeout is None:
            return
        now = time.monotonic()
        for w, queued in enumerate(self._queued):
            if queued and now - self._busy_since[w] > self.timeout:
                index = self._tasks[queued[0]][2]
                what = f"batch {index}" if index is not None else "the next item"
                msg = (
                    f"{self.pool.describe(w)} has spent more than {self.timeout} s on {what} and is "
                    f"considered hung. Raise `timeout` if batches legitimately take longer. "
                    f"Received: timeout={self.timeout}"
                )
                raise WorkerTimeoutError(msg)

    def next(self) -> Any:
        """The next result; raises the task's exception, or ``StopIteration`` at the end."""
        while True:
            self._dispatch()
            item = self._pop_ready()
            if item is not None:
                kind, value = item
                if kind == "err":
                    raise value
                return value
            if self.finished:
                raise StopIteration
            try:
                replies = self.pool.poll(self._wait_time())
            except WorkerError as e:
                w = getattr(e, "worker", None)
                task = self._tasks.get(self._queued[w][0]) if w is not None and self._queued[w] else None
                if task is not None and task[2] is not None:
                    e.args = (f"{e} It was computing batch {task[2]}.",)
                raise
            for w, reply in replies:
                self._receive(w, reply)
            self._check_timeouts()
