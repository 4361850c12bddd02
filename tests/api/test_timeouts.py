"""A query whose time is up is really stopped, while other queries go on being answered."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.api.conftest import copy_store
from tests.conftest import Server

pytestmark = pytest.mark.slow

EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "ASK { ?s a b21:State }"


def cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def family(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def test_an_explosive_query_is_stopped_and_its_cpu_released(built_store: Path, tmp_path: Path) -> None:
    store = copy_store(built_store, tmp_path / "store")
    server = Server(store, {"BORDER21_QUERY_TIMEOUT": "2", "BORDER21_QUERY_WORKERS": "2"})
    server.wait_until_up()
    try:
        assert server.get("/readyz").status_code == 200  # workers are up
        outcome: dict[str, object] = {}

        def explode() -> None:
            started = time.monotonic()
            response = httpx.get(f"{server.url}/sparql", params={"query": EXPLOSIVE}, timeout=60)
            outcome["elapsed"] = time.monotonic() - started
            outcome["response"] = response

        thread = threading.Thread(target=explode)
        thread.start()
        time.sleep(0.5)
        busy = [p for p in family(server.process.pid) if p.pid != server.process.pid]
        simple = httpx.get(f"{server.url}/sparql", params={"query": SIMPLE}, timeout=10)
        assert simple.status_code == 200 and simple.json()["boolean"] is True
        thread.join(timeout=30)

        response = outcome["response"]
        assert isinstance(response, httpx.Response)
        assert response.status_code == 503
        assert "longer than 2 s" in response.json()["detail"]
        assert outcome["elapsed"] < 6  # type: ignore[operator]  # the 2 s limit plus slack, not a benchmark

        time.sleep(1.0)  # let the pool start the stopped worker's successor
        stopped = [p for p in busy if not p.is_running() or p.status() == psutil.STATUS_ZOMBIE]
        assert stopped, "the worker that ran the query is gone"
        before = cpu_seconds(family(server.process.pid))
        time.sleep(2.0)
        assert cpu_seconds(family(server.process.pid)) - before < 0.5
        assert httpx.get(f"{server.url}/sparql", params={"query": SIMPLE}, timeout=10).status_code == 200
    finally:
        server.stop()


def test_the_queries_of_one_request_share_the_timeout(
    built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resource's page asks several queries: once the request's time is up, its next query
    is refused (503) instead of being given a timeout of its own."""
    from fastapi.testclient import TestClient

    from service import catalog
    from service.api import create_app
    from service.config import Settings

    text_of = catalog.sparql

    def slow_before_counts(name: str) -> str:
        if name == "incoming-counts":
            time.sleep(2.5)  # as if the description's query had taken the time
        return text_of(name)

    monkeypatch.setattr(catalog, "sparql", slow_before_counts)
    store = copy_store(built_store, tmp_path / "store")
    settings = Settings(store=store, query_timeout=2, warm_up=False)  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as client:
        late = client.get("/api/v1/resources/state/aa")
        assert late.status_code == 503
        assert "in all" in late.json()["detail"]
        # the next request has its own time again
        assert (
            client.get(
                "/sparql", params={"query": SIMPLE}, headers={"Accept": "application/sparql-results+json"}
            ).status_code
            == 200
        )


def test_a_link_index_read_longer_than_a_request_goes_on_and_the_request_is_asked_to_retry(
    built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """On a large store the link index takes longer to read than a request may wait: the read
    goes on in the background, the request gets 503 with Retry-After (logged as deferred, not
    as a failure), and once the index is read the same request is answered, from that one read."""
    from fastapi.testclient import TestClient

    from service import cooperation
    from service.api import create_app
    from service.config import Settings

    read = cooperation.LinkIndex.read
    reads: list[float] = []

    def slow_read(cls, store):  # type: ignore[no-untyped-def]
        reads.append(time.monotonic())
        time.sleep(3)  # longer than the 1 s a request may take
        return read(store)

    monkeypatch.setattr(cooperation.LinkIndex, "read", classmethod(slow_read))
    store = copy_store(built_store, tmp_path / "store")
    settings = Settings(store=store, query_timeout=1, warm_up=False)  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as client:
        early = client.get("/api/v1/network", params={"at": "2016-01-01"})
        assert early.status_code == 503
        assert "link index" in early.json()["detail"] and "still being read" in early.json()["detail"]
        assert early.headers["Retry-After"] == "5"
        deferred = [r for r in caplog.records if "event=request_deferred" in r.getMessage()]
        assert deferred and all(r.levelname == "INFO" and r.exc_info is None for r in deferred)
        assert not [r for r in caplog.records if "event=request_failed" in r.getMessage()]
        deadline = time.monotonic() + 30
        while (answer := client.get("/api/v1/network", params={"at": "2016-01-01"})).status_code != 200:
            assert answer.status_code == 503 and time.monotonic() < deadline, answer.text
            time.sleep(0.5)
        assert answer.json()["edges"], "the actor's links, from the index read in the background"
        assert len(reads) == 1


def test_a_background_read_gets_the_index_limit_instead_of_the_query_timeout(built_store: Path) -> None:
    from service.errors import QueryTimeout
    from service.store.home import StoreHome
    from service.store.worker import Task, WorkerPool, background_reads

    generation = StoreHome(built_store).current()
    assert generation is not None
    pool = WorkerPool(1, timeout=60)
    try:
        started = time.monotonic()
        with background_reads(1), pytest.raises(QueryTimeout, match="longer than 1 s"):
            pool.run(Task(str(generation), "select", (EXPLOSIVE,), {}))
        assert time.monotonic() - started < 30  # stopped at its own limit, not the pool's 60 s
    finally:
        pool.close()
