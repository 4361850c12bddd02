"""The REST facade on the curated data: the answers planners ask for."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.config import Settings

GB_TO_DE = {"from": "state/gb", "to": "state/de", "function": "surrender"}


@pytest.fixture(scope="module")
def curated_api(built_curated_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = tmp_path_factory.mktemp("curated-api") / "store"
    shutil.copytree(built_curated_store, store, symlinks=True)
    with TestClient(create_app(Settings(store=store, log_level="WARNING"))) as client:
        yield client


@pytest.mark.parametrize(
    ("at", "instrument"),
    [("2020-06-01", "instrument/eaw-framework-decision"), ("2021-06-01", "instrument/eu-uk-tca")],
)
def test_the_uks_surrender_path_to_germany_follows_the_date(curated_api: TestClient, at: str, instrument: str) -> None:
    response = curated_api.get(
        "/api/v1/paths", params={"from": "state/gb", "to": "state/de", "function": "surrender", "at": at}
    )
    assert response.status_code == 200
    best = response.json()["paths"][0]
    assert (best["kind"], best["applies"]) == ("direct", True)
    assert best["steps"][0]["way"]["basis"]["key"] == instrument
    for link in best["steps"][0]["way"]["links"]:
        assert link["explanation"], "every derived link comes with the records behind it"


def test_the_tca_binds_germany_through_the_union(curated_api: TestClient) -> None:
    body = curated_api.get(
        "/api/v1/paths", params={"from": "state/gb", "to": "state/de", "function": "surrender", "at": "2021-06-01"}
    ).json()
    link = body["paths"][0]["steps"][0]["way"]["links"][0]
    germany = next(s for s in link["explanation"] if s["actor"]["key"] == "state/de")
    assert {origin["basis"]["key"] for origin in germany["derived_from"]} == {
        "instrument/eu-uk-tca",
        "instrument/eu-treaties",
    }


def test_prum_between_the_uk_and_germany_says_which_start_is_only_confirmed(curated_api: TestClient) -> None:
    params = {"from": "state/gb", "to": "state/de", "function": "dna-comparison", "at": "2021-06-01"}
    body = curated_api.get("/api/v1/paths", params=params).json()
    (step,) = next(p for p in body["paths"] if p["steps"][0]["way"]["basis"]["key"] == "channel/prum-dna")["steps"]
    records = {s["actor"]["key"]: s for link in step["way"]["links"] for s in link["explanation"]}
    # Germany's start is the day the UK's pilot run confirmed it; the UK's is the TCA's first day
    assert (records["state/de"]["start"], records["state/de"]["start_confirmed_only"]) == ("2018-10-11", True)
    assert (records["state/gb"]["start"], records["state/gb"]["start_confirmed_only"]) == ("2021-01-01", False)
    # the link starts with the UK's TCA access, an exact day
    assert {link["start_confirmed_only"] for link in step["way"]["links"]} == {False}
    jsonld = curated_api.get("/api/v1/paths", params=params, headers={"Accept": "application/ld+json"})
    context = curated_api.get(jsonld.json()["@context"].removeprefix("http://testserver")).json()["@context"]
    assert context["start_confirmed_only"]["@id"] == "b21:startIsEarliestConfirmation"


def test_a_link_between_two_starts_only_confirmed_is_itself_only_confirmed(curated_api: TestClient) -> None:
    # Germany's and Austria's DNA exchange are both confirmed by the UK's pilot run, no earlier
    params = {"from": "state/de", "to": "state/at", "function": "dna-comparison", "at": "2019-06-01"}
    body = curated_api.get("/api/v1/paths", params=params).json()
    (step,) = next(p for p in body["paths"] if p["steps"][0]["way"]["basis"]["key"] == "channel/prum-dna")["steps"]
    (link,) = step["way"]["links"]
    assert (link["start"], link["start_confirmed_only"]) == ("2018-10-11", True)


def test_the_state_network_on_a_date(curated_api: TestClient) -> None:
    network = curated_api.get(
        "/api/v1/network", params={"at": "2021-06-01", "capability": "surrender", "limit": 1000}
    ).json()
    assert network["total_edges"] == len(network["edges"]) > 200  # a whole page, not the default's
    nodes = {node["key"] for node in network["nodes"]}
    assert {"state/gb", "state/de", "state/fr"} <= nodes
    gb_de = next(e for e in network["edges"] if {e["a"]["key"], e["b"]["key"]} == {"state/gb", "state/de"})
    assert "instrument/eu-uk-tca" in [basis["basis"]["key"] for basis in gb_de["bases"]]
    assert "instrument/eaw-framework-decision" not in [basis["basis"]["key"] for basis in gb_de["bases"]]
