"""The service's own whole-store reads (the link index, the search index), each run once per
store version in a thread of its own.

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
from typing import TypeVar

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
