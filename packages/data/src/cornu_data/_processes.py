# SPDX-License-Identifier: Apache-2.0
"""Persistent worker processes for a loader, and the choice of their start method.

Same protocol as :mod:`cornu_data._workers`; batches come back through shared memory
(:mod:`cornu_data._shm`). A process that dies (a signal, ``os._exit``) is reported by
:meth:`ProcessPool.poll` as a :class:`WorkerError` naming the signal; a worker whose consumer
(or fork server) dies exits by itself.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from typing import Any

from cornu_data import _shm
from cornu_data._errors import WorkerError, pack_exception, unpack_exception
from cornu_data._seeding import WorkerInfo, seed_worker, set_worker_info
from cornu_data._workers import run_task

__all__ = ["ProcessPool", "resolve_start_method"]



def _process_main(
    w: int, workers: int, payload: tuple[str, Any, bool], tasks: Any, results: Any, stop: Any, token: str
) -> None:
    """Entry point of a worker process: load the source, then serve tasks until told to exit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the consumer's to handle
    parent = os.getppid()  # the consumer, or the fork server; it changes when that one dies
    how, obj, factory = payload
    try:
        source = pickle.loads(obj) if how == "pickled" else obj
        if factory:
            source = source()
    except Exception as e:
        results.send_bytes(pickle.dumps(("fatal", -1, pack_exception(e))))
        return
    writer = _shm.ShmWriter(token, w)
    iterator_box: list[Any] = []
    try:
        while True:
            if not tasks.poll(1.0):
                if os.getppid() != parent:
                    return  # the consumer (or fork server) died without closing us
                continue
            try:
                msg = tasks.recv()
            except (EOFError, OSError):
                return
            if msg is None:
                return
            if msg[0] == "epoch":
                _, epoch, seed, resync = msg
                if resync is not None:
                    source = pickle.loads(resync)
                set_worker_info(WorkerInfo(w, workers, seed, epoch), thread=False)
                seed_worker(seed)
                continue
            if stop.is_set():
                continue
            slot = msg[-1]
            try:
                reply = run_task(source, iterator_box, msg)
                if reply[0] == "ok":
                    reply = ("ok", reply[1], writer.encode(reply[2], slot))
                data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as e:
                data = pickle.dumps(("err", msg[1], pack_exception(e)), protocol=pickle.HIGHEST_PROTOCOL)
            try:
                results.send_bytes(data)
            except (BrokenPipeError, OSError):
                return
    finally:
        writer.close()


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def _fork_is_unsafe() -> str | None:
    """Why forking now could deadlock the child (threads of a framework), or None."""
    for name in ("jax", "tensorflow"):
        if name in sys.modules:
            return name
    torch = sys.modules.get("torch")
    if torch is not None and getattr(torch.cuda, "is_initialized", lambda: False)():
        return "torch with CUDA initialised"
    return None


def _defined_interactively(source: Any) -> bool:
    """Whether ``source``'s class lives in an interactive ``__main__`` (a notebook, a REPL)."""
    main = sys.modules.get("__main__")
    return type(source).__module__ == "__main__" and not getattr(main, "__file__", None)


def resolve_start_method(start_method: str | None, source: Any = None) -> str:
    """The start method to use.

    ``start_method`` when given; else ``spawn``/``forkserver`` when set with
    ``multiprocessing.set_start_method`` (fork cannot count as a choice: any use of
    multiprocessing's default context fixes it silently); else the platform's default, except
    that when that is fork and JAX, TensorFlow or CUDA already started threads (a fork could
    deadlock the child), ``forkserver`` is used instead, or fork with a warning when the
    dataset's class was defined in a notebook or REPL (no other start method can import it).
    Asking for fork explicitly in that situation warns too.
    """
    import multiprocessing
    import warnings

    allowed = multiprocessing.get_all_start_methods()
    if start_method is not None and start_method not in allowed:
        msg = f"`start_method` must be one of {allowed} or None. Received: start_method={start_method!r}"
        raise ValueError(msg)
    if start_method is None:
        chosen = multiprocessing.get_start_method(allow_none=True)  # never fixes it as a side effect
        if chosen is not None and chosen != "fork":
            return chosen
    method = start_method or allowed[0]  # the platform's default comes first
    reason = _fork_is_unsafe() if method == "fork" else None
    if not reason:
        return method
    if start_method is None and not _defined_interactively(source):
        return "forkserver" if "forkserver" in allowed else "spawn"
    why = (
        "the dataset's class is defined interactively, so spawn/forkserver workers could not import it"
        if start_method is None
        else "fork was chosen explicitly"
    )
    warnings.warn(
        f"Forking worker processes after {reason} started its threads can deadlock them ({why}); "
        "use start_method='forkserver' or 'spawn', or threads.",
        RuntimeWarning,
        stacklevel=4,
    )
    return method


