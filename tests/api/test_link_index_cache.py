"""The link index is read once per store version, however many requests need it at once, in
the background: a request waits for it at most its own time."""

from __future__ import annotations

import threading
import time

import pytest

from service import cooperation
from service.api.v1.common import LinkIndexCache
from service.errors import QueryTimeout, StillReading
from service.store import worker
from service.store.worker import request_deadline


class Versioned:
    def __init__(self) -> None:
        self.version = 1

    def cache_key(self) -> str:
        return f"generation:{self.version}"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each read of the index, slow enough for others to ask meanwhile; the first read of
    version 3 fails."""
    started: list[str] = []

    def read(cls, store):  # type: ignore[no-untyped-def]
        started.append(store.cache_key())
        time.sleep(0.3)
        if store.version == 3 and started.count(store.cache_key()) == 1:
            raise QueryTimeout("the query ran longer than 30 s and was stopped")
        return cooperation.LinkIndex([], {})

    monkeypatch.setattr(cooperation.LinkIndex, "read", classmethod(read))
    return started


def ask_together(cache: LinkIndexCache, store: Versioned, count: int) -> list[object]:
    answers: list[object] = []

    def ask() -> None:
        try:
            answers.append(cache.get(store))  # type: ignore[arg-type]
        except QueryTimeout as error:
            answers.append(error)

    threads = [threading.Thread(target=ask) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return answers


def test_requests_that_need_it_together_wait_for_one_read(reads: list[str]) -> None:
    cache, store = LinkIndexCache(), Versioned()
    answers = ask_together(cache, store, 6)
    assert reads == ["generation:1"]
    assert len(answers) == 6 and all(a is answers[0] for a in answers)
    store.version = 2  # a write: the next request reads the index again, once
    assert cache.get(store) is not answers[0]  # type: ignore[arg-type]
    assert reads == ["generation:1", "generation:2"]


def test_when_the_read_under_way_fails_its_waiters_say_so_and_the_next_request_reads_again(reads: list[str]) -> None:
    cache, store = LinkIndexCache(), Versioned()
    store.version = 3
    answers = ask_together(cache, store, 3)
    assert reads == ["generation:3"]
    assert len(answers) == 3 and all(isinstance(a, QueryTimeout) for a in answers)
    assert isinstance(cache.get(store), cooperation.LinkIndex)  # type: ignore[arg-type]
    assert reads == ["generation:3", "generation:3"]


def test_a_request_out_of_time_is_told_to_ask_again_while_the_read_goes_on(reads: list[str]) -> None:
    cache, store = LinkIndexCache(), Versioned()
    with request_deadline(0.05), pytest.raises(StillReading, match=r"link index .* still being read"):
        cache.get(store)  # type: ignore[arg-type]
    time.sleep(0.5)  # the read (0.3 s) has ended meanwhile, with nobody waiting for it
    with request_deadline(0.05):
        index = cache.get(store)  # type: ignore[arg-type]
    assert isinstance(index, cooperation.LinkIndex)
    assert reads == ["generation:1"]


def test_the_read_has_the_index_limit_not_the_requests_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    limits: list[tuple[float | None, float | None]] = []

    def read(cls, store):  # type: ignore[no-untyped-def]
        limits.append((worker._BACKGROUND_LIMIT.get(), worker.request_time_left()))
        return cooperation.LinkIndex([], {})

    monkeypatch.setattr(cooperation.LinkIndex, "read", classmethod(read))
    with request_deadline(5):
        LinkIndexCache(limit=123).get(Versioned())  # type: ignore[arg-type]
    assert limits == [(123, None)]
