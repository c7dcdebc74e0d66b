# SPDX-License-Identifier: Apache-2.0
"""``OrderedEnqueuer`` (Keras 3) and ``GeneratorEnqueuer`` (Keras 2): batches made in parallel.

Workers are threads or processes and stay alive across epochs until :meth:`stop`. Processes
return batches through shared memory; each worker process seeds ``random``, NumPy and the
framework's RNG per epoch and worker; a worker's exception is re-raised in the consumer with its
original type (its traceback text attached as the cause); a worker killed by a signal, or
busy on one batch longer than ``timeout`` seconds, raises :class:`WorkerError` instead of
hanging; :meth:`stop` leaves no process, thread or shared-memory segment behind.
"""

from __future__ import annotations

import itertools
import random
import threading
import warnings
import weakref
from collections.abc import Iterator
from typing import Any

from cornu_data._errors import WorkerError, WorkerTimeoutError
from cornu_data._processes import ProcessPool, resolve_start_method
from cornu_data._scheduler import Scheduler
from cornu_data._seeding import WorkerInfo, derive_seed, get_worker_info
from cornu_data._workers import ThreadPool

__all__ = [
    "GeneratorEnqueuer",
    "OrderedEnqueuer",
    "WorkerError",
    "WorkerInfo",
    "WorkerTimeoutError",
    "get_worker_info",
]

_uids = itertools.count()
_NOT_RUNNING = "Iterator called after `on_epoch_end` or before `on_epoch_begin`."


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        msg = f"`{name}` must be an integer >= {minimum}. Received: {name}={value!r}"
        raise ValueError(msg)
    return value


def _check_timeout(timeout: Any) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        msg = f"`timeout` must be a positive number of seconds or None. Received: timeout={timeout!r}"
        raise ValueError(msg)
    return float(timeout)


def _close_pool(pool: Any) -> None:
    pool.close(timeout=2.0)


class _Base:
    """Pool lifetime shared by both enqueuers."""

    def __init__(self, workers: int, use_multiprocessing: bool, max_queue_size: int, timeout: Any,
                 start_method: str | None, seed: int | None, source: Any = None) -> None:
        self.uid = next(_uids)
        self.workers = _check_int("workers", workers, 1)
        self.use_multiprocessing = bool(use_multiprocessing)
        self.max_queue_size = _check_int("max_queue_size", max_queue_size, 1)
        self.timeout = _check_timeout(timeout)
        self.start_method = resolve_start_method(start_method, source) if self.use_multiprocessing else None
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            msg = f"`seed` must be an integer or None. Received: seed={seed!r}"
            raise ValueError(msg)
        self.seed = seed if seed is not None else random.SystemRandom().getrandbits(62)
        self._pool: Any = None
        self._scheduler: Scheduler | None = None
        self._finalizer: Any = None
        self._lock = threading.Lock()

    def _make_pool(self, source: Any, factory: bool = False) -> None:
        name = f"cornu-data-{self.uid}"
        if self.use_multiprocessing:
            self._pool = ProcessPool(source, self.workers, name, self.start_method, factory=factory)
        else:
            self._pool = ThreadPool(source, self.workers, name)
        self._finalizer = weakref.finalize(self, _close_pool, self._pool)

    def is_running(self) -> bool:
        """Whether workers are up: ``True`` from :meth:`start` until :meth:`stop`."""
        return self._pool is not None

    def stop(self, timeout: float | None = None) -> None:
        """Stop the workers and free everything they hold; safe to call twice.

        Args:
            timeout: seconds to wait for workers to finish their current batch before they
                are terminated (default 2). Threads cannot be killed: one still inside a
                hung ``__getitem__`` is left to finish on its own (it is a daemon thread).
        """
        with self._lock:
            pool, self._pool, self._scheduler = self._pool, None, None
            if self._finalizer is not None:
                self._finalizer.detach()
                self._finalizer = None
        if pool is not None:
            hung = pool.close(timeout=2.0 if timeout is None else timeout)
            if hung:
                warnings.warn(
                    f"Worker threads {hung} are still inside `__getitem__` after stop(); threads cannot "
                    "be killed, so they finish on their own (they are daemon threads and do not block exit).",
                    RuntimeWarning,
                    stacklevel=2,
                )

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next(self) -> Any:
        scheduler = self._scheduler
        if scheduler is None:
            raise ValueError(_NOT_RUNNING)
        try:
            return scheduler.next()
        except StopIteration:
            raise
        except BaseException:
            self.stop(timeout=0.5)  # a failed run: do not wait long for busy workers
            raise


