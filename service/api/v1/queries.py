"""Every named query of queries/ as a REST endpoint, with typed parameters from its `#+` header,
answering JSON (rows with resources labelled) or CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from rdflib import Literal, URIRef

from service.api.negotiation import choose
from service.api.v1.common import MAX_LIMIT, MAX_OFFSET, Page, Paging
from service.api.v1.present import Presenter
from service.errors import InvalidQuery, NotAcceptable
from service.keys import parse_resource
from service.queries import NamedQuery, Parameter, load_named_queries
from service.store.base import Term

router = APIRouter(prefix="/api/v1/queries", tags=["named queries"])

JSON = "application/json"
CSV = "text/csv"


class ParameterOut(BaseModel):
    name: str
    type: str
    description: str
    default: str | None = None
    kind: str | None = Field(None, description="For IRI parameters: the kind of resource expected.")


class NamedQueryOut(BaseModel):
    name: str
    summary: str
    tags: list[str]
    parameters: list[ParameterOut]
    url: str = Field(..., examples=["/api/v1/queries/instruments-in-force"])
    sparql: str = Field(..., description="The query text.")


def _describe(query: NamedQuery) -> NamedQueryOut:
    return NamedQueryOut(
        name=query.name,
        summary=query.summary,
        tags=list(query.tags),
        parameters=[ParameterOut(**vars(p)) for p in query.parameters],
        url=f"/api/v1/queries/{query.name}",
        sparql=query.text,
    )


@router.get("", response_model=list[NamedQueryOut], summary="The named queries")
def list_queries() -> list[NamedQueryOut]:
    return [_describe(q) for q in load_named_queries()]


def _value(parameter: Parameter, raw: str | None) -> Term:
    """A request's value as the parameter's RDF term (keys accepted for IRIs)."""
    if raw is None or raw == "":
        default = parameter.default_term()
        if default is None:
            raise InvalidQuery(f"{parameter.name} is required")
        return default
    if parameter.type == "iri" and not raw.startswith(("http://", "https://")):
        kinds = (parameter.kind,) if parameter.kind else ()
        return parse_resource(raw, parameter.name, kinds=kinds)
    return parameter.term(raw)


def _cell(term: Term | None, present: Presenter) -> Any:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return present.ref(term).model_dump()
    if isinstance(term, Literal):
        value = term.toPython()
        return value if isinstance(value, bool | int | float) else str(term)
    return str(term)


def _run(request: Request, query: NamedQuery) -> Response:
    unknown = set(request.query_params) - {p.name for p in query.parameters} - {"limit", "offset", "format"}
    if unknown:
        raise InvalidQuery(
            f"unknown parameter(s) {', '.join(sorted(unknown))}; this query takes "
            f"{', '.join(p.name for p in query.parameters) or 'no parameters'}, limit and offset"
        )
    bindings = {p.name: _value(p, request.query_params.get(p.name)) for p in query.parameters}
    limit = _bounded(request.query_params.get("limit"), "limit", query.pagination or 100, 1, MAX_LIMIT)
    offset = _bounded(request.query_params.get("offset"), "offset", 0, 0, MAX_OFFSET)
    fmt = request.query_params.get("format")
    media_type = {"json": JSON, "csv": CSV}.get(fmt or "") or choose(request.headers.get("accept"), (JSON, CSV))
    if fmt is not None and fmt not in ("json", "csv"):
        raise InvalidQuery("format must be json or csv")
    if media_type is None:
        raise NotAcceptable("named queries answer application/json or text/csv")
    store = request.app.state.store
    result = store.select(query.text, bindings)
    response = Response()
    page = Paging(limit=limit, offset=offset).page(result.rows, request, response)
    if media_type == CSV:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(result.variables)
        for row in page.items:
            writer.writerow(["" if row.get(v) is None else str(row[v]) for v in result.variables])
        headers = {k: v for k, v in response.headers.items() if k == "link"}
        return Response(out.getvalue(), media_type=CSV, headers={**headers, "X-Total-Count": str(page.total)})
    present = Presenter(request.app.state.knowledge.get(store), None)
    items = [{v: _cell(row.get(v), present) for v in result.variables} for row in page.items]
    body = Page[dict](items=items, total=page.total, limit=page.limit, offset=page.offset)  # type: ignore[type-arg]
    headers = {k: v for k, v in response.headers.items() if k == "link"}
    return JSONResponse(body.model_dump(mode="json"), headers=headers)


def _bounded(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:  # not "²": int() refuses it
        raise InvalidQuery(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _openapi_parameters(query: NamedQuery) -> list[dict[str, object]]:
    schema_types = {"date": {"type": "string", "format": "date"}, "integer": {"type": "integer"}}
    parameters: list[dict[str, object]] = [
        {
            "name": p.name,
            "in": "query",
            "required": p.default is None,
            "description": p.description + (f" (an IRI or key of a {p.kind})" if p.kind else ""),
            "schema": {**schema_types.get(p.type, {"type": "string"}), **({"default": p.default} if p.default else {})},
        }
        for p in query.parameters
    ]
    parameters += [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": query.pagination or 100},
        },
        {
            "name": "offset",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
        },
        {"name": "format", "in": "query", "required": False, "schema": {"type": "string", "enum": ["json", "csv"]}},
    ]
    return parameters


def _endpoint(query: NamedQuery) -> Callable[[Request], Awaitable[Response]]:
    """The route function of one named query. The query is closed over, never a parameter a
    request could set."""

    async def endpoint(request: Request) -> Response:
        return await run_in_threadpool(_run, request, query)

    return endpoint


def add_named_query_routes(app: FastAPI) -> None:
    """One GET route per named query, documented with its own parameters."""
    for query in load_named_queries():
        app.add_api_route(
            f"/api/v1/queries/{query.name}",
            _endpoint(query),
            methods=["GET"],
            name=f"query-{query.name}",
            summary=query.summary,
            tags=["named queries"],
            response_model=None,
            openapi_extra={
                "parameters": _openapi_parameters(query),
                "responses": {
                    "200": {
                        "description": "The rows, paged, with resources labelled",
                        "content": {JSON: {"schema": {"type": "object"}}, CSV: {"schema": {"type": "string"}}},
                    },
                    "400": {"description": "A bad parameter, named in the detail"},
                    "406": {"description": "Neither JSON nor CSV is acceptable"},
                },
            },
        )
