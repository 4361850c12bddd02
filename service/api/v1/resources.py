"""Actors, instruments, channels and capabilities: lists with filters, and any resource in detail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from rdflib import Literal as RdfLiteral
from rdflib import URIRef

from service import catalog
from service.api.deps import StoreDep
from service.api.v1.common import AtDep, KnowledgeDep, Page, PagingDep, actors_of, channels_of
from service.api.v1.models import ResourceRef
from service.api.v1.present import Presenter
from service.cooperation import Knowledge
from service.errors import InvalidQuery
from service.keys import parse_resource
from service.namespaces import ID

router = APIRouter(prefix="/api/v1", tags=["resources"])

T = TypeVar("T")

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"description": "A bad parameter, named in the detail"},
    404: {"description": "No such resource"},
}
ACTOR_KINDS = ("state", "organisation", "agency")
CAPABILITY_KINDS = ("function", "crime-area", "data-category")


# -- models ---------------------------------------------------------------------------------


class ActorOut(ResourceRef):
    classes: list[ResourceRef] = Field(
        default_factory=list, description="The actor's classes (state, SIRENE bureau, ...)."
    )
    iso_code: str | None = Field(None, examples=["DE"])
    part_of: list[ResourceRef] = Field(default_factory=list, description="The states or organisations it belongs to.")


class InstrumentOut(ResourceRef):
    kind: str | None = Field(None, examples=["framework-decision"])
    acronyms: list[str] = Field(default_factory=list, examples=[["EAW"]])
    identifiers: dict[str, str] = Field(default_factory=dict, examples=[{"celex": "32002F0584"}])
    adopted: dt.date | None = None
    entry_into_force: dt.date | None = None
    date_of_application: dt.date | None = None
    no_longer_in_force: dt.date | None = None
    in_force: bool = Field(..., description="Whether it is in force on the date asked about.")


class ChannelOut(ResourceRef):
    kind: str | None = Field(None, examples=["information-system"])
    acronyms: list[str] = Field(default_factory=list)
    operated_by: list[ResourceRef] = Field(default_factory=list)
    legal_basis: list[ResourceRef] = Field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None


class ConceptOut(ResourceRef):
    definition: str | None = None
    narrower: list[ConceptOut] = Field(default_factory=list)


class SchemeOut(BaseModel):
    scheme: ResourceRef
    concepts: list[ConceptOut]


class Value(BaseModel):
    """A value of a property: a resource (with its label) or a literal."""

    id: str | None = None
    key: str | None = None
    label: str | None = None
    value: str | None = None
    datatype: str | None = None
    language: str | None = None


class PropertyValues(BaseModel):
    property: ResourceRef
    values: list[Value]


class IncomingCount(BaseModel):
    property: ResourceRef
    count: int


class RecordOut(BaseModel):
    id: str
    kind: Literal["participation", "access"]
    actor: ResourceRef
    basis: ResourceRef
    mode: ResourceRef | None = None
    start: dt.date
    end: dt.date | None = None
    holds: bool = Field(..., description="Whether it holds on the date asked about.")
    derived: bool = Field(False, description="Derived from membership of an organisation, not stated.")
    sources: list[str] = Field(default_factory=list)


class DetailOut(ResourceRef):
    properties: list[PropertyValues]
    incoming: list[IncomingCount]
    sources: list[str]
    records: list[RecordOut] = Field(
        default_factory=list,
        description="Participations and channel accesses of this actor, or in this instrument or channel.",
    )


# -- helpers ----------------------------------------------------------------------------------


def _text_matches(q: str | None, *texts: str) -> bool:
    if not q:
        return True
    needle = q.casefold()
    return any(needle in text.casefold() for text in texts)


def _optional(value: str | None, name: str, kinds: tuple[str, ...]) -> URIRef | None:
    return None if value is None else parse_resource(value, name, kinds=kinds)


def _sorted(items: list[T], sort: str, keys: dict[str, Callable[[T], Any]]) -> list[T]:
    """Sorted by the named key (prefix - for descending); items without a value go last."""
    field_name = sort.lstrip("-")
    if field_name not in keys:
        raise InvalidQuery(f"sort must be one of {', '.join(sorted(keys))} (prefix - for descending)")
    key = keys[field_name]
    present = [i for i in items if key(i) is not None]
    missing = [i for i in items if key(i) is None]
    return sorted(present, key=key, reverse=sort.startswith("-")) + missing


def actor_out(actor: catalog.Actor, knowledge: Knowledge, present: Presenter) -> ActorOut:
    ref = present.ref(actor.iri)
    return ActorOut(
        **ref.model_dump(),
        classes=[present.ref(c) for c in knowledge.most_specific(actor.classes)],
        iso_code=actor.iso,
        part_of=[present.ref(p) for p in sorted(actor.parents)],
    )


# -- routes ------------------------------------------------------------------------------------


@router.get("/actors", response_model=Page[ActorOut], summary="States, organisations and agencies", responses=ERRORS)
def list_actors(
    request: Request,
    response: Response,
    store: StoreDep,
    knowledge: KnowledgeDep,
    paging: PagingDep,
    at: AtDep,
    kind: Annotated[Literal["state", "organisation", "agency"] | None, Query(description="Only this kind.")] = None,
    state: Annotated[
        str | None, Query(description="Only agencies of this state (IRI or key).", examples=["state/de"])
    ] = None,
    instrument: Annotated[str | None, Query(description="Only actors bound by this instrument on `at`.")] = None,
    channel: Annotated[str | None, Query(description="Only actors with access to this channel on `at`.")] = None,
    capability: Annotated[
        str | None,
        Query(
            description="Only actors bound by an instrument, or with access to a channel, "
            "covering this function, crime area or data category on `at`."
        ),
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text the label contains.")] = None,
    sort: Annotated[str, Query(description="label or key; prefix - for descending.")] = "label",
) -> Page[ActorOut]:
    state_iri = _optional(state, "state", ("state",))
    instrument_iri = _optional(instrument, "instrument", ("instrument",))
    channel_iri = _optional(channel, "channel", ("channel",))
    capability_iri = _optional(capability, "capability", CAPABILITY_KINDS)
    found = actors_of(request, store)
    if kind:
        found = [a for a in found if a.kind == kind]
    if state_iri is not None:
        found = [a for a in found if state_iri in a.states]
    if instrument_iri is not None:
        bound = catalog.bound_at(store, at).get(instrument_iri, set())
        found = [a for a in found if a.iri in bound]
    if channel_iri is not None:
        access = catalog.access_at(store, at).get(channel_iri, set())
        found = [a for a in found if a.iri in access]
    if capability_iri is not None:
        covered = catalog.actors_covering(
            knowledge, catalog.bound_at(store, at), catalog.access_at(store, at), capability_iri
        )
        found = [a for a in found if a.iri in covered]
    found = [a for a in found if _text_matches(q, a.label, a.iso or "")]
    found = _sorted(found, sort, {"label": lambda a: a.label.casefold(), "key": lambda a: str(a.iri)})
    present = Presenter(knowledge, None)
    page = paging.page(found, request, response)
    return Page[ActorOut](
        items=[actor_out(a, knowledge, present) for a in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/instruments", response_model=Page[InstrumentOut], summary="Legal instruments", responses=ERRORS)
def list_instruments(
    request: Request,
    response: Response,
    store: StoreDep,
    knowledge: KnowledgeDep,
    paging: PagingDep,
    at: AtDep,
    kind: Annotated[str | None, Query(description="treaty, regulation, directive, framework-decision, ...")] = None,
    capability: Annotated[
        str | None, Query(description="Only instruments covering this function, crime area or data category.")
    ] = None,
    actor: Annotated[str | None, Query(description="Only instruments this actor is bound by on `at`.")] = None,
    in_force: Annotated[bool | None, Query(description="Only instruments in force (or not) on `at`.")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text the label, acronym or an identifier contains.")
    ] = None,
    sort: Annotated[str, Query(description="label, adopted or entry_into_force; prefix - for descending.")] = "label",
) -> Page[InstrumentOut]:
    capability_iri = _optional(capability, "capability", CAPABILITY_KINDS)
    actor_iri = _optional(actor, "actor", ACTOR_KINDS)
    if kind is not None and kind not in catalog.INSTRUMENT_KINDS.values():
        raise InvalidQuery(f"kind must be one of {', '.join(sorted(catalog.INSTRUMENT_KINDS.values()))}")
    found = catalog.instruments(store)
    if kind:
        found = [i for i in found if kind == i.kind or (kind == "treaty" and i.kind == "protocol")]
    if capability_iri is not None:
        found = [i for i in found if knowledge.covers(i.iri, capability_iri)]
    if actor_iri is not None:
        bound = catalog.bound_at(store, at)
        found = [i for i in found if actor_iri in bound.get(i.iri, set())]
    if in_force is not None:
        found = [i for i in found if i.in_force_on(at) == in_force]
    found = [i for i in found if _text_matches(q, i.label, *i.acronyms, *i.identifiers.values())]
    found = _sorted(
        found,
        sort,
        {
            "label": lambda i: i.label.casefold(),
            "adopted": lambda i: i.adopted,
            "entry_into_force": lambda i: i.in_force,
        },
    )
    present = Presenter(knowledge, None)
    page = paging.page(found, request, response)
    items = [
        InstrumentOut(
            **present.ref(i.iri).model_dump(),
            kind=i.kind,
            acronyms=sorted(i.acronyms),
            identifiers=i.identifiers,
            adopted=i.adopted,
            entry_into_force=i.in_force,
            date_of_application=i.applies,
            no_longer_in_force=i.ended,
            in_force=i.in_force_on(at),
        )
        for i in page.items
    ]
    return Page[InstrumentOut](items=items, total=page.total, limit=page.limit, offset=page.offset)


@router.get("/channels", response_model=Page[ChannelOut], summary="Cooperation channels", responses=ERRORS)
def list_channels(
    request: Request,
    response: Response,
    store: StoreDep,
    knowledge: KnowledgeDep,
    paging: PagingDep,
    at: AtDep,
    capability: Annotated[
        str | None, Query(description="Only channels covering this function, crime area or data category.")
    ] = None,
    actor: Annotated[str | None, Query(description="Only channels this actor has access to on `at`.")] = None,
    instrument: Annotated[str | None, Query(description="Only channels with this legal basis.")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text the label or acronym contains.")] = None,
    sort: Annotated[str, Query(description="label; prefix - for descending.")] = "label",
) -> Page[ChannelOut]:
    capability_iri = _optional(capability, "capability", CAPABILITY_KINDS)
    actor_iri = _optional(actor, "actor", ACTOR_KINDS)
    instrument_iri = _optional(instrument, "instrument", ("instrument",))
    found = channels_of(request, store)
    if capability_iri is not None:
        found = [c for c in found if knowledge.covers(c.iri, capability_iri)]
    if actor_iri is not None:
        access = catalog.access_at(store, at)
        found = [c for c in found if actor_iri in access.get(c.iri, set())]
    if instrument_iri is not None:
        found = [c for c in found if instrument_iri in c.legal_bases]
    found = [c for c in found if _text_matches(q, c.label, *c.acronyms)]
    found = _sorted(found, sort, {"label": lambda c: c.label.casefold()})
    present = Presenter(knowledge, None)
    page = paging.page(found, request, response)
    items = [
        ChannelOut(
            **present.ref(c.iri).model_dump(),
            kind=c.kind,
            acronyms=sorted(c.acronyms),
            operated_by=[present.ref(o) for o in sorted(c.operators)],
            legal_basis=[present.ref(b) for b in sorted(c.legal_bases)],
            start=c.start,
            end=c.end,
        )
        for c in page.items
    ]
    return Page[ChannelOut](items=items, total=page.total, limit=page.limit, offset=page.offset)


SCHEMES = {
    "cooperation-functions": "The cooperation functions",
    "crime-areas": "The crime areas",
    "data-categories": "The data categories",
    "participation-modes": "The participation modes",
}


@router.get("/capabilities", response_model=list[SchemeOut], summary="Every capability scheme as a tree")
def list_capabilities(store: StoreDep, knowledge: KnowledgeDep) -> list[SchemeOut]:
    return [capability_scheme(name, store, knowledge) for name in SCHEMES]  # type: ignore[arg-type]


@router.get(
    "/capabilities/{scheme}",
    response_model=SchemeOut,
    summary="One capability scheme as a tree",
    responses=ERRORS,
)
def capability_scheme(
    scheme: Literal["cooperation-functions", "crime-areas", "data-categories", "participation-modes"],
    store: StoreDep,
    knowledge: KnowledgeDep,
) -> SchemeOut:
    present = Presenter(knowledge, None)
    scheme_iri = ID[f"scheme/{scheme}"]

    def out(concept: catalog.Concept) -> ConceptOut:
        return ConceptOut(
            **present.ref(concept.iri).model_dump(),
            definition=concept.definition,
            narrower=[out(child) for child in concept.narrower],
        )

    return SchemeOut(scheme=present.ref(scheme_iri), concepts=[out(c) for c in catalog.concept_tree(store, scheme_iri)])


@router.get(
    "/resources/{kind}/{slug}",
    response_model=DetailOut,
    summary="Any resource in detail: its facts with labels, incoming links, sources, participations and accesses",
    responses=ERRORS,
)
async def resource_detail(kind: str, slug: str, store: StoreDep, knowledge: KnowledgeDep, at: AtDep) -> DetailOut:
    iri = parse_resource(f"{kind}/{slug}", "path")
    found = await run_in_threadpool(catalog.detail, store, iri)
    return present_detail(found, knowledge, at)


def _datatype(value: RdfLiteral) -> str:
    """Every literal has a datatype in RDF 1.1: plain ones are xsd:string, tagged ones rdf:langString."""
    if value.datatype is not None:
        return str(value.datatype)
    if value.language:
        return "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
    return "http://www.w3.org/2001/XMLSchema#string"


def present_detail(found: catalog.Detail, knowledge: Knowledge, at: dt.date) -> DetailOut:
    present = Presenter(knowledge, None)
    grouped: dict[URIRef, list[Value]] = {}
    sources = []
    for statement in found.statements:
        if str(statement.property) == "http://purl.org/dc/terms/source":
            sources.append(str(statement.value))
        value = statement.value
        if isinstance(value, URIRef):
            ref = present.ref(value)
            item = Value(id=ref.id, key=ref.key, label=statement.value_label or ref.label)
        elif isinstance(value, RdfLiteral):
            item = Value(value=str(value), datatype=_datatype(value), language=value.language)
        else:
            item = Value(value=str(value))
        grouped.setdefault(statement.property, []).append(item)
    properties = [
        PropertyValues(property=present.ref(p), values=values)
        for p, values in sorted(grouped.items(), key=lambda kv: present.ref(kv[0]).label)
    ]
    incoming = [IncomingCount(property=present.ref(p), count=n) for p, n in sorted(found.incoming.items())]
    records = [
        RecordOut(
            id=str(r.iri),
            kind=r.kind,
            actor=present.ref(r.actor),
            basis=present.ref(r.basis),
            mode=present.ref(r.mode) if r.mode else None,
            start=r.start,
            end=r.end,
            holds=r.holds_on(at),
            derived=r.derived,
            sources=sorted(str(s) for s in r.sources),
        )
        for r in found.records
    ]
    return DetailOut(
        **present.ref(found.iri).model_dump(),
        properties=properties,
        incoming=incoming,
        sources=sorted(set(sources)),
        records=records,
    )
