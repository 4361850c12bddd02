"""History replayed from the curated data: the UK's exit from EU instruments on 1 January 2021,
and Ireland and Denmark, not bound by the European Investigation Order."""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib import URIRef

from service.cooperation import Knowledge, Resolution, links_at, resolve, supports_of
from service.namespaces import ID
from service.scenarios import ScenarioRequest, run_scenario
from service.store.base import GraphStore

GB, DE, IE, DK, FR = (ID[f"state/{code}"] for code in ("gb", "de", "ie", "dk", "fr"))
EAW = ID["instrument/eaw-framework-decision"]
TCA = ID["instrument/eu-uk-tca"]
EUROPOL_REGULATION = ID["instrument/europol-regulation"]
EIO = ID["instrument/eio-directive"]
MLA_2000 = ID["instrument/eu-mla-convention-2000"]
MLA_1959 = ID["instrument/coe-mla-convention"]
SIS = ID["channel/sis"]
I247 = ID["channel/interpol-i247"]
EXIT = dt.date(2021, 1, 1)
LAST_DAY = dt.date(2020, 12, 31)


@pytest.fixture(scope="module")
def replay(curated_store: GraphStore):  # type: ignore[no-untyped-def]
    """The UK and Germany, the data of 31 December 2020 against that of 1 January 2021."""
    request = ScenarioRequest(at=EXIT, before=LAST_DAY, pairs=((GB, DE),))
    result = run_scenario(curated_store, request)
    return {outcome.function: outcome for outcome in result.outcomes}


def test_surrender_moves_from_the_arrest_warrant_to_the_tca(replay) -> None:  # type: ignore[no-untyped-def]
    surrender = replay[ID["function/surrender"]]
    assert surrender.before.best().basis == EAW
    assert surrender.after.best().basis == TCA
    assert EAW in surrender.lost
    assert surrender.fallback().basis == TCA


def test_sis_is_lost_with_no_eu_fallback_and_interpol_notices_remain(replay, curated_store: GraphStore) -> None:  # type: ignore[no-untyped-def]
    alerts = replay[ID["function/alerts"]]
    assert SIS in alerts.before.bases and SIS in alerts.lost
    assert alerts.fallback().basis == I247
    eu_operated = {
        row["channel"]
        for row in curated_store.select(
            """SELECT ?channel WHERE { ?channel b21:operatedBy ?operator .
                 { ?operator org:transitiveSubOrganizationOf <https://w3id.org/border21/id/organisation/eu> }
                 UNION { FILTER (?operator = <https://w3id.org/border21/id/organisation/eu>) } }"""
        ).rows
    }
    assert SIS in eu_operated
    assert not (alerts.after.bases & eu_operated), "no EU channel carries alerts between them after the exit"


def test_europol_cooperation_continues_under_the_tca(replay) -> None:  # type: ignore[no-untyped-def]
    exchange = replay[ID["function/information-exchange"]]
    assert EUROPOL_REGULATION in exchange.before.bases
    assert EUROPOL_REGULATION in exchange.lost
    assert TCA in exchange.after.bases


@pytest.mark.parametrize(
    ("partner", "function", "channel"),
    [
        (DE, ID["function/dna-comparison"], ID["channel/prum-dna"]),
        (DE, ID["function/fingerprint-comparison"], ID["channel/prum-fingerprints"]),
        # and with the member states whose own launch decisions date their access
        (ID["state/dk"], ID["function/dna-comparison"], ID["channel/prum-dna"]),
        (ID["state/pl"], ID["function/fingerprint-comparison"], ID["channel/prum-fingerprints"]),
    ],
)
def test_prum_exchange_is_kept_under_the_tca(
    curated_store: GraphStore, partner: URIRef, function: URIRef, channel: URIRef
) -> None:
    request = ScenarioRequest(at=EXIT, before=LAST_DAY, pairs=((GB, partner),), functions=(function,))
    (outcome,) = run_scenario(curated_store, request).outcomes
    assert channel in outcome.before.bases
    assert channel in outcome.after.bases and channel not in outcome.lost
    after_links = next(way for way in outcome.after.applies if way.basis == channel).links
    uk_records = [s.iri for link in after_links for s in supports_of(curated_store, link.iri) if s.actor == GB]
    assert uk_records
    assert all(
        curated_store.ask("ASK { ?record b21:accessBasis ?tca }", {"record": record, "tca": TCA})
        for record in uk_records
    ), "after the exit the UK's access rests on the TCA"


def evidence(curated_store: GraphStore, a: URIRef, b: URIRef, day: dt.date) -> Resolution:
    knowledge = Knowledge.read(curated_store)
    return resolve(links_at(curated_store, day), knowledge, a, b, ID["function/mutual-legal-assistance"])


@pytest.mark.parametrize("state", [IE, DK])
def test_states_not_bound_by_the_eio_fall_back_to_the_conventions(curated_store: GraphStore, state: URIRef) -> None:
    resolution = evidence(curated_store, state, DE, dt.date(2022, 6, 1))
    assert EIO not in resolution.available
    assert {MLA_2000, MLA_1959} <= resolution.bases


def test_between_states_bound_by_the_eio_it_displaces_the_conventions(curated_store: GraphStore) -> None:
    resolution = evidence(curated_store, FR, DE, dt.date(2022, 6, 1))
    assert resolution.best().basis == EIO  # type: ignore[union-attr]
    assert {MLA_2000, MLA_1959} <= {way.basis for way in resolution.fallbacks}
