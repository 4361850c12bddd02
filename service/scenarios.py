"""What-if scenarios: end, remove or add participations and channel accesses, and see per pair
of states and per cooperation function what applied before, what applies after, what is lost
and what it falls back on.

A scenario runs on in-memory copies of the part of the store its answer depends on: the
participations and accesses of the instruments and channels the changes touch (or that start
or end between the two dates compared) find the pairs of states whose links change; those of
the instruments and channels each such pair shares then say what applies to it. The changes
are applied to one copy, the cooperation rules of `ontology/rules/cooperation/` derive the
links on both, and both are resolved with the same code as the live service.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal as Choice

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from service.build.reasoning import derive_cooperation, load_rules
from service.cooperation import (
    Knowledge,
    Link,
    Resolution,
    Way,
    as_iri,
    date_literal,
    functions_in_use,
    links_at,
    resolve,
)
from service.errors import InvalidQuery, NotFound
from service.namespaces import B21, ID
from service.resources import ontology_dir
from service.sparql import sparql
from service.store import in_memory_store
from service.store.base import GraphStore, Term, Triple
from service.store.oxigraph import OxigraphStore
from service.store.worker import check_request_deadline

logger = logging.getLogger(__name__)

SCENARIO_GRAPH = URIRef("https://w3id.org/border21/graph/scenario")
_COPIED_GRAPH = URIRef("https://w3id.org/border21/graph/scenario-copy")
ChangeKind = Choice["end", "remove", "add"]


@dataclass(frozen=True)
class Change:
    """One change to the stated facts. `end`: the actor's participations in the instrument (or
    accesses to the channel) that hold on the scenario date end on `date` instead. `remove`:
    they are gone. `add`: a new participation (mode, default party) or access from `date`."""

    kind: ChangeKind
    actor: URIRef
    instrument: URIRef | None = None
    channel: URIRef | None = None
    date: dt.date | None = None
    until: dt.date | None = None
    mode: URIRef | None = None

    def __post_init__(self) -> None:
        if (self.instrument is None) == (self.channel is None):
            raise InvalidQuery("a change names exactly one of instrument or channel")
        if self.kind in ("end", "add") and self.date is None:
            raise InvalidQuery(f"a change of kind {self.kind!r} needs a date")
        if self.mode is not None and self.channel is not None:
            raise InvalidQuery("a participation mode goes with an instrument, not a channel")

    @property
    def basis(self) -> URIRef:
        """The instrument or channel changed."""
        basis = self.instrument or self.channel
        assert basis is not None
        return basis


@dataclass(frozen=True)
class ScenarioRequest:
    at: dt.date
    changes: tuple[Change, ...] = ()
    before: dt.date | None = None  # compare with the data on this date instead of `at`
    pairs: tuple[tuple[URIRef, URIRef], ...] = ()  # default: the pairs where something changes
    functions: tuple[URIRef, ...] = ()  # default: every function some instrument or channel covers
    name: str | None = None

    @property
    def identifier(self) -> str:
        """A content address: the same request always gets the same id."""
        canonical = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    def to_json(self) -> dict[str, object]:
        def value(item: object) -> object:
            if isinstance(item, dt.date):
                return item.isoformat()
            if isinstance(item, tuple | list):
                return [value(x) for x in item]
            if isinstance(item, dict):
                return {k: value(v) for k, v in item.items() if v is not None}
            return str(item) if isinstance(item, URIRef) else item

        body = asdict(self)
        body["changes"] = [value({k: v for k, v in asdict(c).items() if v is not None}) for c in self.changes]
        return {k: value(v) for k, v in body.items() if v not in (None, [], ())}

    @classmethod
    def from_json(cls, body: dict[str, object]) -> ScenarioRequest:
        def day(value: object) -> dt.date | None:
            return None if value is None else dt.date.fromisoformat(str(value))

        changes = tuple(
            Change(
                kind=str(c["kind"]),  # type: ignore[arg-type]
                actor=URIRef(str(c["actor"])),
                instrument=URIRef(str(c["instrument"])) if c.get("instrument") else None,
                channel=URIRef(str(c["channel"])) if c.get("channel") else None,
                date=day(c.get("date")),
                until=day(c.get("until")),
                mode=URIRef(str(c["mode"])) if c.get("mode") else None,
            )
            for c in body.get("changes", [])  # type: ignore[attr-defined]
        )
        return cls(
            at=day(body["at"]),  # type: ignore[arg-type]
            changes=changes,
            before=day(body.get("before")),
            pairs=tuple((URIRef(str(a)), URIRef(str(b))) for a, b in body.get("pairs", [])),  # type: ignore[attr-defined]
            functions=tuple(URIRef(str(f)) for f in body.get("functions", [])),  # type: ignore[attr-defined]
            name=str(body["name"]) if body.get("name") else None,
        )


@dataclass(frozen=True)
class Outcome:
    """One pair of states and one function, before and after."""

    a: URIRef
    b: URIRef
    function: URIRef
    before: Resolution
    after: Resolution

    @property
    def lost(self) -> list[URIRef]:
        """What applied or stood behind before and is not there at all after."""
        return sorted(self.before.available - self.after.available)

    @property
    def gained(self) -> list[URIRef]:
        return sorted(self.after.available - self.before.available)

    @property
    def changed(self) -> bool:
        return self.before.bases != self.after.bases or self.before.available != self.after.available

    def fallback(self) -> Way | None:
        """What the pair falls back on when what applied before no longer does: the best way
        that applies after, or None when nothing does."""
        if not self.before.bases - self.after.bases:
            return None
        return self.after.best()


@dataclass
class ScenarioResult:
    request: ScenarioRequest
    outcomes: list[Outcome] = field(default_factory=list)
    knowledge: Knowledge = field(default_factory=Knowledge)
    before_store: GraphStore | None = None  # where the links of `before` can be explained
    after_store: GraphStore | None = None


# -- running -----------------------------------------------------------------------------


def run_scenario(source: GraphStore, request: ScenarioRequest, *, knowledge: Knowledge | None = None) -> ScenarioResult:
    """Answer a scenario. `knowledge` (read from `source` when not given) saves reading it again.
    Within a request, its time bounds the work done here in memory too (QueryTimeout)."""
    check_changes(source, request)
    rules = load_rules(ontology_dir() / "rules" / "cooperation")
    knowledge = knowledge if knowledge is not None else Knowledge.read(source)
    reader = _Selection(source)
    changed = reader.changed_bases(request)
    pairs = list(request.pairs)
    if pairs:
        bases = reader.with_memberships(changed | reader.between(pairs))
        before_store, after_store = _derive_both(reader, bases, request, rules)
        before_links, after_links = _links_of(before_store, after_store, request)
    else:
        # First the pairs whose links change: only links through a changed basis can.
        bases = reader.with_memberships(changed)
        before_store, after_store = _derive_both(reader, bases, request, rules)
        before_links, after_links = _links_of(before_store, after_store, request)
        pairs = _affected_pairs(_states(before_store), before_links, after_links)
        # Then what else joins those pairs, for what applied and what is left.
        wider = reader.with_memberships(bases | reader.between(pairs))
        if wider != bases:
            before_store.close()
            after_store.close()
            before_store, after_store = _derive_both(reader, wider, request, rules)
            before_links, after_links = _links_of(before_store, after_store, request)
    functions = list(request.functions) or sorted(functions_in_use(knowledge))
    before_of, after_of = _by_pair(before_links), _by_pair(after_links)
    outcomes = []
    for a, b in pairs:
        check_request_deadline()
        pair = frozenset((a, b))
        for function in functions:
            before = resolve(before_of.get(pair, []), knowledge, a, b, function)
            after = resolve(after_of.get(pair, []), knowledge, a, b, function)
            outcome = Outcome(a, b, function, before, after)
            if request.pairs or outcome.changed:
                outcomes.append(outcome)
    return ScenarioResult(request, outcomes, knowledge, before_store, after_store)


def _by_pair(links: list[Link]) -> dict[frozenset[URIRef], list[Link]]:
    grouped: dict[frozenset[URIRef], list[Link]] = defaultdict(list)
    for link in links:
        grouped[frozenset((link.a, link.b))].append(link)
    return grouped


def _links_of(before: GraphStore, after: GraphStore, request: ScenarioRequest) -> tuple[list[Link], list[Link]]:
    """The links holding before (on `before` or the scenario's date) and after (on its date)."""
    return links_at(before, request.before or request.at), links_at(after, request.at)


def _derive_both(
    reader: _Selection, bases: set[URIRef], request: ScenarioRequest, rules: list[tuple[str, str]]
) -> tuple[OxigraphStore, OxigraphStore]:
    """Two stores holding what the rules read for `bases`, the second with the request's
    changes, each with the links derived."""
    # What an added participation names (a new agency, a narrower mode) needs its context too.
    named = {term for change in request.changes for term in (change.actor, change.mode) if term is not None}
    before_store, after_store = reader.copy(bases, named), reader.copy(bases, named)
    derive_cooperation(before_store, rules, checkpoint=check_request_deadline)
    for change in request.changes:
        apply_change(after_store, change, request.at)
    derive_cooperation(after_store, rules, checkpoint=check_request_deadline)
    return before_store, after_store


def _states(store: GraphStore) -> set[URIRef]:
    rows = store.select(sparql("scenario-states")).rows
    return {row["state"] for row in rows}  # type: ignore[misc]


def _affected_pairs(states: set[URIRef], before: list[Link], after: list[Link]) -> list[tuple[URIRef, URIRef]]:
    """Pairs of states whose links differ between before and after."""

    def keyed(links: list[Link]) -> dict[tuple[URIRef, URIRef], set[URIRef]]:
        grouped: dict[tuple[URIRef, URIRef], set[URIRef]] = {}
        for link in links:
            if link.a in states and link.b in states:
                grouped.setdefault(tuple(sorted((link.a, link.b))), set()).add(link.basis)  # type: ignore[arg-type]
        return grouped

    old, new = keyed(before), keyed(after)
    return sorted(pair for pair in set(old) | set(new) if old.get(pair) != new.get(pair))


# -- what a scenario copies --------------------------------------------------------------------
#
# The cooperation rules derive the links through an instrument or channel from its own
# participations and accesses, plus (for the participations a member has through an
# organisation) the memberships in the organisation's founding instrument, plus a few facts
# about actors and modes. A scenario copies exactly that for the instruments and channels its
# answer can depend on, not the store. A rule that comes to read anything else must be added
# to `service/sparql/scenario-context.rq`; tests/reasoning/test_scenario_scope.py compares
# scenarios with the answer a copy of the whole store gives.


class _Selection:
    """Reads from the source store what a scenario needs, and copies it into memory."""

    def __init__(self, source: GraphStore) -> None:
        self.source = source
        self._context: dict[Term, list[Triple]] | None = None
        self._records: dict[URIRef, list[Triple]] = {}
        self._extending: dict[URIRef, set[URIRef]] | None = None
        self._bases_of: dict[URIRef, set[URIRef]] = {}

    def changed_bases(self, request: ScenarioRequest) -> set[URIRef]:
        """The instruments and channels whose links can differ between before and after: those
        the changes name, those with a participation starting or ending between the two dates,
        and those an organisation extends to its members whose membership changes."""
        bases = {change.basis for change in request.changes}
        if request.before is not None and request.before != request.at:
            low, high = sorted((request.before, request.at))
            rows = self.source.select(
                sparql("scenario-dated-in"), {"from": date_literal(low), "to": date_literal(high)}
            ).rows
            bases |= {as_iri(row["basis"]) for row in rows}
        return self.with_extended(bases)

    def between(self, pairs: list[tuple[URIRef, URIRef]]) -> set[URIRef]:
        """The instruments and channels that can link each pair: those both sides can be
        linked through, themselves, through their units or through an organisation they are
        members of."""
        for actor in {actor for pair in pairs for actor in pair} - set(self._bases_of):
            rows = [
                row
                for query in (sparql("scenario-own-bases"), sparql("scenario-unit-bases"))
                for row in self.source.select(query, {"actor": actor})
            ]
            own = {as_iri(row["basis"]) for row in rows}
            # and what the organisations it or its units are members of extend to them
            self._bases_of[actor] = self.with_extended(own)
        return set().union(*(self._bases_of[a] & self._bases_of[b] for a, b in pairs))

    def with_memberships(self, bases: set[URIRef]) -> set[URIRef]:
        """`bases` and the founding instruments of the organisations extending any of them to
        their members."""
        founding = {f for f, extended in self.extending().items() if extended & bases}
        return bases | founding

    def with_extended(self, bases: set[URIRef]) -> set[URIRef]:
        """`bases` and, for each founding instrument among them, the instruments its
        organisation extends to its members."""
        extending = self.extending()
        return bases.union(*(extending[founding] for founding in bases & set(extending)))

    def extending(self) -> dict[URIRef, set[URIRef]]:
        """For each organisation's founding instrument, the instruments it extends to members."""
        if self._extending is None:
            self._extending = {}
            for row in self.source.select(sparql("scenario-extending")).rows:
                self._extending.setdefault(as_iri(row["founding"]), set()).add(as_iri(row["basis"]))
        return self._extending

    def copy(self, bases: set[URIRef], named: set[URIRef]) -> OxigraphStore:
        """A fresh in-memory store with every record of `bases` and the context they and
        `named` reach."""
        for basis in sorted(bases - set(self._records)):
            check_request_deadline()
            self._records[basis] = self.source.construct(sparql("scenario-records"), {"basis": basis})
        store = in_memory_store()
        records = [triple for basis in bases for triple in self._records[basis]]
        store.add_triples(_COPIED_GRAPH, records)
        store.add_triples(_COPIED_GRAPH, self._reached({term for triple in records for term in triple} | named))
        return store

    def _reached(self, terms: set[Term]) -> list[Triple]:
        """The context triples about `terms`, about what those mention, and so on: an agency's
        units up to its state and that it is a state, a mode's broader modes."""
        if self._context is None:
            self._context = defaultdict(list)
            for triple in self.source.construct(sparql("scenario-context")):
                self._context[triple[0]].append(triple)
        found: list[Triple] = []
        seen, frontier = set(terms), list(terms)
        while frontier:
            for triple in self._context.get(frontier.pop(), ()):
                found.append(triple)
                if triple[2] not in seen:
                    seen.add(triple[2])
                    frontier.append(triple[2])
        return found


# -- changes ---------------------------------------------------------------------------------


def check_changes(source: GraphStore, request: ScenarioRequest) -> None:
    """NotFound for a change that ends or removes a participation or access the store does not
    hold, asked of the store itself, before the scenario copies it (minutes at a million
    triples). A change to what an earlier change of the request adds is left to `apply_change`."""
    added: set[tuple[URIRef, URIRef]] = set()
    for change in request.changes:
        basis = change.basis
        if change.kind == "add":
            added.add((change.actor, basis))
        elif (change.actor, basis) not in added:
            _held(source, change, request.at)


def _held(store: GraphStore, change: Change, at: dt.date) -> list[dict[str, Term | None]]:
    """The records a change ends or removes; NotFound when there are none."""
    basis = change.basis
    records = "participations" if change.instrument is not None else "accesses"
    if change.kind == "end":
        rows = store.select(
            sparql(f"scenario-{records}-at"), {"actor": change.actor, "basis": basis, "at": date_literal(at)}
        ).rows
        if not rows:
            raise NotFound(f"{change.actor} has no participation in or access to {basis} on {at.isoformat()}")
        return rows
    rows = store.select(sparql(f"scenario-{records}"), {"actor": change.actor, "basis": basis}).rows
    if not rows:
        raise NotFound(f"{change.actor} has no participation in or access to {basis}")
    return rows


def apply_change(store: OxigraphStore, change: Change, at: dt.date) -> None:
    if change.kind == "add":
        _add(store, change)
        return
    rows = _held(store, change, at)
    if change.kind == "end":
        for row in rows:
            record, old_end = row["record"], row.get("end")
            assert change.date is not None and isinstance(record, URIRef)
            if old_end is not None:
                store.remove_triples([(record, B21.endDate, old_end)])
            store.add_triples(SCENARIO_GRAPH, [(record, B21.endDate, date_literal(change.date))])
        return
    for row in rows:
        record = row["record"]
        assert isinstance(record, URIRef)
        triples = store.construct(sparql("scenario-record"), {"record": record})
        store.remove_triples(triples)


def _add(store: OxigraphStore, change: Change) -> None:
    basis = change.basis
    key = hashlib.sha256(f"{change.actor} {basis} {change.date}".encode()).hexdigest()[:16]
    start = date_literal(change.date)  # type: ignore[arg-type]
    if change.instrument is not None:
        record = ID[f"participation/scenario-{key}"]
        triples = [
            (record, RDF.type, B21.Participation),
            (record, B21.participant, change.actor),
            (record, B21.instrument, basis),
            (record, B21.participationMode, change.mode or ID["participation-mode/party"]),
            (record, B21.startDate, start),
        ]
    else:
        record = ID[f"access/scenario-{key}"]
        triples = [
            (record, RDF.type, B21.ChannelAccess),
            (record, B21.accessor, change.actor),
            (record, B21.channel, basis),
            (record, B21.startDate, start),
        ]
    if change.until is not None:
        triples.append((record, B21.endDate, date_literal(change.until)))
    triples.append((record, DCTERMS.description, Literal("added by a scenario", lang="en")))
    store.add_triples(SCENARIO_GRAPH, triples)  # type: ignore[arg-type]


# -- saving ----------------------------------------------------------------------------------


class ScenarioRepository:
    """Scenario requests saved as JSON files under the store directory, by content address,
    so that a scenario can be shared by its id and answered again on later data.

    Anyone may save one, so at most `keep` are kept: beyond that the least recently saved or
    asked for goes first. Nothing is lost for good: posting the same request again brings it
    back under the same id."""

    def __init__(self, directory: Path, keep: int | None = None) -> None:
        self.directory = directory
        self.keep = keep

    def save(self, request: ScenarioRequest) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        identifier = request.identifier
        target = self.directory / f"{identifier}.json"
        if target.exists():
            self._used(target)
            return identifier
        staging = self.directory / f"{identifier}.{uuid.uuid4().hex}.tmp"
        staging.write_text(json.dumps(request.to_json(), indent=2, sort_keys=True), encoding="utf-8")
        staging.replace(target)
        self._prune()
        return identifier

    def load(self, identifier: str) -> ScenarioRequest:
        if not identifier.isalnum() or len(identifier) != 16:
            raise NotFound(f"no scenario {identifier!r}")
        path = self.directory / f"{identifier}.json"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NotFound(f"no scenario {identifier!r}") from None
        self._used(path)
        return ScenarioRequest.from_json(json.loads(text))

    @staticmethod
    def _used(path: Path) -> None:
        with contextlib.suppress(OSError):  # removed meanwhile: it is saved again or not found
            os.utime(path)

    def _prune(self) -> None:
        if self.keep is None:
            return
        saved = []
        for path in self.directory.glob("*.json"):
            with contextlib.suppress(FileNotFoundError):  # another save pruned it
                saved.append((path.stat().st_mtime_ns, path.name, path))
        if len(saved) <= self.keep:
            return
        saved.sort()
        for _, _, path in saved[: len(saved) - self.keep]:
            path.unlink(missing_ok=True)


__all__ = [
    "Change",
    "Outcome",
    "ScenarioRepository",
    "ScenarioRequest",
    "ScenarioResult",
    "apply_change",
    "run_scenario",
]
