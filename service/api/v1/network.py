"""Who cooperates with whom on a date (the network the planners' UI draws), the ways one actor
can obtain a function from another, and an actor's timeline."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from rdflib import URIRef

from service import catalog, cooperation
from service.api.deps import StoreDep
from service.api.v1.common import (
    MAX_OFFSET,
    AtDep,
    DateCache,
    KnowledgeDep,
    Paging,
    actors_of,
    channels_of,
    links_on,
    supports_on,
)
from service.api.v1.models import Link, ResourceRef, Way
from service.api.v1.present import Presenter
from service.errors import InvalidQuery
from service.keys import parse_resource
from service.sparql import sparql
from service.store.base import GraphStore

router = APIRouter(prefix="/api/v1", tags=["network"])

ERRORS: dict[int | str, dict[str, object]] = {400: {"description": "A bad parameter, named in the detail"}}
ACTOR_KINDS = ("state", "organisation", "agency")
CAPABILITY_KINDS = ("function", "crime-area", "data-category")


class Node(ResourceRef):
    degree: int = Field(..., description="How many other nodes it is linked to.")
    iso_code: str | None = None


class EdgeBasis(BaseModel):
    basis: ResourceRef
    kind: Literal["instrument", "channel"]
    links: list[Link] = Field(..., description="The links behind it, each with its explanation.")


class Edge(BaseModel):
    a: ResourceRef
    b: ResourceRef
    bases: list[EdgeBasis] = Field(..., description="The instruments and channels behind the edge.")


class Network(BaseModel):
    at: dt.date
    level: Literal["state", "agency"]
    nodes: list[Node] = Field(..., description="The actors of this page's edges.")
    edges: list[Edge] = Field(..., description="One page of edges, ordered by their actors' keys.")
    total_edges: int = Field(..., description="How many edges the whole network has, over all pages.")
    total_nodes: int = Field(..., description="How many actors the whole network has.")
    limit: int
    offset: int


NETWORK_MAX_LIMIT = 1000


class NetworkPaging(Paging):
    def __init__(
        self,
        limit: Annotated[
            int, Query(ge=1, le=NETWORK_MAX_LIMIT, description="Edges per page (each with its explanations).")
        ] = 200,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Edges to skip.")] = 0,
    ) -> None:
        super().__init__(limit, offset)


def _optional(value: str | None, name: str, kinds: tuple[str, ...]) -> URIRef | None:
    return None if value is None else parse_resource(value, name, kinds=kinds)


@dataclass(frozen=True)
class Arrangement:
    """A whole network on a date, before it is written out: its edges in order, each with its
    bases in precedence order, and each actor's neighbours. Kept per store version, date and
    filters, so that each page of a large network is only cut and written."""

    edges: list[tuple[URIRef, URIRef, list[tuple[URIRef, str, list[cooperation.Link]]]]]
    neighbours: dict[URIRef, set[URIRef]]


def arrange(
    knowledge: cooperation.Knowledge,
    level: str,
    *,
    links: list[cooperation.Link],
    actors: list[catalog.Actor],
    capability: URIRef | None = None,
    channel: URIRef | None = None,
    instrument: URIRef | None = None,
    actor: URIRef | None = None,
) -> Arrangement:
    states = {a.iri for a in actors if a.kind == "state"}
    if level == "state":
        links = [link for link in links if link.a in states and link.b in states]
    else:
        links = [link for link in links if not link.lifted and not (link.a in states and link.b in states)]
    if channel is not None:
        links = [link for link in links if link.basis == channel]
    if instrument is not None:
        links = [link for link in links if link.basis == instrument]
    if capability is not None:
        links = [link for link in links if knowledge.covers(link.basis, capability)]
    if actor is not None:
        links = [link for link in links if actor in (link.a, link.b)]
    grouped: dict[tuple[URIRef, URIRef], dict[URIRef, list[cooperation.Link]]] = defaultdict(lambda: defaultdict(list))
    for link in links:
        grouped[(link.a, link.b)][link.basis].append(link)
    neighbours: dict[URIRef, set[URIRef]] = defaultdict(set)
    edges = []
    for (a, b), by_basis in sorted(grouped.items()):
        neighbours[a].add(b)
        neighbours[b].add(a)
        order = cooperation.precedence_order(knowledge, {basis: group[0].kind for basis, group in by_basis.items()})
        bases = [
            (basis, group[0].kind, group) for basis, group in sorted(by_basis.items(), key=lambda kv: order(kv[0]))
        ]
        edges.append((a, b, bases))
    return Arrangement(edges, dict(neighbours))


def network_page(
    arrangement: Arrangement,
    store: GraphStore,
    knowledge: cooperation.Knowledge,
    at: dt.date,
    level: str,
    *,
    explained: dict[URIRef, list[cooperation.Support]],
    actors: list[catalog.Actor],
    limit: int,
    offset: int,
) -> Network:
    """One page of the network: its edges with every link's explanation, and their actors."""
    present = Presenter(knowledge, store, explained)
    iso = {a.iri: a.iso for a in actors}
    page = arrangement.edges[offset : offset + limit]
    edges = [
        Edge(
            a=present.ref(a),
            b=present.ref(b),
            bases=[
                EdgeBasis(basis=present.ref(basis), kind=kind, links=[present.link(link) for link in group])
                for basis, kind, group in bases
            ],
        )
        for a, b, bases in page
    ]
    shown = {actor for a, b, _ in page for actor in (a, b)}
    nodes = [
        Node(**present.ref(iri).model_dump(), degree=len(arrangement.neighbours[iri]), iso_code=iso.get(iri))
        for iri in sorted(shown, key=lambda iri: knowledge.label(iri).casefold())
    ]
    return Network(
        at=at,
        level=level,
        nodes=nodes,
        edges=edges,
        total_edges=len(arrangement.edges),
        total_nodes=len(arrangement.neighbours),
        limit=limit,
        offset=offset,
    )


