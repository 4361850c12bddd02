"""Liveness, readiness and the OpenAPI description."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service import catalog
from service.api import create_app
from service.config import Settings
from service.store.served import ServedStore
from tests.api.conftest import copy_store


def client_for(store: Path, **settings: object) -> TestClient:
    return TestClient(create_app(Settings(store=store, **settings)))  # type: ignore[arg-type]


def test_healthz_answers_without_a_store(tmp_path: Path) -> None:
    with client_for(tmp_path / "none") as client:
        assert client.get("/healthz").json()["status"] == "ok"


def test_readyz_is_503_before_a_build(tmp_path: Path) -> None:
    with client_for(tmp_path / "none") as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "border21 build" in response.json()["detail"]


def test_readyz_is_200_on_a_built_store(built_store: Path) -> None:
    with client_for(built_store) as client:
        response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["triples"] > 1000
    assert body["generation"] == (built_store / "current").resolve().name


def test_the_service_follows_a_new_build(tmp_path: Path, valid_data: Path, build_into) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    build_into(store, valid_data)
    app = create_app(Settings(store=store))
    with TestClient(app) as client:
        first = client.get("/readyz").json()
        with open(valid_data / "actors.ttl", "a", encoding="utf-8") as turtle:
            turtle.write(
                '\nstate:cc a b21:State ; rdfs:label "Gammaland"@en ; b21:isoCode "CC" ;'
                " dcterms:source <https://example.org/cc> .\n"
            )
        build_into(store, valid_data)
        app.state.store.check_interval = 0
        second = client.get("/readyz").json()
    assert second["generation"] != first["generation"]
    assert second["triples"] > first["triples"]


def test_readyz_with_warm_waits_for_the_start_up_warm_up(
    built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = copy_store(built_store, tmp_path / "store")
    reading, release = threading.Event(), threading.Event()
    read = catalog.actors

    def held_actors(served):  # type: ignore[no-untyped-def]
        reading.set()
        assert release.wait(60)
        return read(served)

    monkeypatch.setattr(catalog, "actors", held_actors)
    with client_for(store, warm_up=True) as client:
        assert reading.wait(60), "the warm-up did not reach the actor list"
        plain = client.get("/readyz")
        assert plain.status_code == 200 and plain.json()["warm_up"] == "running"
        warming = client.get("/readyz", params={"warm": "true"})
        assert warming.status_code == 503
        assert warming.json()["status"] == "warming" and warming.json()["triples"] > 1000
        release.set()
        deadline = time.monotonic() + 60
        while client.get("/readyz", params={"warm": "true"}).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        ready = client.get("/readyz", params={"warm": "true"}).json()
    assert ready["status"] == "ready" and ready["warm_up"] == "done"


def test_readyz_with_warm_is_ready_at_once_when_the_warm_up_is_off(built_store: Path) -> None:
    with client_for(built_store, warm_up=False) as client:
        response = client.get("/readyz", params={"warm": "true"})
    assert response.status_code == 200 and response.json()["warm_up"] == "off"


def test_readyz_counts_the_triples_once_per_store_version(
    built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts: list[int] = []
    count = ServedStore.triple_count

    def counted(self, graph=None):  # type: ignore[no-untyped-def]
        counts.append(1)
        return count(self, graph)

    monkeypatch.setattr(ServedStore, "triple_count", counted)
    store = copy_store(built_store, tmp_path / "store")
    token = "writer:0123456789abcdef"
    with client_for(store, warm_up=False, tokens=token) as client:
        first = client.get("/readyz").json()["triples"]
        assert client.get("/readyz").json()["triples"] == first and len(counts) == 1
        added = "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> <https://example.org/b> 1 } }"
        written = client.post(
            "/sparql",
            content=added,
            headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer 0123456789abcdef"},
        )
        assert written.status_code in (200, 204), written.text
        before = len(counts)  # the write itself may count
        assert client.get("/readyz").json()["triples"] == first + 1 and len(counts) == before + 1
        assert client.get("/readyz").json()["triples"] == first + 1 and len(counts) == before + 1


def test_openapi_documents_the_routes(tmp_path: Path) -> None:
    with client_for(tmp_path / "none") as client:
        spec = client.get("/openapi.json").json()
        assert client.get("/docs").status_code == 200
    assert {"/healthz", "/readyz"} <= set(spec["paths"])
    assert spec["info"]["title"] == "border21"


def test_every_response_carries_a_request_id(tmp_path: Path) -> None:
    with client_for(tmp_path / "none") as client:
        assert len(client.get("/healthz").headers["X-Request-ID"]) == 32
        assert client.get("/healthz", headers={"X-Request-ID": "abc"}).headers["X-Request-ID"] == "abc"


@pytest.mark.parametrize("tokens", ["nocolon", "short:secret", "a:0123456789abcdef,a:0123456789abcdef"])
def test_malformed_write_tokens_are_refused_at_start_up(tmp_path: Path, tokens: str) -> None:
    with pytest.raises(ValueError, match="BORDER21_TOKENS"):
        create_app(Settings(store=tmp_path, tokens=tokens))  # type: ignore[arg-type]
