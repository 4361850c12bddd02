"""Linked data: every resource IRI https://w3id.org/border21/id/{kind}/{slug} and the ontology
IRI https://w3id.org/border21/ontology dereference here, as an HTML page for browsers and as
RDF (Turtle, N-Triples, JSON-LD, RDF/XML) by content negotiation.

HEAD runs as GET does (the server sends the headers only), so its headers are the GET's.

A resource's description is every statement about it, the labels of what it points to, the
participations, accesses and concepts that point to it, and the derived cooperation links it
is part of with what supports them (`service/sparql/describe-resource.rq`).
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from rdflib import Graph, URIRef

from service.api.deps import StoreDep
from service.api.errors import ERROR_RESPONSES
from service.api.negotiation import FORMATS, GRAPH_ALIASES, GRAPH_TYPES, choose, prefers_html
from service.errors import InvalidQuery, NotAcceptable
from service.keys import iri_of, key_of
from service.namespaces import ID, PREFIXES, RESOURCE_KINDS
from service.sparql import sparql
from service.store.base import JSONLD, NTRIPLES, RDFXML, TURTLE, Triple
from service.web.ontology_page import ontology_page, read_ontology
from service.web.resource_page import not_found_page, read_description, resource_page
from service.web.templates import Alternate, render

router = APIRouter(tags=["linked data"])

HTML = "text/html"
VARY = {"Vary": "Accept"}
# The representations a page links to, for browsers that cannot set Accept.
ALTERNATES = (
    ("Turtle", TURTLE, "turtle"),
    ("JSON-LD", JSONLD, "jsonld"),
    ("RDF/XML", RDFXML, "rdfxml"),
    ("N-Triples", NTRIPLES, "ntriples"),
)
RDFLIB_FORMATS = {TURTLE: "turtle", NTRIPLES: "nt", JSONLD: "json-ld", RDFXML: "xml"}

RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "An HTML page for browsers, else the description as RDF, by content negotiation "
        "(or `?format=turtle|jsonld|rdfxml|ntriples|html`)",
        "content": {HTML: {}, **{media_type: {} for media_type in GRAPH_TYPES}},
    },
    400: {"description": "An unknown `format`"},
    404: {
        "description": "No such resource (an HTML page for browsers)",
        "content": {"application/json": {"example": {"detail": "no resource state/xx"}}},
    },
    406: {"description": "None of the representations is acceptable"},
    **ERROR_RESPONSES,
}


def representation(request: Request) -> str:
    """HTML for a browser, else the RDF type the client prefers; `?format=` overrides Accept.
    Raises NotAcceptable (406) when the client accepts none of them."""
    wanted = request.query_params.get("format")
    if wanted is not None:
        if wanted.lower() == "html":
            return HTML
        graph_type = FORMATS.get(wanted.lower(), (None, None))[1]
        if graph_type is None:
            raise InvalidQuery("format must be one of html, turtle, jsonld, rdfxml or ntriples")
        return graph_type
    accept = request.headers.get("accept")
    if prefers_html(accept):
        return HTML
    chosen = choose(accept, GRAPH_TYPES, GRAPH_ALIASES)
    if chosen is None:
        raise NotAcceptable("resources are available as HTML, Turtle, N-Triples, JSON-LD or RDF/XML")
    return chosen


def alternates(path: str) -> tuple[Alternate, ...]:
    return tuple(Alternate(label, media_type, f"{path}?format={name}") for label, media_type, name in ALTERNATES)


def link_header(path: str) -> str:
    return ", ".join(f'<{a.href}>; rel="alternate"; type="{a.media_type}"' for a in alternates(path))


def serialize(triples: Iterable[Triple], media_type: str) -> bytes:
    graph = Graph(bind_namespaces="none")
    for triple in triples:
        graph.add(triple)
    return serialize_graph(graph, media_type)


def serialize_graph(graph: Graph, media_type: str) -> bytes:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    if media_type == JSONLD:
        return graph.serialize(format="json-ld", context=dict(PREFIXES), encoding="utf-8")
    body = graph.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8")
    if media_type == NTRIPLES:  # in a stable order, so that the same data gives the same bytes
        body = b"".join(sorted(body.splitlines(keepends=True)))
    return body


def not_found(chosen: str, detail: str) -> Response:
    """404 in the representation asked for: a page for a browser, else {"detail": ...}."""
    if chosen == HTML:
        return HTMLResponse(render(not_found_page(detail)), status_code=404, headers=VARY)
    return JSONResponse({"detail": detail}, status_code=404, headers=VARY)


def resource_iri(kind: str, slug: str) -> URIRef | None:
    """The IRI `/id/{kind}/{slug}` names, if the two make a valid key (service.keys): a known
    kind and a slug of letters, digits, `.`, `_` and `-` that does not start with a dot, so
    nothing like `..` or an encoded slash ever names a resource."""
    key = f"{kind}/{slug}"
    if kind not in RESOURCE_KINDS or key_of(f"{ID}{key}") != key:
        return None
    return iri_of(key)


@router.head("/id/{kind}/{slug}", include_in_schema=False)
@router.get("/id/{kind}/{slug}", summary="Dereference a resource IRI", responses=RESPONSES)
async def dereference(kind: str, slug: str, request: Request, store: StoreDep) -> Response:
    chosen = representation(request)
    iri = resource_iri(kind, slug)
    if iri is None:
        return not_found(chosen, f"no resource {kind[:60]}/{slug[:100]}: not a resource key")
    key = f"{kind}/{slug}"
    path = request.url.path
    if chosen == HTML:
        description = await run_in_threadpool(read_description, store, iri)
        if description is None:
            return not_found(chosen, f"no resource {key}")
        page = render(resource_page(description, alternates(path)))
        return HTMLResponse(page, headers={**VARY, "Link": link_header(path)})
    triples = await run_in_threadpool(store.construct, sparql("describe-resource"), {"resource": iri})
    if not any(subject == iri for subject, _, _ in triples):
        return not_found(chosen, f"no resource {key}")
    return Response(serialize(triples, chosen), media_type=chosen, headers=VARY)


@router.head("/id/{rest:path}", include_in_schema=False)
@router.get("/id/{rest:path}", include_in_schema=False)
async def not_a_resource(rest: str, request: Request) -> Response:
    """Anything else under /id/ (more or fewer path segments) names no resource."""
    return not_found(representation(request), "no such resource: resource IRIs are /id/{kind}/{slug}")


@router.head("/ontology", include_in_schema=False)
@router.head("/ontology/", include_in_schema=False)
@router.get("/ontology/", include_in_schema=False)
@router.get(
    "/ontology",
    summary="The ontology: documentation for browsers, else the ontology graph as RDF",
    responses=RESPONSES,
)
async def ontology(request: Request, store: StoreDep) -> Response:
    return await _ontology(request, store, version=None)


@router.head("/ontology/{version}", include_in_schema=False)
@router.get("/ontology/{version}", summary="One version of the ontology (its owl:versionIRI)", responses=RESPONSES)
async def ontology_version(version: str, request: Request, store: StoreDep) -> Response:
    return await _ontology(request, store, version=version)


async def _ontology(request: Request, store: StoreDep, *, version: str | None) -> Response:
    chosen = representation(request)
    document = await run_in_threadpool(read_ontology, store)
    if version is not None and version != document.version:
        return not_found(chosen, f"no ontology version {version[:40]}; this is version {document.version}")
    if chosen == HTML:
        path = request.url.path
        page = render(ontology_page(document, alternates(path)))
        return HTMLResponse(page, headers={**VARY, "Link": link_header(path)})
    return Response(serialize_graph(document.graph, chosen), media_type=chosen, headers=VARY)
