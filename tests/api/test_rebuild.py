"""Graphs written through the service survive rebuilds of the curated data."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from service.api import create_app
from service.config import Settings
from service.store import StoreHome
from tests.api.conftest import TOKENS, WRITE

INSERT = "INSERT DATA { GRAPH <https://example.org/notes> { <https://example.org/n1> rdfs:label 'note'@en } }"
NOTES = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/notes> { ?s ?p ?o } }"
DEFAULT_INSERT = "INSERT DATA { <https://example.org/d1> rdfs:label 'in the default graph' }"
STATES = "SELECT (COUNT(*) AS ?n) WHERE { ?s a b21:State }"


def count(client: TestClient, query: str) -> int:
    return int(client.get("/sparql", params={"query": query}).json()["results"]["bindings"][0]["n"]["value"])


def write(client: TestClient, update: str) -> None:
    response = client.post("/sparql", content=update, headers={**WRITE, "Content-Type": "application/sparql-update"})
    assert response.status_code == 204, response.text


def add_state(data: Path) -> None:
    with open(data / "actors.ttl", "a", encoding="utf-8") as turtle:
        turtle.write(
            '\nstate:cc a b21:State ; rdfs:label "Gammaland"@en ; b21:isoCode "CC" ;'
            " dcterms:source <https://example.org/cc> .\n"
        )


def settings(store: Path, **extra: object) -> Settings:
    return Settings(store=store, tokens=TOKENS, **extra)  # type: ignore[arg-type]


def test_a_running_server_carries_its_writes_into_a_new_build(tmp_path: Path, valid_data: Path, build_into) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    build_into(store, valid_data)
    app = create_app(settings(store))
    with TestClient(app) as client:
        write(client, INSERT)
        write(client, DEFAULT_INSERT)
        add_state(valid_data)
        build_into(store, valid_data)
        app.state.store.check_interval = 0
        assert count(client, STATES) == 3
        assert count(client, NOTES) == 1
        assert client.get("/sparql", params={"query": "ASK { <https://example.org/d1> ?p ?o }"}).json()["boolean"]
        write(client, INSERT.replace("n1", "n2"))
        assert count(client, NOTES) == 2
    with TestClient(create_app(settings(store))) as client:
        assert count(client, NOTES) == 2


def test_a_build_without_a_server_carries_the_writes_itself(tmp_path: Path, valid_data: Path, build_into) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    build_into(store, valid_data)
    with TestClient(create_app(settings(store))) as client:
        write(client, INSERT)
    add_state(valid_data)
    build_into(store, valid_data)
    with TestClient(create_app(Settings(store=store))) as client:  # read-only: cannot carry anything itself
        assert count(client, STATES) == 3
        assert count(client, NOTES) == 1


def test_writes_are_carried_when_the_server_stops_before_adopting_a_build(
    tmp_path: Path, valid_data: Path, build_into
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    build_into(store, valid_data)
    app = create_app(settings(store, query_workers=1))
    with TestClient(app) as client:
        app.state.store.check_interval = 3600  # the server will not notice the build
        write(client, INSERT)
        add_state(valid_data)
        report = build_into(store, valid_data)  # the server holds the store: the build leaves carrying to it
        assert StoreHome(store).current() == report.generation
    with TestClient(create_app(settings(store))) as client:
        assert count(client, STATES) == 3
        assert count(client, NOTES) == 1


def test_the_build_replaces_curated_graphs_written_through_the_service(
    tmp_path: Path, valid_data: Path, build_into
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    build_into(store, valid_data)
    app = create_app(settings(store))
    with TestClient(app) as client:
        write(client, "DELETE WHERE { GRAPH <https://w3id.org/border21/graph/data/actors> { ?s a b21:State } }")
        assert count(client, STATES) == 0
        build_into(store, valid_data)
        app.state.store.check_interval = 0
        assert count(client, STATES) == 2
