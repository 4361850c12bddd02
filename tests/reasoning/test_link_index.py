"""The link index answers exactly what the store's joins answer: the links on a date and what
each rests on, for every actor or one, in the invented world, the curated data and generated
data, on every date where something starts or ends."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

from rdflib import URIRef

from service import cooperation
from service.store import in_memory_store
from service.store.base import NQUADS, GraphStore


def dates_of(index: cooperation.LinkIndex) -> list[dt.date]:
    """Every date a link starts or ends on, and the day after each end."""
    days = {link.start for link in index.links}
    for link in index.links:
        if link.end is not None:
            days |= {link.end, link.end + dt.timedelta(days=1)}
    ordered = sorted(days)
    return [*ordered[:: max(1, len(ordered) // 12)], ordered[-1]]


def busiest(index: cooperation.LinkIndex, count: int) -> list[URIRef]:
    degree = Counter(actor for link in index.links for actor in (link.a, link.b))
    return [actor for actor, _ in degree.most_common(count)]


def assert_same_as_joins(store: GraphStore) -> cooperation.LinkIndex:
    index = cooperation.LinkIndex.read(store)
    for day in dates_of(index):
        for party in [None, *busiest(index, 3)]:
            joined = cooperation.links_at(store, day, party)
            assert Counter(index.links_at(day, party)) == Counter(joined), (day, party)
            assert index.supports_at(day, party) == cooperation.supports_at(store, day, party), (day, party)
    return index


def test_in_the_invented_world(world: GraphStore) -> None:
    index = assert_same_as_joins(world)
    supports = [s for behind in index.supports.values() for s in behind]
    # What the comparison covers: ended links, lifted links, derived participations, accesses,
    # and starts only confirmed (the world marks one access so; the rest are not).
    assert any(link.end is not None for link in index.links)
    assert any(link.lifted for link in index.links)
    assert any(s.derived_from for s in supports)
    assert {s.kind for s in supports} == {"participation", "access"}
    confirmed_only = {str(s.iri) for s in supports if s.start_confirmed_only}
    assert confirmed_only == {"https://w3id.org/border21/id/access/global-network--aa"}


def test_in_the_curated_data(curated_store: GraphStore) -> None:
    index = assert_same_as_joins(curated_store)
    assert len(index.links) > 100


def test_in_generated_data(generated_store: GraphStore) -> None:
    index = assert_same_as_joins(generated_store)
    assert len(index.links) > 100


def test_an_actor_without_links_has_none(world: GraphStore) -> None:
    index = cooperation.LinkIndex.read(world)
    assert index.links_at(dt.date(2021, 1, 1), URIRef("https://w3id.org/border21/id/state/nowhere")) == []


def test_untyped_look_alikes_are_neither_links_nor_supports(world: GraphStore) -> None:
    """What a user writes that looks like a link or a participation, without its type, is not
    read as one: not by the index, nor by the joins for a date, for everyone or for one actor."""
    copy = in_memory_store()
    dumped = io.BytesIO()
    world.dump(dumped, NQUADS)
    copy.load_dataset(dumped.getvalue(), NQUADS)
    index = cooperation.LinkIndex.read(copy)
    day = dt.date(2021, 1, 1)
    link = next(link for link in index.links_at(day) if index.supports_at(day).get(link.iri))
    party = link.a
    via = "viaInstrument" if link.kind == "instrument" else "viaChannel"
    copy.update(
        f"""INSERT DATA {{ GRAPH <https://example.org/notes> {{
          <https://example.org/stray-link> b21:between <{link.a}> , <{link.b}> ;
              b21:startDate "2000-01-01"^^xsd:date ; b21:{via} <{link.basis}> ;
              b21:supportedBy <https://example.org/stray-support> .
          <{link.iri}> b21:supportedBy <https://example.org/stray-support> .
          <https://example.org/stray-support> b21:participant <{party}> ; b21:instrument <{link.basis}> ;
              b21:participationMode <https://w3id.org/border21/id/participation-mode/party> ;
              b21:startDate "2000-01-01"^^xsd:date .
        }} }}"""
    )
    stray = URIRef("https://example.org/stray-link")
    for party_asked in (None, party):
        joined = cooperation.links_at(copy, day, party_asked)
        assert stray not in {found.iri for found in joined}, party_asked
        supports = cooperation.supports_at(copy, day, party_asked)
        assert URIRef("https://example.org/stray-support") not in {
            support.iri for behind in supports.values() for support in behind
        }, party_asked
    assert_same_as_joins(copy)
