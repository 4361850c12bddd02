"""The caches every planner request needs are filled in the background at start-up, so the first
request does not wait for the actor list, the labels or the search index."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service import catalog
from service.api import create_app
from service.config import Settings
from tests.api.conftest import copy_store

NETWORK = "/api/v1/network?actor=state/aa"


@pytest.fixture
def actor_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How often the actor list is read from the store."""
    reads: list[int] = []
    read = catalog.actors

    def counted(store):  # type: ignore[no-untyped-def]
        reads.append(1)
        return read(store)

    monkeypatch.setattr(catalog, "actors", counted)
    return reads


def test_start_up_reads_the_actor_list_before_any_request(
    built_store: Path, tmp_path: Path, actor_reads: list[int]
) -> None:
    store = copy_store(built_store, tmp_path / "store")
    with TestClient(create_app(Settings(store=store, warm_up=True))) as client:  # type: ignore[call-arg]
        deadline = time.monotonic() + 60
        while not actor_reads and time.monotonic() < deadline:
            time.sleep(0.05)
        assert actor_reads == [1], "the warm-up did not read the actor list"
        knowledge = client.app.state.knowledge  # type: ignore[attr-defined]
        while not knowledge.ready(client.app.state.store) and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.05)
        response = client.get(NETWORK)
        assert response.status_code == 200
        assert actor_reads == [1], "the first request read the actor list again"


def test_without_warm_up_the_first_request_reads_the_actor_list(
    built_store: Path, tmp_path: Path, actor_reads: list[int]
) -> None:
    store = copy_store(built_store, tmp_path / "store")
    with TestClient(create_app(Settings(store=store, warm_up=False))) as client:  # type: ignore[call-arg]
        time.sleep(0.5)
        assert actor_reads == []
        assert client.get(NETWORK).status_code == 200
        assert actor_reads == [1]


TOKEN = "0123456789abcdef"
WRITE = "INSERT DATA { GRAPH <https://example.org/notes> { <https://example.org/a> <https://example.org/b> 1 } }"


def write(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content=WRITE,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 204, response.text


def wait_for(condition, seconds: float = 60) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return bool(condition())


@contextlib.contextmanager
def warmed_writer(built_store: Path, tmp_path: Path, settle: float) -> Iterator[TestClient]:
    """A writable service on a copy of the store, once its start-up warm-up has ended."""
    store = copy_store(built_store, tmp_path / "store")
    settings = Settings(store=store, warm_up=True, warm_up_settle=settle, tokens=f"writer:{TOKEN}")  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as client:
        assert wait_for(lambda: client.app.state.warm_up.outcome == "done")  # type: ignore[attr-defined]
        yield client


def test_after_a_write_the_caches_are_filled_again_without_a_request(
    built_store: Path, tmp_path: Path, actor_reads: list[int]
) -> None:
    with warmed_writer(built_store, tmp_path, 0.2) as client:
        assert actor_reads == [1]
        write(client)
        write(client)  # a burst: warmed once, after it
        assert wait_for(lambda: len(actor_reads) == 2), "the caches were not filled again after the write"
        search = client.app.state.search  # type: ignore[attr-defined]
        assert wait_for(lambda: search.ready(client.app.state.store))  # type: ignore[attr-defined]
        time.sleep(0.6)  # settle periods pass without another change
        assert actor_reads == [1, 1]
        assert client.get(NETWORK).status_code == 200
        assert actor_reads == [1, 1], "the first request after the write read the actor list again"


def test_with_settle_zero_the_caches_are_filled_at_start_up_only(
    built_store: Path, tmp_path: Path, actor_reads: list[int]
) -> None:
    with warmed_writer(built_store, tmp_path, 0) as client:
        write(client)
        time.sleep(1.0)
        assert actor_reads == [1]
        assert client.get(NETWORK).status_code == 200
        assert actor_reads == [1, 1]


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . VALUES ?k { 1 2 3 4 5 6 7 8 9 10 11 12 } }"


def test_shutting_down_stops_a_warm_up_under_way(
    built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The server stops while the warm-up's query runs (one that would take minutes): the
    query's worker is stopped, the warm-up ends with the app and logs no failure."""
    store = copy_store(built_store, tmp_path / "store")
    in_query = threading.Event()

    def slow_actors(served):  # type: ignore[no-untyped-def]
        in_query.set()
        return served.select(SLOW)

    monkeypatch.setattr(catalog, "actors", slow_actors)
    settings = Settings(store=store, warm_up=True, query_timeout=600)  # type: ignore[call-arg]
    with TestClient(create_app(settings)):
        assert in_query.wait(60), "the warm-up did not reach the actor list"
        time.sleep(0.3)  # the query is at a worker
        assert [t for t in threading.enumerate() if t.name == "warm-up"]
    assert not [t for t in threading.enumerate() if t.name == "warm-up" and t.is_alive()]
    assert "warm_up_failed" not in caplog.text