@router.get(
    "/network",
    response_model=Network,
    summary="Who cooperates with whom on a date, each edge with the instruments and channels behind it",
    description="The network is paged by edges (`limit`, `offset`; the `Link` header names the next and "
    "previous pages): each page carries its edges with every link's explanation and the actors they join, "
    "with their degree in the whole network.",
    responses=ERRORS,
)
async def network(
    request: Request,
    response: Response,
    store: StoreDep,
    knowledge: KnowledgeDep,
    at: AtDep,
    paging: Annotated[NetworkPaging, Depends(NetworkPaging)],
    level: Annotated[
        Literal["state", "agency"], Query(description="Links between states, or involving agencies.")
    ] = "state",
    capability: Annotated[
        str | None,
        Query(
            description="Only through instruments or channels covering this function, crime area or data category.",
            examples=["surrender"],
        ),
    ] = None,
    channel: Annotated[str | None, Query(description="Only through this channel.")] = None,
    instrument: Annotated[str | None, Query(description="Only through this instrument.")] = None,
    actor: Annotated[str | None, Query(description="Only the links of this actor.")] = None,
) -> Network:
    def answer() -> Network:
        actors = actors_of(request, store)
        cache: DateCache = request.app.state.dates
        filters = (level, chosen_capability, chosen_channel, chosen_instrument, chosen_actor)
        arrangement = cache.get(
            store,
            "network " + " ".join(str(f) for f in filters),
            at,
            lambda: arrange(
                knowledge,
                level,
                # One actor's network is read on its own: the whole date's links are not needed.
                links=links_on(request, store, at, chosen_actor),
                actors=actors,
                capability=chosen_capability,
                channel=chosen_channel,
                instrument=chosen_instrument,
                actor=chosen_actor,
            ),
        )
        paging.set_links(len(arrangement.edges), request, response)
        return network_page(
            arrangement,
            store,
            knowledge,
            at,
            level,
            explained=supports_on(request, store, at, chosen_actor),
            actors=actors,
            limit=paging.limit,
            offset=paging.offset,
        )

    chosen_capability = _capability(capability)
    chosen_channel = _optional(channel, "channel", ("channel",))
    chosen_instrument = _optional(instrument, "instrument", ("instrument",))
    chosen_actor = _optional(actor, "actor", ACTOR_KINDS)
    return await run_in_threadpool(answer)


