"""The service's own whole-store reads (labels and precedence, the actor and channel lists,
the link index, the search index), each run once per store version in a thread of its own.

Such a read grows with the store: seconds at a million triples, minutes at ten million. It
is not a client's query, so it gets the service's index limit (`BORDER21_INDEX_TIMEOUT`)
instead of the query timeout, and it is not tied to the request that first needed it: that
request, and every other one arriving meanwhile, waits for it at most its own time and is
then told to ask again (503 with Retry-After) while the read goes on. Once a read of the same
value has completed, its duration tells how long the next one should take: a request that
could not outlast it is told at once, with Retry-After set to the time the read should still
need, rather than after waiting its whole time.
"""

from __future__ import annotations

import math
import threading
import time
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


RETRY_AFTER = 5  # seconds, when nothing tells how long a read still needs
RETRY_AFTER_MAX = 300


def wait_for(future: Future[V], what: str, expected_left: float | None = None) -> V:
    """The read's value, waiting for it at most the time left to the request being served
    (outside a request, until it ends); StillReading when that time runs out first. With
    `expected_left`, the seconds the read should still need, a request with less time than
    that is told at once, and Retry-After says when the value should be there."""
    retry_after = RETRY_AFTER if not expected_left else min(RETRY_AFTER_MAX, math.ceil(expected_left))
    still_reading = StillReading(
        f"{what} of the store's current state is still being read (on a large store this takes "
        "minutes after a start or a change); ask again shortly",
        retry_after,
    )
    time_left = request_time_left()
    if time_left is not None and expected_left is not None and expected_left > time_left and not future.done():
        raise still_reading
    try:
        return future.result(timeout=time_left)
    except FutureTimeout:
        raise still_reading from None


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
        self._reading: dict[object, tuple[Future[V], float]] = {}  # each read under way, and when it began
        self._took: float | None = None  # how long the last completed read took

    def get(self, store: S) -> V | None:
        key = self._key_of(store)
        if key is None:
            return None
        with self._lock:
            if self._kept is not None and self._kept[0] == key:
                return self._kept[1]
            if key not in self._reading:
                sequence, self._sequence = self._sequence, self._sequence + 1
                name = self.what.lower().replace(" ", "-")
                started = time.monotonic()
                future = read_in_background(name, lambda: self._read_for(store, key, sequence), self.limit)
                self._reading[key] = (future, started)
            reading, started = self._reading[key]
            # what the read should still need, judged by the last one that completed
            expected_left = None if self._took is None else max(0.0, started + self._took - time.monotonic())
        return wait_for(reading, self.what, expected_left)

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
            _, started = self._reading.pop(key)
            self._took = time.monotonic() - started
            if sequence > self._kept_sequence:
                self._kept, self._kept_sequence = (key, value), sequence
        return value
