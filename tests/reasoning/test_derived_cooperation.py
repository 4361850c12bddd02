"""Cooperation links derived by the rules in ontology/rules/cooperation/, and the resolution of
what applies between two actors, on the invented world."""

from __future__ import annotations

import datetime as dt

from rdflib import URIRef

from service.cooperation import Knowledge, links_at, resolve, supports_of
from service.namespaces import ID
from service.store.base import GraphStore

AA, BB, CC, DD = (ID[f"state/{code}"] for code in ("aa", "bb", "cc", "dd"))
UNION = ID["organisation/union"]
ARREST_WARRANT = ID["instrument/arrest-warrant"]
CONVENTION = ID["instrument/convention"]
AGREEMENT = ID["instrument/exit-agreement"]
ALERT_SYSTEM = ID["channel/alert-system"]
GLOBAL_NETWORK = ID["channel/global-network"]
SURRENDER = ID["function/surrender"]
ALERTS = ID["function/alerts"]
INFORMATION_EXCHANGE = ID["function/information-exchange"]


def bases(store: GraphStore, day: str, a: URIRef, b: URIRef) -> set[URIRef]:
    return {link.basis for link in links_at(store, dt.date.fromisoformat(day)) if {link.a, link.b} == {a, b}}


def test_states_bound_by_one_instrument_are_linked_over_the_overlap(world: GraphStore) -> None:
    assert ARREST_WARRANT in bases(world, "2010-06-01", AA, CC)
    assert ARREST_WARRANT not in bases(world, "2003-12-31", AA, CC)
    assert ARREST_WARRANT in bases(world, "2020-12-31", AA, CC)
    assert ARREST_WARRANT not in bases(world, "2021-01-01", AA, CC)


def test_an_opt_out_gives_no_link(world: GraphStore) -> None:
    assert ARREST_WARRANT not in bases(world, "2010-06-01", AA, BB)
    assert CONVENTION in bases(world, "2010-06-01", AA, BB)


def test_members_are_bound_through_their_organisation_but_not_linked_to_each_other(world: GraphStore) -> None:
    assert AGREEMENT in bases(world, "2021-06-01", AA, CC)
    assert AGREEMENT in bases(world, "2021-06-01", BB, CC)
    assert AGREEMENT not in bases(world, "2021-06-01", AA, BB)  # same side of the agreement
    assert AGREEMENT not in bases(world, "2020-06-01", AA, CC)


def test_a_state_that_left_the_union_is_not_bound_through_it(world: GraphStore) -> None:
    # Gammaland's membership ended on 31 December 2020; the agreement started the next day
    rows = world.select(
        "SELECT ?member ?p WHERE { ?p a b21:DerivedParticipation ; b21:participant ?member }",
    ).rows
    assert {row["member"] for row in rows} == {AA, BB}


def test_agency_access_is_lifted_to_state_level(world: GraphStore) -> None:
    links = [link for link in links_at(world, dt.date(2016, 1, 1)) if link.basis == ALERT_SYSTEM]
    pairs = {(link.a, link.b, link.lifted) for link in links}
    assert (ID["agency/aa-bureau"], ID["agency/cc-bureau"], False) in pairs
    assert (AA, CC, True) in pairs


def test_every_link_is_explained_by_sourced_records(world: GraphStore) -> None:
    links = links_at(world, dt.date(2021, 6, 1))
    assert links
    for link in links:
        supports = supports_of(world, link.iri)
        assert len(supports) == 2, link
        for support in supports:
            assert support.sources or support.derived_from, support
            for origin in support.derived_from:
                assert origin.sources


def test_a_derived_participation_is_explained_by_membership_and_the_organisations_participation(
    world: GraphStore,
) -> None:
    (link,) = [
        found
        for found in links_at(world, dt.date(2021, 6, 1))
        if found.basis == AGREEMENT and {found.a, found.b} == {AA, CC}
    ]
    derived = next(s for s in supports_of(world, link.iri) if s.actor == AA)
    assert {origin.iri for origin in derived.derived_from} == {
        ID["participation/exit-agreement--union"],
        ID["participation/union-treaty--aa"],
    }


def test_the_instrument_that_prevails_applies_and_the_other_is_the_fallback(world: GraphStore) -> None:
    knowledge = Knowledge.read(world)
    resolution = resolve(links_at(world, dt.date(2010, 6, 1)), knowledge, AA, CC, SURRENDER)
    assert [w.basis for w in resolution.applies] == [ARREST_WARRANT]
    assert [w.basis for w in resolution.fallbacks] == [CONVENTION]
    # Betaland opted out of the arrest warrant: the convention applies with Alphaland
    resolution = resolve(links_at(world, dt.date(2010, 6, 1)), knowledge, AA, BB, SURRENDER)
    assert [w.basis for w in resolution.applies] == [CONVENTION]


def test_functions_are_covered_by_narrower_ones_not_broader(world: GraphStore) -> None:
    knowledge = Knowledge.read(world)
    links = links_at(world, dt.date(2016, 1, 1))
    assert ALERT_SYSTEM in resolve(links, knowledge, AA, CC, INFORMATION_EXCHANGE).bases  # alerts are exchange
    assert resolve(links, knowledge, AA, CC, ID["function/fingerprint-comparison"]).bases == set()


def test_channels_come_after_instruments(world: GraphStore) -> None:
    knowledge = Knowledge.read(world)
    resolution = resolve(links_at(world, dt.date(2021, 6, 1)), knowledge, AA, CC, INFORMATION_EXCHANGE)
    assert [w.kind for w in resolution.applies] == ["instrument", "channel"]
