"""The resources of the graph as applications see them: actors, instruments, channels and
capabilities, listed with filters, and any resource in detail."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import URIRef

from service.cooperation import Knowledge, date_literal
from service.errors import NotFound
from service.keys import key_of
from service.namespaces import B21
from service.sparql import sparql
from service.store.base import GraphStore, Term

# The classes that say what kind of instrument or channel a resource is, most specific first.
INSTRUMENT_KINDS = {
    B21.Protocol: "protocol",
    B21.Treaty: "treaty",
    B21.Regulation: "regulation",
    B21.Directive: "directive",
    B21.FrameworkDecision: "framework-decision",
    B21.CouncilDecision: "council-decision",
    B21.BilateralAgreement: "bilateral-agreement",
    B21.InternationalAgreement: "international-agreement",
    B21.WorkingArrangement: "working-arrangement",
    B21.SecurityCouncilResolution: "security-council-resolution",
}
CHANNEL_KINDS = {
    B21.InformationSystem: "information-system",
    B21.CommunicationNetwork: "communication-network",
    B21.CooperationNetwork: "cooperation-network",
}


def _first(classes: set[URIRef], table: dict[URIRef, str]) -> str | None:
    return next((name for cls, name in table.items() if cls in classes), None)


def _date(term: Term | None) -> dt.date | None:
    return None if term is None else dt.date.fromisoformat(str(term))


@dataclass
class Actor:
    iri: URIRef
    label: str
    classes: set[URIRef] = field(default_factory=set)
    iso: str | None = None
    parents: set[URIRef] = field(default_factory=set)
    states: set[URIRef] = field(default_factory=set)

    @property
    def kind(self) -> str:
        key = key_of(self.iri)
        return key.split("/", 1)[0] if key else "actor"


@dataclass
class Instrument:
    iri: URIRef
    label: str
    classes: set[URIRef] = field(default_factory=set)
    acronyms: set[str] = field(default_factory=set)
    identifiers: dict[str, str] = field(default_factory=dict)
    adopted: dt.date | None = None
    in_force: dt.date | None = None
    applies: dt.date | None = None
    ended: dt.date | None = None

    @property
    def kind(self) -> str | None:
        return _first(self.classes, INSTRUMENT_KINDS)

    def in_force_on(self, day: dt.date) -> bool:
        start = self.applies or self.in_force
        return start is not None and start <= day and (self.ended is None or self.ended >= day)


@dataclass
class Channel:
    iri: URIRef
    label: str
    classes: set[URIRef] = field(default_factory=set)
    acronyms: set[str] = field(default_factory=set)
    operators: set[URIRef] = field(default_factory=set)
    legal_bases: set[URIRef] = field(default_factory=set)
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def kind(self) -> str | None:
        return _first(self.classes, CHANNEL_KINDS)


def actors(store: GraphStore) -> list[Actor]:
    found: dict[URIRef, Actor] = {}
    for row in store.select(sparql("actors")).rows:
        iri = row["actor"]
        assert isinstance(iri, URIRef)
        actor = found.setdefault(iri, Actor(iri, str(row.get("label") or iri)))
        if row.get("label") is not None:
            actor.label = str(row["label"])
        if isinstance(row.get("class"), URIRef):
            actor.classes.add(row["class"])  # type: ignore[arg-type]
        if row.get("iso") is not None:
            actor.iso = str(row["iso"])
        if isinstance(row.get("parent"), URIRef):
            actor.parents.add(row["parent"])  # type: ignore[arg-type]
        if isinstance(row.get("state"), URIRef):
            actor.states.add(row["state"])  # type: ignore[arg-type]
    return sorted(found.values(), key=lambda a: a.label.casefold())


def instruments(store: GraphStore) -> list[Instrument]:
    found: dict[URIRef, Instrument] = {}
    for row in store.select(sparql("instruments")).rows:
        iri = row["instrument"]
        assert isinstance(iri, URIRef)
        item = found.setdefault(iri, Instrument(iri, str(row.get("label") or iri)))
        if row.get("label") is not None:
            item.label = str(row["label"])
        if isinstance(row.get("class"), URIRef):
            item.classes.add(row["class"])  # type: ignore[arg-type]
        if row.get("acronym") is not None:
            item.acronyms.add(str(row["acronym"]))
        for name in ("celex", "eli", "treaty", "symbol"):
            if row.get(name) is not None:
                item.identifiers[name] = str(row[name])
        item.adopted = item.adopted or _date(row.get("adopted"))
        item.in_force = item.in_force or _date(row.get("inForce"))
        item.applies = item.applies or _date(row.get("applies"))
        item.ended = item.ended or _date(row.get("ended"))
    return sorted(found.values(), key=lambda i: i.label.casefold())


def channels(store: GraphStore) -> list[Channel]:
    found: dict[URIRef, Channel] = {}
    for row in store.select(sparql("channels")).rows:
        iri = row["channel"]
        assert isinstance(iri, URIRef)
        item = found.setdefault(iri, Channel(iri, str(row.get("label") or iri)))
        if row.get("label") is not None:
            item.label = str(row["label"])
        if isinstance(row.get("class"), URIRef):
            item.classes.add(row["class"])  # type: ignore[arg-type]
        if row.get("acronym") is not None:
            item.acronyms.add(str(row["acronym"]))
        if isinstance(row.get("operator"), URIRef):
            item.operators.add(row["operator"])  # type: ignore[arg-type]
        if isinstance(row.get("basis"), URIRef):
            item.legal_bases.add(row["basis"])  # type: ignore[arg-type]
        item.start = item.start or _date(row.get("start"))
        item.end = item.end or _date(row.get("end"))
    return sorted(found.values(), key=lambda c: c.label.casefold())


def bound_at(store: GraphStore, day: dt.date) -> dict[URIRef, set[URIRef]]:
    """Instrument -> the actors bound by it on `day`."""
    bound: dict[URIRef, set[URIRef]] = defaultdict(set)
    for row in store.select(sparql("bound-at"), {"at": date_literal(day)}).rows:
        bound[row["instrument"]].add(row["actor"])  # type: ignore[index,arg-type]
    return dict(bound)


def access_at(store: GraphStore, day: dt.date) -> dict[URIRef, set[URIRef]]:
    """Channel -> the actors with access to it on `day`."""
    access: dict[URIRef, set[URIRef]] = defaultdict(set)
    for row in store.select(sparql("access-at"), {"at": date_literal(day)}).rows:
        access[row["channel"]].add(row["actor"])  # type: ignore[index,arg-type]
    return dict(access)


def actors_covering(
    knowledge: Knowledge, bound: dict[URIRef, set[URIRef]], access: dict[URIRef, set[URIRef]], capability: URIRef
) -> set[URIRef]:
    """Actors bound by an instrument, or with access to a channel, that covers `capability`."""
    covered: set[URIRef] = set()
    for basis, members in (*bound.items(), *access.items()):
        if knowledge.covers(basis, capability):
            covered |= members
    return covered


# -- capabilities ----------------------------------------------------------------------------


@dataclass
class Concept:
    iri: URIRef
    label: str
    definition: str | None
    broader: set[URIRef] = field(default_factory=set)
    narrower: list[Concept] = field(default_factory=list)


def concept_tree(store: GraphStore, scheme: URIRef) -> list[Concept]:
    """The concepts of one scheme as a tree, top concepts first, each level by label."""
    concepts: dict[URIRef, Concept] = {}
    for row in store.select(sparql("concepts"), {"scheme": scheme}).rows:
        iri = row["concept"]
        assert isinstance(iri, URIRef)
        concept = concepts.setdefault(
            iri, Concept(iri, str(row["label"]), str(row["definition"]) if row.get("definition") is not None else None)
        )
        if isinstance(row.get("broader"), URIRef):
            concept.broader.add(row["broader"])  # type: ignore[arg-type]
    if not concepts:
        raise NotFound(f"no concept scheme {scheme}")
    roots = []
    for concept in concepts.values():
        parents = [concepts[b] for b in concept.broader if b in concepts]
        for parent in parents:
            parent.narrower.append(concept)
        if not parents:
            roots.append(concept)
    for concept in concepts.values():
        concept.narrower.sort(key=lambda c: c.label.casefold())
    return sorted(roots, key=lambda c: c.label.casefold())


# -- one resource ----------------------------------------------------------------------------


@dataclass
class Statement:
    property: URIRef
    value: Term
    value_label: str | None = None


@dataclass
class Record:
    """A participation or channel access, as a row of a resource's detail."""

    iri: URIRef
    kind: str
    actor: URIRef
    basis: URIRef
    start: dt.date
    end: dt.date | None
    mode: URIRef | None
    derived: bool
    sources: set[URIRef] = field(default_factory=set)

    def holds_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass
