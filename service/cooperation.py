"""Who cooperates with whom on a date, through what, and which instrument applies.

The links themselves are derived at build time by the rules in `ontology/rules/cooperation/`;
this module reads them for a date, explains them from the participations and channel accesses
they rest on, and orders the ways two actors can obtain a cooperation function by the
precedence the data states (`b21:prevailsOver`, `b21:replaces`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from service.sparql import sparql
from service.store.base import GraphStore, Term


def date_literal(day: dt.date) -> Literal:
    return Literal(day.isoformat(), datatype=XSD.date)


def _date(value: object) -> dt.date | None:
    if value is None:
        return None
    return dt.date.fromisoformat(str(value))


@dataclass(frozen=True)
class Support:
    """A participation or channel access a link rests on."""

    iri: URIRef
    kind: str  # participation | access
    actor: URIRef
    basis: URIRef
    start: dt.date
    end: dt.date | None
    mode: URIRef | None = None
    sources: tuple[URIRef, ...] = ()
    derived_from: tuple[Support, ...] = ()


@dataclass(frozen=True)
class Link:
    """Two actors joined through one instrument or channel on a date."""

    iri: URIRef
    a: URIRef
    b: URIRef
    basis: URIRef
    kind: str  # instrument | channel
    start: dt.date
    end: dt.date | None
    lifted: bool = False

    def other(self, actor: URIRef) -> URIRef:
        return self.b if actor == self.a else self.a


@dataclass
class Knowledge:
    """What the resolution reads once per store version: functions of each basis, the
    precedence between instruments and the labels."""

    functions: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    beats: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    labels: dict[URIRef, str] = field(default_factory=dict)
    superclasses: dict[URIRef, set[URIRef]] = field(default_factory=dict)

    @classmethod
    def read(cls, store: GraphStore) -> Knowledge:
        functions: dict[URIRef, set[URIRef]] = defaultdict(set)
        for row in store.select(sparql("basis-functions")).rows:
            functions[row["basis"]].add(row["function"])  # type: ignore[index,arg-type]
        beats: dict[URIRef, set[URIRef]] = defaultdict(set)
        for row in store.select(sparql("precedence")).rows:
            beats[row["winner"]].add(row["loser"])  # type: ignore[index,arg-type]
        labels = {row["resource"]: str(row["label"]) for row in store.select(sparql("labels")).rows}
        superclasses: dict[URIRef, set[URIRef]] = defaultdict(set)
        for row in store.select(sparql("superclasses")).rows:
            superclasses[row["class"]].add(row["super"])  # type: ignore[index,arg-type]
        return cls(dict(functions), dict(beats), labels, dict(superclasses))  # type: ignore[arg-type]

    def most_specific(self, classes: set[URIRef]) -> list[URIRef]:
        """The classes none of the others is a subclass of."""
        general = set().union(*(self.superclasses.get(c, set()) for c in classes)) if classes else set()
        return sorted(classes - general)

    def label(self, iri: URIRef) -> str:
        return self.labels.get(iri, str(iri).rsplit("/", 1)[-1])

    def covers(self, basis: URIRef, function: URIRef) -> bool:
        return function in self.functions.get(basis, set())

    def dominates(self, winner: URIRef, loser: URIRef) -> bool:
        """Whether `winner` prevails over `loser`, directly or through a chain."""
        seen, frontier = set(), [winner]
        while frontier:
            current = frontier.pop()
            for beaten in self.beats.get(current, ()):
                if beaten == loser:
                    return True
                if beaten not in seen:
                    seen.add(beaten)
                    frontier.append(beaten)
        return False


def links_at(store: GraphStore, at: dt.date, party: URIRef | None = None) -> list[Link]:
    """The links holding on `at`; with `party`, only that actor's (read without the others)."""
    if party is None:
        rows = store.select(sparql("links-at"), {"at": date_literal(at)}).rows
    else:
        rows = store.select(sparql("links-of-actor-at"), {"at": date_literal(at), "party": party}).rows
    links = []
    for row in rows:
        instrument, channel = row.get("instrument"), row.get("channel")
        basis = instrument or channel
        if basis is None:
            continue
        links.append(
            Link(
                iri=row["link"],  # type: ignore[arg-type]
                a=row["a"],  # type: ignore[arg-type]
                b=row["b"],  # type: ignore[arg-type]
                basis=basis,  # type: ignore[arg-type]
                kind="instrument" if instrument is not None else "channel",
                start=_date(row["start"]),  # type: ignore[arg-type]
                end=_date(row.get("end")),
                lifted=str(row.get("lifted")) == "true",
            )
        )
    return links


def supports_of(store: GraphStore, link: URIRef) -> list[Support]:
    """The participations and accesses a link rests on, with their sources, and for derived
    participations the ones they derive from."""
    origins: dict[URIRef, dict[URIRef, _Record]] = defaultdict(dict)
    for row in store.select(sparql("derived-support"), {"link": link}).rows:
        record = origins[_iri(row["support"])].setdefault(_iri(row["origin"]), _Record(row))
        record.add_source(row.get("source"))
    records: dict[URIRef, _Record] = {}
    for row in store.select(sparql("link-support"), {"link": link}).rows:
        records.setdefault(_iri(row["support"]), _Record(row)).add_source(row.get("source"))
    supports = []
    for iri, record in sorted(records.items()):
        derived = tuple(
            origin.support(origin_iri, "participation") for origin_iri, origin in sorted(origins[iri].items())
        )
        supports.append(record.support(iri, str(record.row["kind"]), derived))
    return supports


