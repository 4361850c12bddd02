"""Derived cooperation follows the writes: a participation written through the service reaches
the network, paths and applicable answers once the writes have settled (and after a restart),
and leaves them when it is deleted; the derived graph is brought up to date in one transaction,
and never from a state the store has already left."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.build.reasoning import infer_and_derive
from service.config import Settings
from service.namespaces import DERIVED_GRAPH, PROVENANCE_GRAPH
from service.resources import ontology_dir
from service.store.served import ServedStore
from tests.api.conftest import copy_store

TOKEN = "0123456789abcdef"
WRITTEN = "https://example.org/written"
PARTICIPATION = f"""
PREFIX b21: <https://w3id.org/border21/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT DATA {{ GRAPH <{WRITTEN}> {{
  <https://w3id.org/border21/id/participation/arrest-warrant--dd> a b21:Participation ;
    b21:participant <https://w3id.org/border21/id/state/dd> ;
    b21:instrument <https://w3id.org/border21/id/instrument/arrest-warrant> ;
    b21:participationMode <https://w3id.org/border21/id/participation-mode/party> ;
    b21:startDate "2004-01-01"^^xsd:date ;
    <http://purl.org/dc/terms/source> <https://example.org/written-source> .
}} }}
"""
MARKED = f"ASK {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{DERIVED_GRAPH}> dcterms:modified ?when }} }}"


def update(client: TestClient, text: str) -> None:
    response = client.post(
        "/sparql",
        content=text,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 204, response.text


def bases(client: TestClient, a: str, b: str) -> list[str]:
    network = client.get("/api/v1/network", params={"at": "2020-06-01", "capability": "surrender"}).json()
    (edge,) = [e for e in network["edges"] if {e["a"]["key"], e["b"]["key"]} == {a, b}]
    return sorted(basis["basis"]["key"] for basis in edge["bases"])


def marked(client: TestClient) -> bool:
    response = client.get("/sparql", params={"query": MARKED}, headers={"Accept": "application/sparql-results+json"})
    return bool(response.json()["boolean"])


def eventually(condition, seconds: float = 60) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return bool(condition())


def service(store: Path, **settings: object) -> TestClient:
    configured = {"warm_up": True, "warm_up_settle": 0.2, "tokens": f"writer:{TOKEN}", **settings}
    return TestClient(create_app(Settings(store=store, **configured)))  # type: ignore[arg-type]


@pytest.fixture
def store(world_store_path: Path, tmp_path: Path) -> Path:
    return copy_store(world_store_path, tmp_path / "store")


@pytest.fixture
def client(store: Path) -> Iterator[TestClient]:
    with service(store) as client:
        assert eventually(lambda: client.app.state.warm_up.outcome == "done")  # type: ignore[attr-defined]
        yield client


ARREST_WARRANT, CONVENTION = "instrument/arrest-warrant", "instrument/convention"


def test_a_written_participation_reaches_the_network_and_leaves_it_when_deleted(client: TestClient) -> None:
    assert bases(client, "state/aa", "state/dd") == [CONVENTION]
    assert not marked(client)
    update(client, PARTICIPATION)
    assert eventually(lambda: bases(client, "state/aa", "state/dd") == [ARREST_WARRANT, CONVENTION])
    assert marked(client), "the derived graph says it reflects the written graphs"
    network = client.get("/api/v1/network", params={"at": "2020-06-01", "capability": "surrender"}).json()
    (edge,) = [e for e in network["edges"] if {e["a"]["key"], e["b"]["key"]} == {"state/aa", "state/dd"}]
    (warrant,) = [basis for basis in edge["bases"] if basis["basis"]["key"] == ARREST_WARRANT]
    records = {s["id"]: s for link in warrant["links"] for s in link["explanation"]}
    written = records["https://w3id.org/border21/id/participation/arrest-warrant--dd"]
    assert written["sources"] == ["https://example.org/written-source"]  # explained like any other

    paths = client.get("/api/v1/paths", params={"from": "state/dd", "to": "state/aa", "function": "surrender"})
    assert paths.json()["paths"][0]["steps"][0]["way"]["basis"]["key"] == ARREST_WARRANT  # it displaces the convention

    update(client, f"DROP GRAPH <{WRITTEN}>")
    assert eventually(lambda: bases(client, "state/aa", "state/dd") == [CONVENTION])
    assert eventually(lambda: not marked(client)), "with nothing written, the derived graph is the build's again"


def test_after_a_restart_the_written_graphs_are_derived_from_at_start_up(store: Path) -> None:
    with service(store, rederive_max_quads=0) as client:  # writes that derived cooperation does not follow
        update(client, PARTICIPATION)
        time.sleep(0.6)
        assert bases(client, "state/aa", "state/dd") == [CONVENTION]
    with service(store) as client:
        assert eventually(lambda: client.app.state.warm_up.outcome == "done")  # type: ignore[attr-defined]
        assert bases(client, "state/aa", "state/dd") == [ARREST_WARRANT, CONVENTION]


def derive(work) -> None:  # type: ignore[no-untyped-def]
    infer_and_derive(work, ontology_dir())


@pytest.fixture
def served(store: Path) -> Iterator[ServedStore]:
    served = ServedStore(Settings(store=store, tokens=f"writer:{TOKEN}"))  # type: ignore[call-arg]
    yield served
    served.close()


def test_with_nothing_written_the_builds_derivation_stands(served: ServedStore) -> None:
    key = served.cache_key()
    assert served.derive_again(derive, 10**9) == 0
    assert served.cache_key() == key, "nothing was written"


def test_a_state_left_while_deriving_is_not_written(served: ServedStore) -> None:
    served.update(PARTICIPATION)
    derived = served.triple_count(DERIVED_GRAPH)

    def derive_while_a_write_lands(work) -> None:  # type: ignore[no-untyped-def]
        derive(work)
        served.update(f'INSERT DATA {{ GRAPH <{WRITTEN}> {{ <https://example.org/x> <https://example.org/y> "z" }} }}')

    assert served.derive_again(derive_while_a_write_lands, 10**9) is None
    assert served.triple_count(DERIVED_GRAPH) == derived
    assert served.derive_again(derive, 10**9) > 0  # from the state the store is in now
    assert served.triple_count(DERIVED_GRAPH) > derived
    assert served.derive_again(derive, 10**9) == 0  # and then it is up to date


def test_a_store_larger_than_the_limit_is_left_to_the_build(served: ServedStore) -> None:
    served.update(PARTICIPATION)
    derived = served.triple_count(DERIVED_GRAPH)
    assert served.derive_again(derive, 100) is None
    assert served.triple_count(DERIVED_GRAPH) == derived


def test_a_writable_service_with_nothing_built_starts_without_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with service(tmp_path / "nothing-built") as client:
        assert eventually(lambda: client.app.state.warm_up.outcome != "running")  # type: ignore[attr-defined]
        assert client.app.state.warm_up.outcome == "skipped"  # type: ignore[attr-defined]
    assert "refresh_failed" not in caplog.text