class ProcessPool:
    """``workers`` persistent processes; batches come back through shared memory."""

    kind = "process"

    def __init__(self, source: Any, workers: int, name: str, start_method: str, factory: bool = False) -> None:
        import multiprocessing
        from multiprocessing import resource_tracker

        self.workers = workers
        self.start_method = start_method
        made = source if factory else type(source)
        self._source_name = f"{getattr(made, '__module__', '?')}.{getattr(made, '__qualname__', '?')}"
        ctx = multiprocessing.get_context(start_method)
        if start_method == "fork":
            payload: tuple[str, Any, bool] = ("object", source, factory)
        else:
            try:
                payload = ("pickled", pickle.dumps(source), factory)
            except Exception as e:
                msg = (
                    f"Worker processes started with {start_method!r} need a picklable dataset (its class "
                    f"importable by module name): {type(e).__name__}: {e}. Use threads "
                    "(use_multiprocessing=False) or start_method='fork'. "
                    f"Received: {type(source).__name__} object"
                )
                raise TypeError(msg) from e
        if start_method == "forkserver":
            # Effective until the fork server starts: it imports these once, and every worker
            # forks from it with them loaded.
            ctx.set_forkserver_preload(["__main__", "numpy", "cornu_data._processes"])
        if os.name == "posix":
            resource_tracker.ensure_running()  # one tracker shared by every worker, never one each
        self.token = _shm.new_token()
        self._reader = _shm.ShmReader()
        self._stop = ctx.Event()
        self._tasks, self._results, self._procs = [], [], []
        self._closed = False
        self._dead: int | None = None
        for w in range(workers):
            task_r, task_w = ctx.Pipe(duplex=False)
            res_r, res_w = ctx.Pipe(duplex=False)
            proc = ctx.Process(
                target=_process_main,
                args=(w, workers, payload, task_r, res_w, self._stop, self.token),
                name=f"{name}-{w}",
                daemon=True,
            )
            proc.start()
            task_r.close()
            res_w.close()
            self._tasks.append(task_w)
            self._results.append(res_r)
            self._procs.append(proc)

    def start_epoch(self, epoch: int, seeds: list[int], extra: Any = None) -> None:
        for w in range(self.workers):
            self.send(w, ("epoch", epoch, seeds[w], extra))

    def send(self, w: int, msg: tuple[Any, ...] | None) -> None:
        try:
            self._tasks[w].send(msg)
        except (BrokenPipeError, OSError) as e:
            raise self._death(w) from e

    def _death(self, w: int) -> WorkerError:
        proc = self._procs[w]
        proc.join(1.0)
        code = proc.exitcode
        if code is None:
            how = "closed its pipe"
        elif code < 0:
            how = f"was killed by {_signal_name(code)}"
        else:
            how = f"exited with code {code}"
        error = WorkerError(
            f"cornu_data worker process {w} (pid {proc.pid}) {how}. A worker dies like this "
            "when the system runs out of memory, when native code crashes, or when something kills it."
        )
        error.worker = w
        return error

    def poll(self, timeout: float) -> list[tuple[int, tuple[Any, ...]]]:
        from multiprocessing.connection import wait

        if self._dead is not None:  # found last time, after replies that came first
            raise self._death(self._dead)
        conns = {id(c): w for w, c in enumerate(self._results)}
        sentinels = {p.sentinel: w for w, p in enumerate(self._procs)}
        ready = wait([*self._results, *sentinels], timeout)
        out = []
        dead = None
        for obj in ready:
            if isinstance(obj, int):
                dead = sentinels[obj] if dead is None else dead
                continue
            w = conns[id(obj)]
            try:
                while obj.poll():
                    out.append((w, self._unpack(w, pickle.loads(obj.recv_bytes()))))
            except (EOFError, OSError):
                dead = w if dead is None else dead
        if dead is not None:
            if out:  # deliver what the workers sent before dying; report the death next call
                self._dead = dead
                return out
            raise self._death(dead)
        return out

    def _unpack(self, w: int, reply: tuple[Any, ...]) -> tuple[Any, ...]:
        if reply[0] == "fatal":
            exc = unpack_exception(reply[2], self.describe(w) + " while loading the dataset")
            if isinstance(exc, (ImportError, AttributeError)) and hasattr(exc, "add_note"):
                exc.add_note(
                    f"Worker processes started with {self.start_method!r} import the dataset's class "
                    f"{self._source_name} by its module name (the default once JAX or TensorFlow is "
                    "loaded). Define it in a module they can import, or use threads "
                    "(use_multiprocessing=False)."
                )
            raise exc
        if reply[0] == "err":
            return ("err", reply[1], unpack_exception(reply[2], self.describe(w)))
        return reply

    def decode(self, w: int, slot: int, payload: Any, release: Any) -> Any:
        return self._reader.decode(w, slot, payload, release)

    def describe(self, w: int) -> str:
        return f"worker process {w} (pid {self._procs[w].pid})"

    def close(self, timeout: float = 5.0) -> list[str]:
        """Stop every process (asking, then SIGTERM, then SIGKILL) and unlink every segment."""
        if self._closed:
            return []
        self._closed = True
        import time

        self._stop.set()
        for conn in self._tasks:
            try:
                conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        deadline = time.monotonic() + timeout
        for proc in self._procs:
            proc.join(max(0.0, deadline - time.monotonic()))
        for proc in self._procs:
            if proc.is_alive():
                proc.terminate()
                proc.join(1.0)
            if proc.is_alive():  # pragma: no cover - SIGTERM blocked by native code
                proc.kill()
                proc.join()
        for conn in (*self._tasks, *self._results):
            conn.close()
        for proc in self._procs:
            proc.close()
        self._reader.close()
        _shm.unlink_all(self.token)
        return []
