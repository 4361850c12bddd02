"""The SPARQL 1.1 Graph Store HTTP Protocol at /rdf-graph-store (?graph=IRI or ?default).

`?default` is the store's own default graph, which queries see as part of the union default
graph; the curated graphs are named graphs and are replaced by every build.
"""

from __future__ import annotations

import json
import logging
import re
from xml.etree import ElementTree

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from rdflib import URIRef

from service.api.auth import require_writer
from service.api.bodies import media_type_of, read_body
from service.api.deps import SettingsDep, StoreDep
from service.api.iris import parse_iri
from service.api.negotiation import GRAPH_ALIASES, GRAPH_TYPES, choose
from service.audit import AuditTrail, write_record
from service.store.base import JSONLD, NTRIPLES, RDFXML, TURTLE

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/rdf-graph-store", tags=["graph store"])

UPLOAD_TYPES = {
    TURTLE: TURTLE,
    "application/x-turtle": TURTLE,
    NTRIPLES: NTRIPLES,
    "text/plain": NTRIPLES,
    RDFXML: RDFXML,
    "application/xml": RDFXML,
    JSONLD: JSONLD,
    "application/json": JSONLD,
}

TARGET_HELP = "give exactly one of ?graph=IRI (a named graph) or ?default (the default graph)"
WRITE_RESPONSES: dict[int | str, dict[str, object]] = {
    201: {"description": "Graph created"},
    204: {"description": "Graph written"},
    400: {"description": "Malformed upload or parameters; nothing was written"},
    401: {"description": "No token"},
    403: {"description": "Wrong token"},
    413: {"description": "Upload too large"},
    415: {"description": "Unsupported content type"},
}


def _target(request: Request) -> URIRef | None:
    graphs = request.query_params.getlist("graph")
    default = "default" in request.query_params
    if default == bool(graphs) or len(graphs) > 1:
        raise HTTPException(400, TARGET_HELP)
    return None if default else parse_iri(graphs[0], "graph")


async def _upload(request: Request, settings: SettingsDep) -> tuple[bytes, str]:
    content_type = media_type_of(request)
    if content_type not in UPLOAD_TYPES:
        accepted = ", ".join(sorted({TURTLE, NTRIPLES, RDFXML, JSONLD}))
        raise HTTPException(415, f"upload one of {accepted}; got {content_type or 'no content type'}")
    data, media_type = await read_body(request, settings.max_body_bytes), UPLOAD_TYPES[content_type]
    refuse_unsafe_upload(data, media_type)
    return data, media_type


_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def refuse_unsafe_upload(data: bytes, media_type: str) -> None:
    """Refuse, before any parser sees them, what parsers would act on: RDF/XML with a DTD
    (entities can expand an upload far past the body limit, or pull in local files), RDF/XML
    that is not well-formed (a parser may take a cut-off file as complete), and JSON-LD naming
    a context by URL (the parser would fetch it)."""
    if media_type == RDFXML:
        if _DTD.search(data):
            raise HTTPException(400, "RDF/XML uploads with a DTD or entity declarations are not accepted")
        try:
            ElementTree.fromstring(data)
        except ElementTree.ParseError as error:
            raise HTTPException(400, f"the upload is not valid RDF: not well-formed XML ({error})") from error
    elif media_type == JSONLD:
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError) as error:
            raise HTTPException(400, f"the upload is not valid RDF: not JSON ({error})") from error
        if _names_a_remote_context(document):
            raise HTTPException(
                400, "JSON-LD uploads must carry their @context inline; remote contexts are not fetched"
            )


def _names_a_remote_context(node: object) -> bool:
    if isinstance(node, list):
        return any(_names_a_remote_context(item) for item in node)
    if not isinstance(node, dict):
        return False
    for key, value in node.items():
        if key == "@context":
            contexts = value if isinstance(value, list) else [value]
            if any(isinstance(c, str) or (isinstance(c, dict) and "@import" in c) for c in contexts):
                return True
        if _names_a_remote_context(value):
            return True
    return False


@router.head("", include_in_schema=False)
@router.get(
    "",
    summary="Read a graph (HEAD: whether it exists)",
    responses={200: {"content": {t: {} for t in GRAPH_TYPES}}, 404: {"description": "No such graph"}},
)
async def get_graph(request: Request, store: StoreDep) -> Response:
    graph = _target(request)
    media_type = choose(request.headers.get("accept"), GRAPH_TYPES, GRAPH_ALIASES)
    if media_type is None:
        raise HTTPException(406, "graphs are available as Turtle, N-Triples, JSON-LD or RDF/XML")
    if request.method == "HEAD":
        if not await run_in_threadpool(store.has_graph, graph):
            return Response(status_code=404)
        return Response(media_type=media_type, headers={"Vary": "Accept"})
    body = await run_in_threadpool(store.graph_bytes, graph, media_type)
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})


async def _write(request: Request, store: StoreDep, settings: SettingsDep, *, replace: bool) -> Response:
    writer = require_writer(request, settings)
    graph = _target(request)
    data, media_type = await _upload(request, settings)
    existed = await run_in_threadpool(store.has_graph, graph)
    write = store.replace_graph if replace else store.add_to_graph
    trail: AuditTrail = request.app.state.audit
    action = "graph-put" if replace else "graph-post"
    async with trail.recording(store, write_record(request, writer, action, graph=str(graph or "default"))) as record:
        count = record.triples = await run_in_threadpool(write, graph, data, media_type)
    logger.info(
        "event=graph_write token=%s method=%s graph=%s triples=%d", writer, request.method, graph or "default", count
    )
    return Response(status_code=204 if existed else 201)


@router.put("", summary="Replace a graph with the uploaded RDF", status_code=204, responses=WRITE_RESPONSES)
async def put_graph(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    return await _write(request, store, settings, replace=True)


@router.post("", summary="Add the uploaded RDF to a graph", status_code=204, responses=WRITE_RESPONSES)
async def post_graph(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    return await _write(request, store, settings, replace=False)


@router.delete(
    "",
    summary="Delete a named graph, or empty the default graph",
    status_code=204,
    responses={**WRITE_RESPONSES, 404: {"description": "No such graph"}},
)
async def delete_graph(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    writer = require_writer(request, settings)
    graph = _target(request)
    trail: AuditTrail = request.app.state.audit
    async with trail.recording(store, write_record(request, writer, "graph-delete", graph=str(graph or "default"))):
        await run_in_threadpool(store.drop_graph, graph)
    logger.info("event=graph_write token=%s method=DELETE graph=%s", writer, graph or "default")
    return Response(status_code=204)