class OrderedEnqueuer(_Base):
    """Runs ``py_dataset[i]`` in worker threads or processes and yields batches in order.

    Keras 3 behaviour: one epoch per :meth:`start`; for a finite dataset the order is
    ``range(num_batches)``, shuffled with ``random.Random(epoch)`` when ``shuffle`` (with
    ``random.Random((seed, epoch))`` when a ``seed`` is given); an infinite dataset
    (``num_batches is None``) continues where the previous epoch stopped. Unlike Keras, the
    workers persist across epochs, and :meth:`get` ends after the epoch's last batch.

    Changes that ``on_epoch_begin`` / ``on_epoch_end`` make to the dataset reach worker
    processes: when the class overrides either hook, the dataset is pickled again at the next
    :meth:`start` and re-sent if it changed.

    Args:
        py_dataset: a ``PyDataset`` (anything with ``__getitem__`` and ``num_batches``/``len``).
        workers: number of worker threads or processes (>= 1).
        use_multiprocessing: processes instead of threads.
        max_queue_size: batches prepared ahead of the consumer (>= 1).
        shuffle: shuffle the batch order of every epoch (reproducibly, from the epoch).
        seed: base of the per-epoch, per-worker seeds (random when ``None``).
        timeout: seconds one batch may take before its worker is reported hung; ``None``
            waits forever.
        start_method: ``"fork"``, ``"spawn"`` or ``"forkserver"``; by default the platform's,
            except that fork is avoided once JAX, TensorFlow or CUDA started their threads.

    Example:
        >>> from cornu_data import PyDataset, OrderedEnqueuer
        >>> class Tens(PyDataset):
        ...     def __len__(self):
        ...         return 4
        ...     def __getitem__(self, i):
        ...         return i * 10
        >>> with OrderedEnqueuer(Tens(), workers=2) as enqueuer:
        ...     enqueuer.start()
        ...     list(enqueuer.get())
        [0, 10, 20, 30]
    """

    def __init__(self, py_dataset: Any, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10, shuffle: bool = False, *, seed: int | None = None,
                 timeout: float | None = 300.0, start_method: str | None = None) -> None:
        self._explicit_seed = seed
        super().__init__(workers, use_multiprocessing, max_queue_size, timeout, start_method, seed, py_dataset)
        self.py_dataset = py_dataset
        self.shuffle = bool(shuffle)
        self.epoch: int | None = None
        self._infinite_indices: Iterator[int] | None = itertools.count() if self._num_batches() is None else None
        self._sent_state: bytes | None = None

    def _num_batches(self) -> int | None:
        try:
            return self.py_dataset.num_batches
        except NotImplementedError:
            return None
        except AttributeError:
            # A dataset-like object that is not a PyDataset: `len` gives its batches.
            if hasattr(type(self.py_dataset), "__len__"):
                return len(self.py_dataset)
            raise

    def _order(self, epoch: int) -> Iterator[int]:
        if self._infinite_indices is not None:
            return self._infinite_indices
        indices = list(range(self._num_batches() or 0))
        if self.shuffle:
            rng = random.Random(epoch if self._explicit_seed is None else f"{self._explicit_seed}:{epoch}")
            rng.shuffle(indices)
        return iter(indices)

    def _resync(self, first: bool) -> bytes | None:
        """The pickled dataset when worker processes must receive it again, else None."""
        if not self.use_multiprocessing or first:
            return None
        from cornu_data.sequence import PyDataset

        cls = type(self.py_dataset)
        hooks = ("on_epoch_begin", "on_epoch_end")
        if all(getattr(cls, h, None) is getattr(PyDataset, h) for h in hooks):
            return None
        import pickle

        state = pickle.dumps(self.py_dataset)
        if state == self._sent_state:
            return None
        self._sent_state = state
        return state

    def start(self, epoch: int | None = None) -> None:
        """Begin an epoch (starting the workers the first time).

        Ignored while the epoch asked for (by default, the current one) is still being
        served, as in Keras. A different ``epoch`` drops the rest of the current one.

        Args:
            epoch: epoch number (seeds and shuffle order derive from it); default: the next.
        """
        with self._lock:
            first = self._pool is None
            serving = not first and self._scheduler is not None and not self._scheduler.finished
            if serving and (epoch is None or epoch == self.epoch):
                return
            epoch = (0 if self.epoch is None else self.epoch + 1) if epoch is None else epoch
            if first:
                self._make_pool(self.py_dataset)
                self._scheduler = Scheduler(self._pool, max(self.max_queue_size, self.workers), self.timeout)
            seeds = [derive_seed(self.seed, epoch, w) for w in range(self.workers)]
            self._pool.start_epoch(epoch, seeds, self._resync(first))
            self.epoch = epoch
            self._scheduler.begin(self._order(epoch), keep=self._infinite_indices is not None)

    def get(self) -> Iterator[Any]:
        """Yield the batches of the current epoch in order (``None`` batches are skipped).

        Raises:
            ValueError: when called before :meth:`start` or after :meth:`stop`.
            Exception: whatever ``__getitem__`` raised in a worker, with its original type.
            WorkerError: a worker process died; WorkerTimeoutError: one hung past ``timeout``.
        """
        while True:
            try:
                batch = self._next()
            except StopIteration:
                return
            if batch is not None:
                yield batch


