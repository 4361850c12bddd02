"""The service's own whole-store reads (labels and precedence, the actor and channel lists,
the link index, the search index), each run once per store version in a thread of its own.

Such a read grows with the store: seconds at a million triples, minutes at ten million. It
is not a client's query, so it gets the service's index limit (`BORDER21_INDEX_TIMEOUT`)
instead of the query timeout, and it is not tied to the request that first needed it: that
request, and every other one arriving meanwhile, waits for it at most its own time and is
then told to ask again (503 with Retry-After) while the read goes on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Generic, TypeVar

from service.errors import StillReading
from service.store.worker import background_reads, request_time_left

V = TypeVar("V")


def read_in_background(name: str, read: Callable[[], V], limit: float) -> Future[V]:
    """Start `read` in a daemon thread whose queries may each take `limit` seconds; its
    outcome (value or error) goes to the future returned."""
    future: Future[V] = Future()

    def run() -> None:
        try:
            with background_reads(limit):
                value = read()
        except BaseException as error:
            future.set_exception(error)
        else:
            future.set_result(value)

    # A new thread starts with an empty context: no request deadline of whoever started it.
    threading.Thread(target=run, name=f"border21-{name}", daemon=True).start()
    return future


def wait_for(future: Future[V], what: str) -> V:
    """The read's value, waiting for it at most the time left to the request being served
    (outside a request, until it ends); StillReading when that time runs out first."""
    try:
        return future.result(timeout=request_time_left())
    except FutureTimeout:
        raise StillReading(
            f"{what} of the store's current state is still being read (on a large store this takes "
            "minutes after a start or a change); ask again shortly"
        ) from None


S = TypeVar("S")


class PerVersion(Generic[S, V]):
    """One value read from the store (an index, a list) per store version: read once, by the
    start-up warm-up or the first request that needs it, in the background (see above), and
    kept until the version changes. Requests that need it while it is being read wait for that
    one read; a failed read is reported to them and not kept, so the next request reads again.
    A read for an older version finishing late never replaces the value of a newer one.

    `key` gives the store's version; None (a store that cannot say when it changed, a remote
    one) means nothing is kept and `get` answers None: the caller asks the store itself."""

    def __init__(self, what: str, read: Callable[[S], V], limit: float, key: Callable[[S], object]) -> None:
        self.what = what
        self.limit = limit
        self._read = read
        self._key_of = key
        self._lock = threading.Lock()
        self._kept: tuple[object, V] | None = None  # (key, value)
        self._kept_sequence = -1
        self._sequence = 0
        self._reading: dict[object, Future[V]] = {}

    def get(self, store: S) -> V | None:
        key = self._key_of(store)
        if key is None:
            return None
        with self._lock:
            if self._kept is not None and self._kept[0] == key:
                return self._kept[1]
            reading = self._reading.get(key)
            if reading is None:
                sequence, self._sequence = self._sequence, self._sequence + 1
                name = self.what.lower().replace(" ", "-")
                reading = self._reading[key] = read_in_background(
                    name, lambda: self._read_for(store, key, sequence), self.limit
                )
        return wait_for(reading, self.what)

    def ready(self, store: S) -> bool:
        """Whether the value of the store's current version is kept: `get` will not wait."""
        key = self._key_of(store)
        with self._lock:
            return key is not None and self._kept is not None and self._kept[0] == key

    def _read_for(self, store: S, key: object, sequence: int) -> V:
        try:
            value = self._read(store)
        except BaseException:
            with self._lock:
                del self._reading[key]
            raise
        with self._lock:
            del self._reading[key]
            if sequence > self._kept_sequence:
                self._kept, self._kept_sequence = (key, value), sequence
        return value
