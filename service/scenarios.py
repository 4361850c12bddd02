"""What-if scenarios: end, remove or add participations and channel accesses, and see per pair
of states and per cooperation function what applied before, what applies after, what is lost
and what it falls back on.

A scenario runs on an in-memory copy of the store: the changes are applied to the stated
participations and accesses, the cooperation rules of `ontology/rules/cooperation/` derive
the links again, and both states are resolved with the same code as the live service.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal as Choice

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from service.build.reasoning import derive_cooperation, load_rules
from service.cooperation import Knowledge, Link, Resolution, Way, date_literal, functions_in_use, links_at, resolve
from service.errors import InvalidQuery, NotFound
from service.namespaces import B21, DERIVED_GRAPH, ID
from service.resources import ontology_dir
from service.store import in_memory_store
from service.store.base import NQUADS, GraphStore, Term
from service.store.oxigraph import OxigraphStore

logger = logging.getLogger(__name__)

SCENARIO_GRAPH = URIRef("https://w3id.org/border21/graph/scenario")
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


def _dump(source: GraphStore) -> bytes:
    import io

    out = io.BytesIO()
    source.dump(out, NQUADS)
    return out.getvalue()


def run_scenario(source: GraphStore, request: ScenarioRequest, *, snapshot: bytes | None = None) -> ScenarioResult:
    """Answer a scenario. `snapshot` (an N-Quads dump of `source`) saves dumping it again."""
    check_changes(source, request)
    rules = load_rules(ontology_dir() / "rules" / "cooperation")
    data = snapshot if snapshot is not None else _dump(source)

    before_store = _fresh(data)
    derive_cooperation(before_store, rules)
    after_store = _fresh(data)
    for change in request.changes:
        apply_change(after_store, change, request.at)
    derive_cooperation(after_store, rules)

    knowledge = Knowledge.read(before_store)
    before_links = links_at(before_store, request.before or request.at)
    after_links = links_at(after_store, request.at)
    functions = list(request.functions) or sorted(functions_in_use(knowledge))
    pairs = list(request.pairs) or _affected_pairs(before_store, before_links, after_links, request)
    outcomes = []
    for a, b in pairs:
        for function in functions:
            before = resolve(before_links, knowledge, a, b, function)
            after = resolve(after_links, knowledge, a, b, function)
            outcome = Outcome(a, b, function, before, after)
            if request.pairs or outcome.changed:
                outcomes.append(outcome)
    return ScenarioResult(request, outcomes, knowledge, before_store, after_store)


def _fresh(data: bytes) -> OxigraphStore:
    store = in_memory_store()
    store.load_dataset(data, NQUADS)
    store.drop_named_graph(DERIVED_GRAPH)
    return store


def _states(store: GraphStore) -> set[URIRef]:
    rows = store.select("SELECT ?state WHERE { ?state a b21:State }").rows
    return {row["state"] for row in rows}  # type: ignore[misc]


def _affected_pairs(
    store: GraphStore, before: list[Link], after: list[Link], request: ScenarioRequest
) -> list[tuple[URIRef, URIRef]]:
    """Pairs of states whose links differ between before and after."""
    states = _states(store)

    def keyed(links: list[Link]) -> dict[tuple[URIRef, URIRef], set[URIRef]]:
        grouped: dict[tuple[URIRef, URIRef], set[URIRef]] = {}
        for link in links:
            if link.a in states and link.b in states:
                grouped.setdefault(tuple(sorted((link.a, link.b))), set()).add(link.basis)  # type: ignore[arg-type]
        return grouped

    old, new = keyed(before), keyed(after)
    return sorted(pair for pair in set(old) | set(new) if old.get(pair) != new.get(pair))


# -- changes ---------------------------------------------------------------------------------

_HOLDING = """
SELECT ?actor ?basis ?at ?record ?end WHERE {
  { ?record b21:participant ?actor ; b21:instrument ?basis . }
  UNION
  { ?record b21:accessor ?actor ; b21:channel ?basis . }
  ?record b21:startDate ?start .
  OPTIONAL { ?record b21:endDate ?end }
  FILTER (?start <= ?at && (!BOUND(?end) || ?end >= ?at))
}
"""

_ALL = """
SELECT ?actor ?basis ?record WHERE {
  { ?record b21:participant ?actor ; b21:instrument ?basis . }
  UNION
  { ?record b21:accessor ?actor ; b21:channel ?basis . }
}
"""


def check_changes(source: GraphStore, request: ScenarioRequest) -> None:
    """NotFound for a change that ends or removes a participation or access the store does not
    hold, asked of the store itself, before the scenario copies it (minutes at a million
    triples). A change to what an earlier change of the request adds is left to `apply_change`."""
    added: set[tuple[URIRef, URIRef]] = set()
    for change in request.changes:
        basis = change.instrument or change.channel
        assert basis is not None
        if change.kind == "add":
            added.add((change.actor, basis))
        elif (change.actor, basis) not in added:
            _held(source, change, basis, request.at)


def _held(store: GraphStore, change: Change, basis: URIRef, at: dt.date) -> list[dict[str, Term | None]]:
    """The records a change ends or removes; NotFound when there are none."""
    if change.kind == "end":
        rows = store.select(_HOLDING, {"actor": change.actor, "basis": basis, "at": date_literal(at)}).rows
        if not rows:
            raise NotFound(f"{change.actor} has no participation in or access to {basis} on {at.isoformat()}")
        return rows
    rows = store.select(_ALL, {"actor": change.actor, "basis": basis}).rows
    if not rows:
        raise NotFound(f"{change.actor} has no participation in or access to {basis}")
    return rows


def apply_change(store: OxigraphStore, change: Change, at: dt.date) -> None:
    basis = change.instrument or change.channel
    assert basis is not None
    if change.kind == "add":
        _add(store, change, basis)
        return
    rows = _held(store, change, basis, at)
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
        triples = store.construct("CONSTRUCT { ?record ?p ?o } WHERE { ?record ?p ?o }", {"record": record})
        store.remove_triples(triples)


def _add(store: OxigraphStore, change: Change, basis: URIRef) -> None:
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
