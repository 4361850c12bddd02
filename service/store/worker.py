"""Queries run in worker processes that can be killed.

pyoxigraph cannot cancel a query, so each read runs in a child process holding its own
read-only view of the store (a generation nobody writes, or an immutable snapshot of one
being written). When a query's time is up the child is killed, which really releases its
CPU, and a fresh one takes its place; other requests go to the other workers meanwhile.
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import gc
import logging
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from service.errors import Border21Error, QueryTimeout, StoreUnavailable
from service.store.base import Scanned

logger = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("spawn")  # never fork a process that has RocksDB open

# When the request being served must be answered by (time.monotonic(), its limit in seconds).
_REQUEST_DEADLINE: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar(
    "border21_request_deadline", default=None
)


@contextlib.contextmanager
def request_deadline(seconds: float) -> Iterator[None]:
    """Give every query run in this context (and in threads started from it with its context,
    as Starlette's thread pool is) `seconds` in all, not each: a request that asks many queries
    is stopped when its time is up, not after as many timeouts as it has queries."""
    token = _REQUEST_DEADLINE.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _REQUEST_DEADLINE.reset(token)


def request_time_left() -> float | None:
    """Seconds left to the request being served; None outside a request."""
    request = _REQUEST_DEADLINE.get()
    return None if request is None else max(0.0, request[0] - time.monotonic())


# How long the service's own whole-store reads (see `service.background`) may take, set in
# the thread that does them: they grow with the store (minutes at ten
# million triples), are done once per store version, and no request waits for them longer
# than its own time.
_BACKGROUND_LIMIT: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "border21_background_limit", default=None
)


@contextlib.contextmanager
def background_reads(seconds: float) -> Iterator[None]:
    """Give each query run in this context `seconds` instead of the query timeout."""
    token = _BACKGROUND_LIMIT.set(seconds)
    try:
        yield
    finally:
        _BACKGROUND_LIMIT.reset(token)


def check_request_deadline() -> None:
    """QueryTimeout when the request being served has used its time. For work a request does
    in its own process (a scenario deriving links on its copies), which no query worker stops:
    it checks between steps. Outside a request, nothing."""
    request = _REQUEST_DEADLINE.get()
    if request is not None and request[0] <= time.monotonic():
        raise QueryTimeout(f"the request ran longer than {request[1]:g} s and was stopped")


@dataclass(frozen=True)
class Task:
    """One read, by name of an `OxigraphStore` method, on the store at `path`."""

    path: str
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    max_results: int | None = None


def _serve(connection: Connection) -> None:
    """The worker's loop: open stores read-only as tasks name them, run the method, answer."""
    from service.store.home import GenerationLease
    from service.store.oxigraph import OxigraphStore

    opened: tuple[str, OxigraphStore, GenerationLease] | None = None
    while True:
        try:
            task: Task | None = connection.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            if opened is None or opened[0] != task.path:
                if opened is not None:
                    opened[1].close()
                    opened[2].release()
                    opened = None  # a failed open below must not leave the closed store in place
                lease = GenerationLease(Path(task.path))
                try:
                    opened = (task.path, OxigraphStore.open(Path(task.path), read_only=True), lease)
                except BaseException:
                    lease.release()
                    raise
            opened[1].max_results = task.max_results
            outcome: tuple[str, Any] = ("ok", getattr(opened[1], task.method)(*task.args, **task.kwargs))
        except Border21Error as error:
            outcome = ("error", error)
        except Exception as error:  # reported to the parent as an internal error, logged there
            outcome = ("crash", f"{type(error).__name__}: {error}")
        connection.send(outcome)
        large = _large(outcome[1])
        del outcome  # the answer itself must be freed before its pages can be given back
        if large:
            give_back_memory()


LARGE_RESULT = 10_000


def _glibc() -> ctypes.CDLL | None:
    """The C library when it has malloc_trim (glibc), else None."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


_LIBC = _glibc()


def _large(value: Any) -> bool:
    rows = getattr(value, "rows", value)
    if isinstance(value, Scanned):
        return len(value.strings) >= LARGE_RESULT
    return isinstance(rows, list) and len(rows) >= LARGE_RESULT


def give_back_memory() -> None:
    """Return the memory a large answer used to the system: CPython frees its objects but glibc
    keeps the pages, and each worker would otherwise stay as large as the largest answer it
    ever sent (hundreds of MB at a million triples, times the number of workers)."""
    gc.collect()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


class _Worker:
    def __init__(self) -> None:
        parent, child = _CONTEXT.Pipe()
        self.connection = parent
        self.process: BaseProcess = _CONTEXT.Process(target=_serve, args=(child,), daemon=True, name="border21-query")
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()

    def stop(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self.connection.send(None)
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.kill()


class WorkerPool:
    """A fixed number of query workers; `run` blocks until a worker is free and its answer
    comes, for at most `timeout` seconds in all."""

    def __init__(self, size: int, timeout: float) -> None:
        self.size = size
        self.timeout = timeout
        self._idle: queue.Queue[_Worker | None] = queue.Queue()  # None: the pool has closed
        self._lock = threading.Lock()
        self._closed = False
        self._busy: set[_Worker] = set()
        self.timeouts = 0
        for _ in range(size):
            self._idle.put(_Worker())

    def run(self, task: Task, on_timeout: Callable[[], None] | None = None) -> Any:
        limit = _BACKGROUND_LIMIT.get() or self.timeout
        deadline = time.monotonic() + limit
        stopped = f"the query ran longer than {limit:g} s and was stopped"
        request = _REQUEST_DEADLINE.get()
        if request is not None and request[0] < deadline:
            deadline = request[0]
            stopped = f"the request's queries ran longer than {request[1]:g} s in all and were stopped"
            if deadline <= time.monotonic():
                raise QueryTimeout(stopped)
        try:
            got = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty as error:
            raise QueryTimeout(f"no query worker became free within {limit:g} s") from error
        with self._lock:
            taken = got if got is not None and not self._closed else None
            if taken is not None:
                self._busy.add(taken)
        if taken is None:
            if got is not None:
                got.stop()
            self._idle.put(None)  # the next waiter learns it too
            raise StoreUnavailable("the store is closing")
        worker: _Worker | None = taken
        try:
            taken.connection.send(task)
            if not taken.connection.poll(max(0.0, deadline - time.monotonic())):
                self._replace(taken)
                worker = None
                self.timeouts += 1
                if on_timeout:
                    on_timeout()
                raise QueryTimeout(stopped)
            status, value = taken.connection.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError, OSError) as error:
            self._replace(taken)
            worker = None
            if self._closed:  # `close` stopped it
                raise StoreUnavailable("the store is closing") from error
            logger.error("event=query_worker_died", exc_info=True)
            raise StoreUnavailable("the query worker stopped unexpectedly") from error
        finally:
            if worker is not None:
                self._release(worker)
        if status == "ok":
            return value
        if status == "error":
            raise value
        logger.error("event=query_worker_failed error=%s", value)
        raise StoreUnavailable("the query failed inside the store")

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker and start its successor in the background: starting a Python process
        takes longer than the caller should wait for its error."""
        with self._lock:
            self._busy.discard(worker)
            closed = self._closed
        worker.kill()
        if not closed:
            threading.Thread(target=lambda: self._release(_Worker()), name="border21-respawn", daemon=True).start()

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            if self._closed:
                worker.stop()
                return
            self._idle.put(worker)

    def close(self) -> None:
        """Stop every worker, the busy ones too: what still runs at close is background work
        (the server has finished its requests), and its caller gets StoreUnavailable at once,
        as does a caller waiting for a worker."""
        with self._lock:
            self._closed = True
            busy = list(self._busy)
        for worker in busy:
            worker.process.kill()  # its caller sees the pipe close, and kills it in full
        while True:
            try:
                idle = self._idle.get_nowait()
            except queue.Empty:
                break
            if idle is not None:
                idle.stop()
        self._idle.put(None)
