"""The named queries planners and researchers use, answered on the curated data through the API."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.config import Settings
from service.queries import load_named_queries


@pytest.fixture(scope="module")
def api(built_curated_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = tmp_path_factory.mktemp("named-queries") / "store"
    shutil.copytree(built_curated_store, store, symlinks=True)
    with TestClient(create_app(Settings(store=store, log_level="WARNING"))) as client:
        yield client


def rows(api: TestClient, name: str, **params: str) -> list[dict]:  # type: ignore[type-arg]
    response = api.get(f"/api/v1/queries/{name}", params={**params, "limit": "500"})
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def keys(items: list[dict], column: str) -> set[str]:  # type: ignore[type-arg]
    return {row[column]["key"] for row in items if row.get(column)}


def test_fifteen_or_more_named_queries_are_shipped() -> None:
    assert len(load_named_queries()) >= 15


def test_instruments_for_surrender_in_force_after_the_exit(api: TestClient) -> None:
    found = keys(rows(api, "instruments-for-function", function="surrender", at="2021-06-01"), "instrument")
    assert {
        "instrument/eaw-framework-decision",
        "instrument/eu-uk-tca",
        "instrument/coe-extradition-convention",
    } <= found
    before = keys(rows(api, "instruments-for-function", function="surrender", at="2020-06-01"), "instrument")
    assert "instrument/eu-uk-tca" not in before


def test_channels_for_fingerprint_comparison(api: TestClient) -> None:
    found = rows(api, "channels-for-function", function="function/fingerprint-comparison")
    assert "channel/prum-fingerprints" in keys(found, "channel")
    prum = next(row for row in found if row["channel"]["key"] == "channel/prum-fingerprints")
    assert prum["legalBasis"]["key"].startswith("instrument/prum")


def test_agencies_of_germany_with_their_roles(api: TestClient) -> None:
    found = rows(api, "agencies-of-state", state="state/de")
    roles = {(row["agency"]["key"], row["roleLabel"]) for row in found}
    assert ("agency/de-bka", "INTERPOL National Central Bureau") in roles
    assert ("agency/de-bka", "Europol national unit") in roles
    assert ("agency/de-sirene", "SIRENE bureau") in roles


def test_the_eu_agencies_with_founding_acts_seats_and_predecessors(api: TestClient) -> None:
    found = rows(api, "eu-agencies")
    assert keys(found, "agency") == {
        "agency/europol",
        "agency/eurojust",
        "agency/frontex",
        "agency/cepol",
        "agency/eu-lisa",
        "agency/eppo",
        "agency/euda",
    }
    europol = [row for row in found if row["agency"]["key"] == "agency/europol"]
    assert {row["foundingAct"]["key"] for row in europol} == {"instrument/europol-regulation"}
    assert {row["seatCity"] for row in europol} == {"The Hague"}
    assert "agency/europol-2010" in keys(europol, "predecessor")


def test_denmarks_positions(api: TestClient) -> None:
    found = rows(api, "positions-of-state", state="state/dk", at="2022-06-01")
    positions = {(row["instrument"]["key"], row["modeLabel"]) for row in found}
    assert ("instrument/eio-directive", "opt-out") in positions
    assert ("instrument/europol-regulation", "opt-out") in positions
    assert ("instrument/eaw-framework-decision", "party") in positions


def test_the_lineage_of_the_arrest_warrant(api: TestClient) -> None:
    found = {(row["relation"], row["other"]["key"]) for row in rows(api, "instrument-lineage")}
    assert ("prevails over", "instrument/coe-extradition-convention") in found
    assert ("amended by", "instrument/eaw-amending-framework-decision-2009") in found


def test_the_uks_cooperation_partners_after_the_exit(api: TestClient) -> None:
    found = {row["partner"]["key"]: row for row in rows(api, "cooperation-partners", state="state/gb", at="2021-06-01")}
    assert found["state/de"]["instruments"] >= 1


def test_what_changed_around_the_exit(api: TestClient) -> None:
    found = {
        (row["change"], row["day"], row["actor"]["key"], row["basis"]["key"])
        for row in rows(api, "participation-changes")
    }
    assert ("ended", "2020-12-31", "state/gb", "instrument/eaw-framework-decision") in found
    assert ("began", "2021-01-01", "state/gb", "instrument/eu-uk-tca") in found
    assert ("ended", "2020-12-31", "state/gb", "channel/sis") in found


@pytest.mark.parametrize("limit", ["0", "501", "-1", "abc", "\u00b2", "\uff11\uff12"])
def test_a_limit_that_is_not_a_whole_number_in_range_is_a_clear_400(api: TestClient, limit: str) -> None:
    # a superscript two passes str.isdigit() but not int() (once a 500); full-width digits are
    # not ASCII digits either
    response = api.get("/api/v1/queries/instrument-lineage", params={"limit": limit})
    assert response.status_code == 400, response.text
    assert response.json()["detail"] == "limit must be a whole number from 1 to 500"