class Detail:
    iri: URIRef
    statements: list[Statement]
    incoming: dict[URIRef, int]
    records: list[Record]


def detail(store: GraphStore, iri: URIRef) -> Detail:
    statements = []
    seen = set()
    for row in store.select(sparql("describe-out"), {"resource": iri}).rows:
        key = (row["property"], row["value"])
        if key in seen:
            continue
        seen.add(key)
        label = row.get("valueLabel")
        statements.append(Statement(row["property"], row["value"], str(label) if label is not None else None))  # type: ignore[arg-type]
    if not statements:
        raise NotFound(f"no resource {iri}")
    incoming = {
        row["property"]: int(str(row["count"]))
        for row in store.select(sparql("incoming-counts"), {"resource": iri}).rows
    }
    records = records_of(store, actor=iri) + records_of(store, basis=iri)
    return Detail(iri, statements, incoming, records)  # type: ignore[arg-type]


def records_of(store: GraphStore, *, actor: URIRef | None = None, basis: URIRef | None = None) -> list[Record]:
    if actor is not None:
        name, bindings = "records-of-actor", {"actor": actor}
    elif basis is not None:
        name, bindings = "records-of-basis", {"basis": basis}
    else:
        raise ValueError("records_of needs an actor or a basis")
    found: dict[URIRef, Record] = {}
    for row in store.select(sparql(name), bindings).rows:
        iri = row["record"]
        assert isinstance(iri, URIRef)
        record = found.get(iri)
        if record is None:
            start = _date(row["start"])
            assert start is not None
            mode = row.get("mode")
            record = found[iri] = Record(
                iri=iri,
                kind=str(row["kind"]),
                actor=row["actor"],  # type: ignore[arg-type]
                basis=row["basis"],  # type: ignore[arg-type]
                start=start,
                end=_date(row.get("end")),
                mode=mode if isinstance(mode, URIRef) else None,
                derived=str(row.get("derived")) == "true",
            )
        if isinstance(row.get("source"), URIRef):
            record.sources.add(row["source"])  # type: ignore[arg-type]
    return sorted(found.values(), key=lambda r: (r.start, str(r.basis), str(r.actor)))
