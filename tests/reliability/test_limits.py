"""Limits: per-client rate limiting on /sparql (off unless configured), and the query timeout
and result cap on both backends."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.api.ratelimit import RateLimiter
from service.config import Settings
from tests.api.conftest import AppFactory
from tests.reliability.conftest import ServerFactory
from tests.reliability.test_observability import parse_exposition, value_of

ASK = {"query": "ASK { ?s ?p ?o }"}
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_rate_limiting_is_off_by_default(make_app: AppFactory) -> None:
    assert Settings().rate_limit == 0
    with TestClient(make_app(will_write=False)) as client:
        assert all(client.get("/sparql", params=ASK).status_code == 200 for _ in range(60))
        assert "429" not in client.app.openapi()["paths"]["/sparql"]["get"]["responses"]  # type: ignore[attr-defined]


def test_a_client_over_its_rate_on_sparql_gets_429_with_retry_after(make_app: AppFactory) -> None:
    with TestClient(make_app(will_write=False, rate_limit=3)) as client:
        assert [client.get("/sparql", params=ASK).status_code for _ in range(2)] == [200, 200]
        query = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "application/sparql-query"})
        assert query.status_code == 200  # POST counts against the same rate
        refused = client.get("/sparql", params=ASK)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 20  # a third of a minute for one request
        assert "at most 3 a minute" in refused.json()["detail"]
        # the rest of the service is not limited
        assert client.get("/api/v1/actors").status_code == 200
        assert client.get("/healthz").status_code == 200
        documented = client.app.openapi()["paths"]["/sparql"]  # type: ignore[attr-defined]
        assert "429" in documented["get"]["responses"] and "429" in documented["post"]["responses"]
        _, samples = parse_exposition(client.get("/metrics").text)
        assert value_of(samples, "border21_http_requests_total", method="GET", route="/sparql", status="429") == 1


def test_the_rate_is_kept_per_client_and_refills_with_time() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=6, burst=2, clock=lambda: now[0])
    assert [limiter.acquire("a") for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(10.0)  # 6 a minute: one every 10 s
    assert limiter.acquire("b") == 0.0  # another client has its own bucket
    now[0] = 10.0
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0
    now[0] = 1000.0
    assert [limiter.acquire("a") for _ in range(3)][:2] == [0.0, 0.0]  # refilled up to the burst, no further


def test_the_limiter_forgets_the_least_recent_client_beyond_its_bound() -> None:
    limiter = RateLimiter(per_minute=1, clock=lambda: 0.0, max_clients=2)
    for client in ("a", "b", "c"):
        assert limiter.acquire(client) == 0.0
    assert limiter.acquire("c") > 0  # remembered
    assert limiter.acquire("a") == 0.0  # forgotten: a fresh bucket (memory stays bounded)


@pytest.mark.slow
def test_clients_behind_a_local_proxy_are_limited_each_on_its_own(own_store: Path, start_server: ServerFactory) -> None:
    """Behind a reverse proxy on the same host, uvicorn takes the client's address from
    X-Forwarded-For (it trusts 127.0.0.1 by default), so each client has its own rate."""
    server = start_server(own_store, {"BORDER21_RATE_LIMIT": "2"}, tokens=None)

    def ask(client: str) -> int:
        headers = {"X-Forwarded-For": client}
        return httpx.get(f"{server.url}/sparql", params=ASK, headers=headers, timeout=30).status_code

    assert [ask("192.0.2.1") for _ in range(3)] == [200, 200, 429]
    assert [ask("192.0.2.2") for _ in range(2)] == [200, 200]


@pytest.mark.slow
def test_a_query_past_the_timeout_is_stopped_and_counted(make_app: AppFactory) -> None:
    with TestClient(make_app(will_write=False, query_timeout=2)) as client:
        response = client.get("/sparql", params={"query": EXPLOSIVE})
        assert response.status_code == 503
        assert "longer than 2 s" in response.json()["detail"] or "time" in response.json()["detail"]
        _, samples = parse_exposition(client.get("/metrics").text)
        assert value_of(samples, "border21_query_timeouts_total") == 1
        # the service goes on answering
        assert client.get("/api/v1/actors").status_code == 200


def test_a_result_over_the_cap_is_refused_on_both_backends(make_app: AppFactory) -> None:
    with TestClient(make_app(will_write=False, max_results=3)) as client:
        for query in ("SELECT ?s WHERE { ?s a ?c }", "CONSTRUCT WHERE { ?s a ?c }"):
            response = client.get("/sparql", params={"query": query})
            assert response.status_code == 422
            assert "more than 3" in response.json()["detail"]
        capped = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s a ?c } LIMIT 3"})
        assert capped.status_code == 200


def test_the_cap_is_for_client_queries_not_the_services_own_reads(world_store_path: Path, tmp_path: Path) -> None:
    """The network, the search index and the lists read more rows than a client may ask for."""
    store = shutil.copytree(world_store_path, tmp_path / "store", symlinks=True)
    with TestClient(create_app(Settings(store=store, max_results=3))) as client:  # type: ignore[call-arg]
        assert client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s a ?c }"}).status_code == 422
        network = client.get("/api/v1/network", params={"at": "2015-01-01"})
        assert network.status_code == 200, network.text
        assert len(network.json()["edges"]) > 3
        actors = client.get("/api/v1/actors", params={"limit": 100})
        assert actors.status_code == 200 and actors.json()["total"] > 3
        assert client.get("/api/v1/search", params={"q": "Alphaland"}).json()["total"] >= 1
