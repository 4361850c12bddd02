"""The SPARQL 1.1 Protocol endpoint: queries, updates and the service description."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from service import __version__
from service.api.auth import require_writer
from service.api.bodies import decode_utf8, media_type_of, read_body
from service.api.deps import SettingsDep, StoreDep
from service.api.iris import parse_iri
from service.api.negotiation import (
    ALIASES,
    FORMATS,
    GRAPH_ALIASES,
    GRAPH_TYPES,
    RESULTS_TYPES,
    choose,
    prefers_html,
)
from service.audit import AuditTrail, update_details, write_record
from service.namespaces import PREFIXES, SD, SH
from service.store.base import QueryDataset

logger = logging.getLogger(__name__)

router = APIRouter(tags=["sparql"])

QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"

RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "Query results (SELECT/ASK) or a graph (CONSTRUCT/DESCRIBE), by content negotiation",
        "content": {media_type: {} for media_type in (*RESULTS_TYPES, *GRAPH_TYPES)},
    },
    400: {"description": "Malformed query or parameters; the parser's message says where"},
    406: {"description": "No acceptable representation of this result"},
    422: {"description": "The result is larger than the configured maximum"},
    503: {"description": "The query ran out of time and was stopped, or the store is unavailable"},
}


class Parameters:
    """The protocol's parameters, from the URL and, for form posts, from the body."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    def one(self, name: str) -> str | None:
        values = self.all(name)
        if len(values) > 1:
            raise HTTPException(400, f"the {name} parameter is given {len(values)} times; give it once")
        return values[0] if values else None

    def dataset(self, default: str, named: str) -> QueryDataset:
        return QueryDataset(
            tuple(parse_iri(v, default) for v in self.all(default)),
            tuple(parse_iri(v, named) for v in self.all(named)),
        )


def _negotiate(request: Request, parameters: Parameters) -> tuple[str | None, str | None]:
    fmt = parameters.one("format") or parameters.one("output")
    if fmt is not None:
        if fmt.lower() not in FORMATS:
            raise HTTPException(400, f"format must be one of {', '.join(sorted(FORMATS))}")
        return FORMATS[fmt.lower()]
    accept = request.headers.get("accept")
    return choose(accept, RESULTS_TYPES, ALIASES), choose(accept, GRAPH_TYPES, GRAPH_ALIASES)


async def _run_query(request: Request, store: StoreDep, query: str, parameters: Parameters) -> Response:
    results_type, graph_type = _negotiate(request, parameters)
    dataset = parameters.dataset("default-graph-uri", "named-graph-uri")
    outcome = await run_in_threadpool(
        store.execute, query, results_media_type=results_type, graph_media_type=graph_type, dataset=dataset
    )
    return Response(outcome.body, media_type=outcome.media_type, headers={"Vary": "Accept"})


async def _run_update(request: Request, store: StoreDep, writer: str, update: str, parameters: Parameters) -> Response:
    dataset = parameters.dataset("using-graph-uri", "using-named-graph-uri")
    trail: AuditTrail = request.app.state.audit
    async with trail.recording(store, write_record(request, writer, "sparql-update", details=update_details(update))):
        await run_in_threadpool(store.update, update, dataset)
    logger.info("event=update token=%s bytes=%d", writer, len(update.encode("utf-8")))
    return Response(status_code=204)


@router.head("/sparql", include_in_schema=False)
@router.get(
    "/sparql",
    summary="SPARQL query by GET; without a query, the service description (or the editor, for browsers)",
    responses=RESPONSES,
)
async def sparql_get(request: Request, store: StoreDep) -> Response:
    parameters = Parameters(list(request.query_params.multi_items()))
    if parameters.all("update"):
        raise HTTPException(400, "updates must be sent by POST")
    query = parameters.one("query")
    if query is None:
        if prefers_html(request.headers.get("accept")):
            from service.web.sparql_editor import editor_page

            return editor_page(request)
        return service_description(request, await run_in_threadpool(store.named_graphs))
    return await _run_query(request, store, query, parameters)


