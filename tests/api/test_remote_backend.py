"""What is particular to the remote backend: builds published to it keep what was written
through the service, and its queries are held to the timeout too."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.build.publish_remote import STAGING, upload_build
from service.store import OpenStore, StoreHome
from tests.api.conftest import TOKENS, WRITE, RemoteFixture

pytestmark = pytest.mark.slow

INSERT = "INSERT DATA { GRAPH <https://example.org/notes> { <https://example.org/n1> rdfs:label 'note'@en } }"
NOTES = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/notes> { ?s ?p ?o } }"
STATES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a b21:State }"


def count(client: TestClient, query: str) -> int:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_a_published_build_replaces_curated_graphs_and_keeps_written_ones(
    remote_fixture: RemoteFixture, tmp_path: Path, valid_data: Path, build_into
) -> None:  # type: ignore[no-untyped-def]
    remote_fixture.load(will_write=True)
    with TestClient(create_app(remote_fixture.settings(tokens=TOKENS))) as client:
        response = client.post(
            "/sparql", content=INSERT, headers={**WRITE, "Content-Type": "application/sparql-update"}
        )
        assert response.status_code == 204
        assert count(client, STATES) == 2

        with open(valid_data / "actors.ttl", "a", encoding="utf-8") as turtle:
            turtle.write(
                '\nstate:cc a b21:State ; rdfs:label "Gammaland"@en ; b21:isoCode "CC" ;'
                " dcterms:source <https://example.org/cc> .\n"
            )
        (valid_data / "instruments.ttl").rename(valid_data / "treaties.ttl")  # one graph goes, one comes
        home = StoreHome(tmp_path / "rebuilt")
        build_into(home.path, valid_data)
        with OpenStore(home, read_only=True) as local:
            upload_build(remote_fixture.store(), local)

        assert count(client, STATES) == 3
        assert count(client, NOTES) == 1
        graphs = {str(g) for g in remote_fixture.store().named_graphs()}
        assert "https://w3id.org/border21/graph/data/treaties" in graphs
        assert "https://w3id.org/border21/graph/data/instruments" not in graphs
        assert not any(g.startswith(STAGING) for g in graphs)


def test_a_remote_query_past_the_timeout_is_a_timeout_error(remote_fixture: RemoteFixture) -> None:
    remote_fixture.load(will_write=False)
    explosive = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with TestClient(create_app(remote_fixture.settings(query_timeout=2))) as client:
        response = client.get("/sparql", params={"query": explosive})
        assert response.status_code == 503
        assert count(client, STATES) == 2
