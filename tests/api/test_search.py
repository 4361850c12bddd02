"""/api/v1/search and /api/v1/search/autocomplete over the valid fixture on both backends, and
the search over the curated data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service import resources
from service.api import create_app
from service.build import pipeline
from service.config import Settings
from service.store import StoreHome
from tests.api.conftest import WRITE

ID = "https://w3id.org/border21/id/"


def search(client: TestClient, **parameters: object) -> list[dict[str, Any]]:
    response = client.get("/api/v1/search", params=parameters)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def keys(items: list[dict[str, Any]]) -> list[str]:
    return [item["key"] for item in items]


def test_an_acronym_finds_its_resource_first(reader: TestClient) -> None:
    first = search(reader, q="AP")[0]
    assert first["id"] == f"{ID}agency/aa-police"
    assert first["key"] == "agency/aa-police"
    assert first["type"] == "agency"
    assert first["label"] == "Alphaland Police"
    assert first["matched"] == {"field": "acronym", "text": "AP", "by": "exact"}
    assert first["score"] > 4


def test_a_celex_number_finds_its_act(reader: TestClient) -> None:
    items = search(reader, q="32016r0794")
    assert keys(items) == ["instrument/office-regulation"]
    assert items[0]["matched"] == {"field": "celexNumber", "text": "32016R0794", "by": "exact"}


@pytest.mark.parametrize("q", ["ETS 999", "ets999", "ETS-0999"])
def test_a_treaty_number_is_found_however_it_is_written(reader: TestClient, q: str) -> None:
    assert keys(search(reader, q=q))[0] == "instrument/old-convention"


def test_an_iso_code_finds_its_state(reader: TestClient) -> None:
    items = search(reader, q="bb")
    assert items[0]["key"] == "state/bb" and items[0]["matched"]["field"] == "isoCode"


@pytest.mark.parametrize("q", ["Betalnd", "alfaland police", "ALPHALAND POLIZE"])
def test_a_label_with_typos_is_found(reader: TestClient, q: str) -> None:
    items = search(reader, q=q)
    assert items, q
    assert items[0]["key"] in ("state/bb", "agency/aa-police")
    assert items[0]["matched"]["by"] == "fuzzy"


def test_a_prefix_finds_the_names_it_starts(reader: TestClient) -> None:
    items = search(reader, q="Alphaland Po")
    assert keys(items) == ["agency/aa-police"]
    assert items[0]["matched"] == {"field": "label", "text": "Alphaland Police", "by": "prefix"}


def test_exact_beats_prefix_beats_words(reader: TestClient) -> None:
    items = search(reader, q="alphaland")
    assert keys(items)[:2] == ["state/aa", "agency/aa-police"]
    assert [item["matched"]["by"] for item in items[:2]] == ["exact", "prefix"]
    assert items[0]["score"] > items[1]["score"]


def test_kind_filters_the_hits(reader: TestClient) -> None:
    assert keys(search(reader, q="alphaland", kind="agency")) == ["agency/aa-police"]
    assert keys(search(reader, q="alphaland", kind="state")) == ["state/aa"]
    both = search(reader, q="union", kind="agency,channel")
    assert set(keys(both)) == {"agency/union-office", "channel/union-net"}


def test_pages_are_linked(reader: TestClient) -> None:
    everything = reader.get("/api/v1/search", params={"q": "union", "kind": "instrument,agency,channel"}).json()
    assert everything["total"] >= 4
    seen: list[str] = []
    url = "/api/v1/search?q=union&kind=instrument%2Cagency%2Cchannel&limit=2"
    pages = 0
    while url:
        response = reader.get(url)
        body = response.json()
        assert body["total"] == everything["total"] and body["limit"] == 2
        seen += keys(body["items"])
        links = response.links
        if pages:
            assert "prev" in links
        url = links["next"]["url"] if "next" in links else ""
        pages += 1
    assert pages == (everything["total"] + 1) // 2
    assert seen == keys(everything["items"])


def test_autocomplete_completes_names_and_identifiers(reader: TestClient) -> None:
    response = reader.get("/api/v1/search/autocomplete", params={"q": "alpha"})
    assert response.status_code == 200
    body = response.json()
    assert body["q"] == "alpha"
    assert keys(body["items"])[:2] == ["state/aa", "agency/aa-police"]
    assert keys(reader.get("/api/v1/search/autocomplete", params={"q": "3201"}).json()["items"]) == [
        "instrument/office-regulation"
    ]
    limited = reader.get("/api/v1/search/autocomplete", params={"q": "u", "limit": 2}).json()["items"]
    assert len(limited) == 2
    assert reader.get("/api/v1/search/autocomplete", params={"q": "u", "limit": 26}).status_code == 422


@pytest.mark.parametrize(
    ("parameters", "detail"),
    [
        ({}, "q is required"),
        ({"q": ""}, "q is required"),
        ({"q": "   "}, "q is required"),
        ({"q": "x" * 201}, "q is too long"),
        ({"q": "?!/"}, "at least one letter or digit"),
        ({"q": "police", "kind": "planet"}, "unknown kind 'planet'"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/search/autocomplete"])
def test_a_bad_query_is_400_with_a_clear_detail(
    reader: TestClient, path: str, parameters: dict[str, str], detail: str
) -> None:
    response = reader.get(path, params=parameters)
    assert response.status_code == 400
    assert detail in response.json()["detail"]


def test_the_index_follows_a_write(writer: TestClient) -> None:
    assert search(writer, q="Gammaland") == []
    update = (
        f"INSERT DATA {{ GRAPH <https://w3id.org/border21/graph/partner/notes> {{ "
        f'<{ID}agency/cc-customs> a b21:CustomsAuthority ; rdfs:label "Gammaland Customs"@en ; b21:acronym "GCS" '
        "} }"
    )
    response = writer.post("/sparql", content=update, headers={**WRITE, "Content-Type": "application/sparql-update"})
    assert response.status_code == 204, response.text
    for q in ("Gammaland", "gcs", "gamaland customs"):
        items = search(writer, q=q)
        assert keys(items)[:1] == ["agency/cc-customs"], q
    assert search(writer, q="GCS")[0]["label"] == "Gammaland Customs"


# -- the curated data ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def curated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    home = tmp_path_factory.mktemp("curated-search") / "store"
    pipeline.build(StoreHome(home), resources.ontology_dir(), resources.data_dir())
    with TestClient(create_app(Settings(store=home))) as client:
        yield client


def test_the_curated_data_is_found_by_acronym_and_celex(curated: TestClient) -> None:
    assert search(curated, q="EAW")[0]["key"] == "instrument/eaw-framework-decision"
    assert search(curated, q="32016R0794")[0]["key"] == "instrument/europol-regulation"
    assert search(curated, q="ETS 24")[0]["key"] == "instrument/coe-extradition-convention"
    prum = search(curated, q="PRUM", kind="channel")
    assert prum and all(item["type"] == "channel" and "Prüm" in item["matched"]["text"] for item in prum)