def supports_at(store: GraphStore, at: dt.date, party: URIRef | None = None) -> dict[URIRef, list[Support]]:
    """What every link holding on `at` rests on, read in two queries; with `party`, only what
    that actor's links rest on."""
    bindings: dict[str, Term] = {"at": date_literal(at)}
    scope = ""
    if party is not None:
        bindings["party"], scope = party, "-of-actor"
    origins: dict[URIRef, dict[URIRef, _Record]] = defaultdict(dict)
    for row in store.select(sparql(f"derived-support{scope}-at"), bindings).rows:
        origins[_iri(row["support"])].setdefault(_iri(row["origin"]), _Record(row)).add_source(row.get("source"))
    records: dict[URIRef, dict[URIRef, _Record]] = defaultdict(dict)
    for row in store.select(sparql(f"link-support{scope}-at"), bindings).rows:
        records[_iri(row["link"])].setdefault(_iri(row["support"]), _Record(row)).add_source(row.get("source"))
    explained: dict[URIRef, list[Support]] = {}
    for link, supports in records.items():
        explained[link] = [
            record.support(
                iri,
                str(record.row["kind"]),
                tuple(origin.support(o, "participation") for o, origin in sorted(origins[iri].items())),
            )
            for iri, record in sorted(supports.items())
        ]
    return explained


def _iri(term: object) -> URIRef:
    assert isinstance(term, URIRef), term
    return term


class _Record:
    """Rows of one participation or access, one per source, gathered."""

    def __init__(self, row: dict[str, Term | None]) -> None:
        self.row = row
        self.sources: set[URIRef] = set()

    def add_source(self, source: object) -> None:
        if isinstance(source, URIRef):
            self.sources.add(source)

    def support(self, iri: URIRef, kind: str, derived: tuple[Support, ...] = ()) -> Support:
        mode = self.row.get("mode")
        start = _date(self.row["start"])
        assert start is not None
        return Support(
            iri=iri,
            kind=kind,
            actor=_iri(self.row["actor"]),
            basis=_iri(self.row["basis"]),
            start=start,
            end=_date(self.row.get("end")),
            mode=mode if isinstance(mode, URIRef) else None,
            sources=tuple(sorted(self.sources)),
            derived_from=derived,
        )


@dataclass(frozen=True)
class Way:
    """One instrument or channel through which an actor can obtain a function from another."""

    basis: URIRef
    kind: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Resolution:
    """For two actors, a function and a date: what applies (the instruments no other applicable
    one prevails over, and the channels), and what would apply if those went: the fallbacks."""

    applies: tuple[Way, ...]
    fallbacks: tuple[Way, ...]

    @property
    def bases(self) -> set[URIRef]:
        return {way.basis for way in self.applies}

    @property
    def available(self) -> set[URIRef]:
        return self.bases | {way.basis for way in self.fallbacks}

    def best(self) -> Way | None:
        return self.applies[0] if self.applies else None


def ways_between(links: list[Link], a: URIRef, b: URIRef) -> dict[URIRef, list[Link]]:
    """The links joining a and b directly, grouped by the instrument or channel behind them."""
    grouped: dict[URIRef, list[Link]] = defaultdict(list)
    for link in links:
        if {link.a, link.b} == {a, b}:
            grouped[link.basis].append(link)
    return grouped


def resolve(links: list[Link], knowledge: Knowledge, a: URIRef, b: URIRef, function: URIRef) -> Resolution:
    """Which instruments and channels give a the function from b on the links' date."""
    candidates = {
        basis: group for basis, group in ways_between(links, a, b).items() if knowledge.covers(basis, function)
    }
    ways = {basis: Way(basis, group[0].kind, tuple(group)) for basis, group in candidates.items()}
    dominated = {
        basis
        for basis in candidates
        if any(knowledge.dominates(other, basis) for other in candidates if other != basis)
    }

    order = precedence_order(knowledge, {basis: way.kind for basis, way in ways.items()})
    applies = sorted((ways[b] for b in candidates if b not in dominated), key=lambda w: order(w.basis))
    fallbacks = sorted((ways[b] for b in dominated), key=lambda w: order(w.basis))
    return Resolution(tuple(applies), tuple(fallbacks))


def precedence_order(knowledge: Knowledge, kinds: dict[URIRef, str]) -> Callable[[URIRef], tuple[int, int, str]]:
    """A sort key over bases: instruments before channels, then those prevailing over more of
    the others first, then by label."""

    def key(basis: URIRef) -> tuple[int, int, str]:
        beaten = sum(knowledge.dominates(basis, other) for other in kinds if other != basis)
        return (0 if kinds[basis] == "instrument" else 1, -beaten, knowledge.label(basis).casefold())

    return key


def functions_in_use(knowledge: Knowledge) -> set[URIRef]:
    """Every function some instrument or channel covers."""
    return set().union(*knowledge.functions.values()) if knowledge.functions else set()