@router.post(
    "/sparql",
    summary="SPARQL query or update by POST (form-encoded, application/sparql-query or application/sparql-update)",
    responses={
        **RESPONSES,
        204: {"description": "Update applied"},
        401: {"description": "No token"},
        403: {"description": "Wrong token"},
        413: {"description": "Request body too large"},
        415: {"description": "Unsupported content type"},
    },
    openapi_extra={
        "requestBody": {
            "content": {
                QUERY_TYPE: {"schema": {"type": "string"}},
                UPDATE_TYPE: {"schema": {"type": "string"}},
                FORM_TYPE: {
                    "schema": {
                        "type": "object",
                        "properties": {"query": {"type": "string"}, "update": {"type": "string"}},
                    }
                },
            }
        }
    },
)
async def sparql_post(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    content_type = media_type_of(request)
    url_parameters = list(request.query_params.multi_items())
    body = await read_body(request, settings.max_body_bytes)
    if content_type == QUERY_TYPE:
        return await _run_query(request, store, decode_utf8(body, "query"), Parameters(url_parameters))
    if content_type == UPDATE_TYPE:
        writer = require_writer(request, settings)
        return await _run_update(request, store, writer, decode_utf8(body, "update"), Parameters(url_parameters))
    if content_type == FORM_TYPE:
        try:
            form = parse_qsl(decode_utf8(body, "form"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError as error:
            raise HTTPException(400, "a percent-escape in the form is not UTF-8") from error
        parameters = Parameters(url_parameters + form)
        query, update = parameters.one("query"), parameters.one("update")
        if query is not None and update is not None:
            raise HTTPException(400, "send either query or update, not both")
        if query is not None:
            return await _run_query(request, store, query, parameters)
        if update is not None:
            writer = require_writer(request, settings)
            return await _run_update(request, store, writer, update, parameters)
        raise HTTPException(400, "the form needs a query or an update parameter")
    raise HTTPException(
        415, f"POST /sparql takes {QUERY_TYPE}, {UPDATE_TYPE} or {FORM_TYPE}, not {content_type or 'no content type'}"
    )


def service_description(request: Request, named_graphs: list[URIRef]) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, with its predeclared prefixes."""
    endpoint = URIRef(str(request.url_for("sparql_get")))
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("sh", SH)
    service = BNode("service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, endpoint))
    for language in (SD.SPARQL11Query, SD.SPARQL11Update):
        graph.add((service, SD.supportedLanguage, language))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for media_type in (*RESULTS_TYPES, *GRAPH_TYPES):
        graph.add((service, SD.resultFormat, URIRef(_FORMAT_IRIS[media_type])))
    dataset = BNode("dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default_graph = BNode("default")
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    for name in named_graphs:
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, SD.name, name))
    graph.add(
        (
            service,
            URIRef("http://purl.org/dc/terms/description"),
            Literal(f"border21 {__version__}: the default graph is the union of all named graphs", lang="en"),
        )
    )
    for prefix, namespace in PREFIXES.items():
        declaration = BNode(f"prefix-{prefix}")
        graph.add((service, SH.declare, declaration))
        graph.add((declaration, SH.prefix, Literal(prefix)))
        graph.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
    chosen = choose(request.headers.get("accept"), GRAPH_TYPES, GRAPH_ALIASES)
    if chosen is None:
        raise HTTPException(406, "the service description is available as Turtle, N-Triples, JSON-LD or RDF/XML")
    body = graph.serialize(format=_RDFLIB_FORMATS[chosen], encoding="utf-8")
    media_type = chosen
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})


_FORMAT_IRIS = {
    "application/sparql-results+json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "application/sparql-results+xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "text/csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "text/tab-separated-values": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "text/turtle": "http://www.w3.org/ns/formats/Turtle",
    "application/n-triples": "http://www.w3.org/ns/formats/N-Triples",
    "application/ld+json": "http://www.w3.org/ns/formats/JSON-LD",
    "application/rdf+xml": "http://www.w3.org/ns/formats/RDF_XML",
}
_RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