def _capability(value: str | None) -> URIRef | None:
    if value is None:
        return None
    if "/" not in value and ":" not in value:  # a bare slug names a function
        return parse_resource(value, "capability", kinds=("function",))
    return parse_resource(value, "capability", kinds=CAPABILITY_KINDS)


# -- paths ------------------------------------------------------------------------------------


class Step(BaseModel):
    source: ResourceRef = Field(..., alias="from")
    to: ResourceRef
    way: Way
    legal_basis: list[ResourceRef] = Field(..., description="The instrument itself, or the legal bases of the channel.")

    model_config = {"populate_by_name": True}


class PathOut(BaseModel):
    rank: int
    kind: Literal["direct", "via"]
    applies: bool = Field(..., description="False for a fallback: an instrument another applicable one prevails over.")
    intermediaries: list[ResourceRef]
    steps: list[Step]


class Paths(BaseModel):
    source: ResourceRef = Field(..., alias="from")
    to: ResourceRef
    function: ResourceRef
    at: dt.date
    paths: list[PathOut]

    model_config = {"populate_by_name": True}


def find_paths(
    store: GraphStore,
    knowledge: cooperation.Knowledge,
    a: URIRef,
    b: URIRef,
    function: URIRef,
    at: dt.date,
    links: list[cooperation.Link],
    channels: list[catalog.Channel],
) -> Paths:
    present = Presenter(knowledge, store)
    channel_by_iri = {c.iri: c for c in channels}

    def legal_basis(way: cooperation.Way) -> list[ResourceRef]:
        if way.kind == "instrument":
            return [present.ref(way.basis)]
        if way.basis not in channel_by_iri:
            return []
        return [present.ref(i) for i in sorted(channel_by_iri[way.basis].legal_bases)]

    def step(x: URIRef, y: URIRef, way: cooperation.Way) -> Step:
        return Step(source=present.ref(x), to=present.ref(y), way=present.way(way), legal_basis=legal_basis(way))

    # The links grouped by the pair they join, once, rather than scanned again for every middle.
    by_pair: dict[frozenset[URIRef], list[cooperation.Link]] = defaultdict(list)
    for link in links:
        if {a, b} & {link.a, link.b}:
            by_pair[frozenset((link.a, link.b))].append(link)

    def resolve(x: URIRef, y: URIRef) -> cooperation.Resolution:
        return cooperation.resolve(by_pair.get(frozenset((x, y)), []), knowledge, x, y, function)

    found: list[PathOut] = []
    direct = resolve(a, b)
    for applies, ways in ((True, direct.applies), (False, direct.fallbacks)):
        for way in ways:
            found.append(PathOut(rank=0, kind="direct", applies=applies, intermediaries=[], steps=[step(a, b, way)]))
    # Through one intermediary: an actor that can obtain the function from b and give it to a.
    around_a = {next(iter(pair - {a}), a) for pair in by_pair if a in pair}
    around_b = {next(iter(pair - {b}), b) for pair in by_pair if b in pair}
    for middle in sorted((around_a & around_b) - {a, b}, key=lambda m: knowledge.label(m).casefold()):
        first = resolve(a, middle).best()
        second = resolve(middle, b).best()
        if first is None or second is None:
            continue
        found.append(
            PathOut(
                rank=0,
                kind="via",
                applies=True,
                intermediaries=[present.ref(middle)],
                steps=[step(a, middle, first), step(middle, b, second)],
            )
        )
    ordered = sorted(found, key=lambda p: (p.kind != "direct", not p.applies))
    for rank, path in enumerate(ordered, start=1):
        path.rank = rank
    return Paths(source=present.ref(a), to=present.ref(b), function=present.ref(function), at=at, paths=ordered)