def _thread_unsafe(exc: BaseException) -> bool:
    return isinstance(exc, ValueError) and "generator already executing" in str(exc)


class GeneratorEnqueuer(_Base):
    """Pulls items from a generator in worker threads or processes (Keras 2 behaviour).

    Threads share the one generator (it must be thread-safe when ``workers > 1``); each worker
    process iterates its own copy, so items are not in a fixed order and, with several
    processes, a deterministic generator repeats its items. Under ``spawn``/``forkserver``
    pass a picklable function returning an iterator instead of a generator object (that also
    works with threads: it is called once). :meth:`get` ends when the generator is exhausted.

    Args:
        generator: a generator/iterator, or a callable returning one.
        use_multiprocessing: processes instead of threads.
        wait_time: deprecated and ignored, as in Keras 2.3.
        random_seed: base of the per-worker seeds of worker processes.
        timeout: seconds one item may take before its worker is reported hung.
        start_method: as for :class:`OrderedEnqueuer`.

    Example:
        >>> from cornu_data import GeneratorEnqueuer
        >>> enqueuer = GeneratorEnqueuer(iter(range(5)))
        >>> enqueuer.start(workers=1, max_queue_size=4)
        >>> sorted(enqueuer.get())
        [0, 1, 2, 3, 4]
        >>> enqueuer.stop()
    """

    def __init__(self, generator: Any, use_multiprocessing: bool = False, wait_time: Any = None,
                 random_seed: int | None = None, *, timeout: float | None = 300.0,
                 start_method: str | None = None) -> None:
        if wait_time is not None:
            warnings.warn("`wait_time` is not used anymore.", DeprecationWarning, stacklevel=2)
        if not (callable(generator) or hasattr(generator, "__next__") or hasattr(generator, "__iter__")):
            msg = f"`generator` must be an iterator or a callable returning one. Received: generator={generator!r}"
            raise ValueError(msg)
        self.generator = generator
        self.random_seed = random_seed
        self._args = (use_multiprocessing, timeout, start_method, random_seed)
        self._started = False

    def start(self, workers: int = 1, max_queue_size: int = 10) -> None:
        """Start ``workers`` workers keeping up to ``max_queue_size`` items ready."""
        if self._started:
            return
        use_mp, timeout, start_method, seed = self._args
        super().__init__(workers, use_mp, max_queue_size, timeout, start_method, seed, self.generator)
        factory = callable(self.generator) and not hasattr(self.generator, "__next__")
        if use_mp and workers > 1 and not factory:
            warnings.warn(
                "Using a generator with `use_multiprocessing=True` and multiple workers may "
                "duplicate your data: each worker process iterates its own copy.",
                UserWarning,
                stacklevel=2,
            )
        if use_mp and not factory and self.start_method != "fork":
            msg = (
                f"A generator object cannot be sent to worker processes started with "
                f"{self.start_method!r}: pass a picklable function that returns an iterator. "
                f"Received: generator={self.generator!r}"
            )
            raise TypeError(msg)
        source: Any = self.generator
        if not use_mp and factory:
            source = self.generator()
            factory = False
        self._make_pool(source, factory=factory)
        self._scheduler = Scheduler(self._pool, max(self.max_queue_size, workers), self.timeout,
                                    ordered=False, shared_source=not use_mp)
        self._pool.start_epoch(0, [derive_seed(self.seed, 0, w) for w in range(workers)], None)
        self._scheduler.begin()
        self._started = True

    def is_running(self) -> bool:
        return self._started and self._pool is not None

    def stop(self, timeout: float | None = None) -> None:
        if self._started:
            super().stop(timeout)

    def get(self) -> Iterator[Any]:
        """Yield items until the generator is exhausted (nothing after :meth:`stop`).

        Raises:
            RuntimeError: a plain generator was used from several threads at once.
            Exception: whatever the generator raised, with its original type.
        """
        while self.is_running():
            try:
                item = self._next()
            except StopIteration:
                self.stop()
                return
            except ValueError as e:
                if _thread_unsafe(e):
                    msg = (
                        "Your generator is NOT thread-safe. A thread-safe generator is required when "
                        "`use_multiprocessing=False, workers > 1`: wrap it with a lock, or use "
                        "one worker, processes, or a PyDataset."
                    )
                    raise RuntimeError(msg) from e
                raise
            if item is not None:
                yield item
