"""The link index is read once per store version, however many requests need it at once, in
the background: a request waits for it at most its own time."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

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


def test_once_a_read_has_taken_long_a_request_that_cannot_outlast_the_next_is_told_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [1000.0]  # the reads' clock, moved by hand (requests keep the real one)
    monkeypatch.setattr("service.background.time", SimpleNamespace(monotonic=lambda: clock[0]))
    release = threading.Event()

    def read(cls, store):  # type: ignore[no-untyped-def]
        if store.version == 1:
            clock[0] += 120  # the first read takes two minutes
        else:
            release.wait(30)  # the second is under way until released
        return cooperation.LinkIndex([], {})

    monkeypatch.setattr(cooperation.LinkIndex, "read", classmethod(read))
    cache, store = LinkIndexCache(), Versioned()
    cache.get(store)  # type: ignore[arg-type]
    store.version = 2  # a write: the index is read again, and should take about as long
    told: list[StillReading] = []

    def ask() -> None:
        with request_deadline(25), pytest.raises(StillReading) as raised:
            cache.get(store)  # type: ignore[arg-type]
        told.append(raised.value)

    try:
        with request_deadline(25), pytest.raises(StillReading) as first:
            cache.get(store)  # type: ignore[arg-type]  # starts the read: 120 s expected
        assert first.value.retry_after == 120
        clock[0] += 90  # a later request: 30 s should be left, more than its 25
        asking = threading.Thread(target=ask)
        asking.start()
        asking.join(10)  # had it waited its 25 s for the read, it would still be waiting
        assert not asking.is_alive() and told[0].retry_after == 30
        answers: list[object] = []

        def wait() -> None:
            with request_deadline(60):
                answers.append(cache.get(store))  # type: ignore[arg-type]

        waiting = threading.Thread(target=wait)  # a request that can outlast the read waits for it
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive() and not answers
        release.set()
        waiting.join(10)
        assert [type(answer) for answer in answers] == [cooperation.LinkIndex]
    finally:
        release.set()


def test_before_any_read_has_ended_a_request_waits_its_time(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def read(cls, store):  # type: ignore[no-untyped-def]
        release.wait(30)
        return cooperation.LinkIndex([], {})

    monkeypatch.setattr(cooperation.LinkIndex, "read", classmethod(read))
    cache, store = LinkIndexCache(), Versioned()
    timer = threading.Timer(0.2, release.set)  # the read ends while the request still has time
    timer.start()
    with request_deadline(20):
        assert isinstance(cache.get(store), cooperation.LinkIndex)  # type: ignore[arg-type]
