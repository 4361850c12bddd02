"""Who cooperates with whom on a date, through what, and which instrument applies.

The links themselves are derived at build time by the rules in `ontology/rules/cooperation/`;
this module reads them for a date, explains them from the participations and channel accesses
they rest on, and orders the ways two actors can obtain a cooperation function by the
precedence the data states (`b21:prevailsOver`, `b21:replaces`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from array import array
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from service.namespaces import B21
from service.sparql import sparql
from service.store.base import GraphStore, Scan, Term


def date_literal(day: dt.date) -> Literal:
    return Literal(day.isoformat(), datatype=XSD.date)


def _date(value: object) -> dt.date | None:
    if value is None:
        return None
    return dt.date.fromisoformat(str(value))


@dataclass(frozen=True, slots=True)
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
    start_confirmed_only: bool = False  # b21:startIsEarliestConfirmation: began on `start` or before


@dataclass(frozen=True, slots=True)
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
    _prevails: dict[URIRef, frozenset[URIRef]] = field(default_factory=dict, repr=False, compare=False)

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
        return loser in self.prevails_over(winner)

    def prevails_over(self, winner: URIRef) -> frozenset[URIRef]:
        """Every basis `winner` prevails over, directly or through a chain; found once for each
        (a network's edges ask it for every pair of their bases)."""
        found = self._prevails.get(winner)
        if found is None:
            seen: set[URIRef] = set()
            frontier = [winner]
            while frontier:
                for beaten in self.beats.get(frontier.pop(), ()):
                    if beaten not in seen:
                        seen.add(beaten)
                        frontier.append(beaten)
            found = self._prevails[winner] = frozenset(seen)
        return found


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
        record = origins[as_iri(row["support"])].setdefault(as_iri(row["origin"]), _Record(row))
        record.add_source(row.get("source"))
    records: dict[URIRef, _Record] = {}
    for row in store.select(sparql("link-support"), {"link": link}).rows:
        records.setdefault(as_iri(row["support"]), _Record(row)).add_source(row.get("source"))
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
        origins[as_iri(row["support"])].setdefault(as_iri(row["origin"]), _Record(row)).add_source(row.get("source"))
    records: dict[URIRef, dict[URIRef, _Record]] = defaultdict(dict)
    for row in store.select(sparql(f"link-support{scope}-at"), bindings).rows:
        records[as_iri(row["link"])].setdefault(as_iri(row["support"]), _Record(row)).add_source(row.get("source"))
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


# What the link index reads, by the name LinkIndex.read gives each property's pairs.
_SCANS = {
    "links": Scan(RDF.type, object=B21.CooperationLink),
    "participations": Scan(RDF.type, object=B21.Participation),
    "accesses": Scan(RDF.type, object=B21.ChannelAccess),
    "between": Scan(B21.between),
    "start": Scan(B21.startDate, datatype=XSD.date),
    "end": Scan(B21.endDate, datatype=XSD.date),
    "confirmed": Scan(B21.startIsEarliestConfirmation, datatype=XSD.boolean),
    "via_instrument": Scan(B21.viaInstrument),
    "via_channel": Scan(B21.viaChannel),
    "lifted": Scan(B21.liftedFrom),
    "supported_by": Scan(B21.supportedBy),
    "derived_from": Scan(B21.derivedFrom),
    "participant": Scan(B21.participant),
    "instrument": Scan(B21.instrument),
    "mode": Scan(B21.participationMode),
    "accessor": Scan(B21.accessor),
    "channel": Scan(B21.channel),
    "sources": Scan(DCTERMS.source),
}


class LinkIndex:
    """Every cooperation link in a store with what it rests on, read in one pass over the
    properties involved. The links and explanations on any date are then filtered from it in
    memory: the same answers as `links_at` and `supports_at`, which join in the store for each
    date (seconds at a million triples; a scan of the properties is read once per store
    version)."""

    def __init__(self, links: list[Link], supports: dict[URIRef, tuple[Support, ...]]) -> None:
        self.links = links
        self.supports = supports
        self.by_actor: dict[URIRef, list[Link]] = defaultdict(list)
        for link in self.links:
            self.by_actor[link.a].append(link)
            self.by_actor[link.b].append(link)

    @classmethod
    def read(cls, store: GraphStore) -> LinkIndex:
        scanned = store.scan(list(_SCANS.values()))
        strings = scanned.strings
        scans = dict(zip(_SCANS, scanned.pairs, strict=True))
        typed_links, participations, accesses = (
            set(scans.pop(kind)[0::2]) for kind in ("links", "participations", "accesses")
        )
        by = {name: _multi(flat) for name, flat in scans.items()}  # each subject's objects
        between, start, end, lifted = by["between"], by["start"], by["end"], by["lifted"]
        confirmed = by["confirmed"]
        instrument, channel = by["via_instrument"], by["via_channel"]
        supported_by, derived_from, sources = by["supported_by"], by["derived_from"], by["sources"]
        participant, instrument_of, mode = by["participant"], by["instrument"], by["mode"]
        accessor, channel_of = by["accessor"], by["channel"]
        text = strings.__getitem__  # to order numbers as their strings
        terms: dict[int, URIRef] = {}
        days: dict[int, dt.date | None] = {}

        def term(number: int) -> URIRef:
            found = terms.get(number)
            if found is None:
                found = terms[number] = URIRef(strings[number])
            return found

        def dates(of: int, table: dict[int, list[int]]) -> list[dt.date]:
            """The dates `table` gives `of`, earliest first; one Python cannot read is left out."""
            found = set()
            for number in table.get(of, ()):
                if number not in days:
                    try:
                        days[number] = dt.date.fromisoformat(strings[number])
                    except ValueError:
                        days[number] = None
                if (day := days[number]) is not None:
                    found.add(day)
            return sorted(found)

        def first(numbers: list[int]) -> URIRef:  # of several values, the same one every time
            return term(min(numbers, key=text))

        def record(iri: int, kind: str, actor: list[int], basis: list[int], modes: list[int] | None) -> Support | None:
            begins = dates(iri, start)
            if not actor or not basis or not begins or (modes is not None and not modes):
                return None
            return Support(
                iri=term(iri),
                kind=kind,
                actor=first(actor),
                basis=first(basis),
                start=begins[0],
                end=next(iter(dates(iri, end)), None),
                mode=first(modes) if modes else None,
                sources=tuple(term(n) for n in sorted(set(sources.get(iri, ())), key=text)),
                start_confirmed_only=any(_true(strings[n]) for n in confirmed.get(iri, ())),
            )

        def participation(iri: int) -> Support | None:
            return record(iri, "participation", participant.get(iri, []), instrument_of.get(iri, []), mode.get(iri, []))

        known: dict[int, Support | None] = {}

        def support(iri: int) -> Support | None:
            if iri not in known:
                found = None
                if iri in participations:
                    found = participation(iri)
                if found is None and iri in accesses:
                    found = record(iri, "access", accessor.get(iri, []), channel_of.get(iri, []), None)
                if found is not None:
                    origins = (participation(n) for n in sorted(set(derived_from.get(iri, ())), key=text))
                    derived = tuple(origin for origin in origins if origin is not None)
                    if derived:
                        found = dataclasses.replace(found, derived_from=derived)
                known[iri] = found
            return known[iri]

        links, supports = [], {}
        for iri in sorted(typed_links, key=text):
            parties = [term(n) for n in sorted(set(between.get(iri, ())), key=text)]
            ends: list[dt.date | None] = list(dates(iri, end)) or [None]
            bases = [(term(n), "instrument") for n in instrument.get(iri, ())]
            if not bases:  # a link through an instrument is read as one, whatever else it names
                bases = [(term(n), "channel") for n in channel.get(iri, ())]
            for index, a in enumerate(parties):
                for b in parties[index + 1 :]:
                    for day in dates(iri, start):
                        for until in ends:
                            for basis, kind in bases:
                                links.append(Link(term(iri), a, b, basis, kind, day, until, lifted=iri in lifted))
            found = (support(n) for n in sorted(set(supported_by.get(iri, ())), key=text))
            behind = tuple(s for s in found if s is not None)
            if behind:
                supports[term(iri)] = behind
        return cls(links, supports)

    def links_at(self, at: dt.date, party: URIRef | None = None) -> list[Link]:
        """As `links_at(store, at, party)`."""
        links = self.links if party is None else self.by_actor.get(party, [])
        return [link for link in links if link.start <= at and (link.end is None or link.end >= at)]

    def supports_at(self, at: dt.date, party: URIRef | None = None) -> dict[URIRef, list[Support]]:
        """As `supports_at(store, at, party)`, for the links `links_at` gives."""
        return {
            link.iri: list(self.supports[link.iri]) for link in self.links_at(at, party) if link.iri in self.supports
        }


def _multi(flat: array[int]) -> dict[int, list[int]]:
    """Subject and object numbers alternating, as each subject's objects."""
    values: dict[int, list[int]] = defaultdict(list)
    for subject, value in zip(flat[0::2], flat[1::2], strict=True):
        values[subject].append(value)
    return values


def _true(value: object) -> bool:
    """Whether an xsd:boolean value (a literal or its lexical form) is true."""
    return value is not None and str(value).strip() in ("true", "1")


def as_iri(term: object) -> URIRef:
    """A term a query gives where only an IRI can be."""
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
            actor=as_iri(self.row["actor"]),
            basis=as_iri(self.row["basis"]),
            start=start,
            end=_date(self.row.get("end")),
            mode=mode if isinstance(mode, URIRef) else None,
            sources=tuple(sorted(self.sources)),
            derived_from=derived,
            start_confirmed_only=_true(self.row.get("confirmed")),
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
    ways = {
        basis: Way(basis, group[0].kind, tuple(sorted(group, key=_link_order))) for basis, group in candidates.items()
    }
    dominated = {
        basis
        for basis in candidates
        if any(knowledge.dominates(other, basis) for other in candidates if other != basis)
    }

    order = precedence_order(knowledge, {basis: way.kind for basis, way in ways.items()})
    applies = sorted((ways[b] for b in candidates if b not in dominated), key=lambda w: order(w.basis))
    fallbacks = sorted((ways[b] for b in dominated), key=lambda w: order(w.basis))
    return Resolution(tuple(applies), tuple(fallbacks))


def _link_order(link: Link) -> tuple[dt.date, str]:
    """Links of one way, the same order whichever store they were read from: earliest first."""
    return (link.start, str(link.iri))


def precedence_order(knowledge: Knowledge, kinds: dict[URIRef, str]) -> Callable[[URIRef], tuple[int, int, str]]:
    """A sort key over bases: instruments before channels, then those prevailing over more of
    the others first, then by label."""

    bases = frozenset(kinds)

    def key(basis: URIRef) -> tuple[int, int, str]:
        prevails = knowledge.prevails_over(basis)
        beaten = len(prevails & bases) - (basis in prevails)
        return (0 if kinds[basis] == "instrument" else 1, -beaten, knowledge.label(basis).casefold())

    return key


def functions_in_use(knowledge: Knowledge) -> set[URIRef]:
    """Every function some instrument or channel covers."""
    return set().union(*knowledge.functions.values()) if knowledge.functions else set()