@router.get(
    "/paths",
    response_model=Paths,
    summary="The ways one actor can obtain a cooperation function from another, best first",
    responses=ERRORS,
)
async def paths(
    request: Request,
    store: StoreDep,
    knowledge: KnowledgeDep,
    at: AtDep,
    source: Annotated[str, Query(alias="from", description="The actor asking.", examples=["state/gb"])],
    to: Annotated[str, Query(description="The actor asked.", examples=["state/de"])],
    function: Annotated[
        str, Query(description="The cooperation function, as key or bare slug.", examples=["surrender"])
    ],
) -> Paths:
    a = parse_resource(source, "from", kinds=ACTOR_KINDS)
    b = parse_resource(to, "to", kinds=ACTOR_KINDS)
    if a == b:
        raise InvalidQuery("from and to must be two different actors")
    wanted = parse_resource(function, "function", kinds=("function",))

    def answer() -> Paths:
        # A path uses only links of a or of b (direct, or a-middle and middle-b): those two actors'
        # links, not the whole date's, which at a million triples take seconds to read.
        links = {link.iri: link for party in (a, b) for link in links_on(request, store, at, party)}
        return find_paths(store, knowledge, a, b, wanted, at, list(links.values()), channels_of(request, store))

    return await run_in_threadpool(answer)


# -- timeline ---------------------------------------------------------------------------------


class Period(BaseModel):
    record: str
    kind: Literal["participation", "access"]
    actor: ResourceRef
    basis: ResourceRef
    mode: ResourceRef | None = None
    start: dt.date
    end: dt.date | None = None
    derived: bool = False
    sources: list[str] = Field(default_factory=list)


class SharedPeriod(BaseModel):
    basis: ResourceRef
    kind: Literal["instrument", "channel"]
    start: dt.date
    end: dt.date | None = None


class Timeline(BaseModel):
    actor: ResourceRef
    other: ResourceRef | None = None
    periods: list[Period] = Field(..., description="The actor's participations and accesses, by start date.")
    shared: list[SharedPeriod] = Field(
        default_factory=list, description="With `other`: the periods the two were linked, by instrument or channel."
    )


def timeline_of(store: GraphStore, knowledge: cooperation.Knowledge, actor: URIRef, other: URIRef | None) -> Timeline:
    present = Presenter(knowledge, None)
    records = catalog.records_of(store, actor=actor)
    periods = [
        Period(
            record=str(r.iri),
            kind=r.kind,
            actor=present.ref(r.actor),
            basis=present.ref(r.basis),
            mode=present.ref(r.mode) if r.mode else None,
            start=r.start,
            end=r.end,
            derived=r.derived,
            sources=sorted(str(s) for s in r.sources),
        )
        for r in records
    ]
    shared = []
    if other is not None:
        rows = store.select(sparql("shared-links"), {"a": actor, "b": other}).rows
        seen = set()
        for row in rows:
            basis = row.get("instrument") or row.get("channel")
            key = (basis, row["start"], row.get("end"))
            if basis is None or key in seen:
                continue
            seen.add(key)
            shared.append(
                SharedPeriod(
                    basis=present.ref(basis),  # type: ignore[arg-type]
                    kind="instrument" if row.get("instrument") is not None else "channel",
                    start=dt.date.fromisoformat(str(row["start"])),
                    end=dt.date.fromisoformat(str(row["end"])) if row.get("end") is not None else None,
                )
            )
        shared.sort(key=lambda s: (s.start, s.basis.label))
    return Timeline(
        actor=present.ref(actor),
        other=present.ref(other) if other is not None else None,
        periods=periods,
        shared=shared,
    )


@router.get(
    "/timeline",
    response_model=Timeline,
    summary="An actor's participations and channel accesses over time, and those shared with another",
    responses=ERRORS,
)
async def timeline(
    store: StoreDep,
    knowledge: KnowledgeDep,
    actor: Annotated[str, Query(description="The actor.", examples=["state/gb"])],
    other: Annotated[
        str | None,
        Query(description="A second actor: also list the periods the two were linked.", examples=["state/de"]),
    ] = None,
) -> Timeline:
    first = parse_resource(actor, "actor", kinds=ACTOR_KINDS)
    second = _optional(other, "other", ACTOR_KINDS)
    return await run_in_threadpool(timeline_of, store, knowledge, first, second)
