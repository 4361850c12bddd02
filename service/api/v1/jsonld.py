"""JSON-LD: every /api/v1 answer also comes as JSON-LD on Accept: application/ld+json, with
the context published at /api/v1/context.jsonld."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from service.api.negotiation import parse_accept, quality

JSONLD = "application/ld+json"
CONTEXT_PATH = "/api/v1/context.jsonld"

CONTEXT: dict[str, Any] = {
    "@context": {
        "@vocab": "https://w3id.org/border21/api#",
        "b21": "https://w3id.org/border21/ontology#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "dcterms": "http://purl.org/dc/terms/",
        "id": "@id",
        "label": "rdfs:label",
        "sources": {"@id": "dcterms:source", "@type": "@id"},
        "iso_code": "b21:isoCode",
        "between": "b21:between",
        "start": {"@id": "b21:startDate", "@type": "xsd:date"},
        "end": {"@id": "b21:endDate", "@type": "xsd:date"},
        "start_confirmed_only": {"@id": "b21:startIsEarliestConfirmation", "@type": "xsd:boolean"},
        "at": {"@type": "xsd:date"},
        "adopted": {"@id": "b21:dateAdopted", "@type": "xsd:date"},
        "entry_into_force": {"@id": "b21:dateEntryIntoForce", "@type": "xsd:date"},
        "date_of_application": {"@id": "b21:dateOfApplication", "@type": "xsd:date"},
        "no_longer_in_force": {"@id": "b21:dateNoLongerInForce", "@type": "xsd:date"},
        "items": {"@container": "@list"},
    }
}

router = APIRouter(tags=["resources"])


@router.get(CONTEXT_PATH, summary="The JSON-LD context of the API's answers", response_model=None)
def context() -> JSONResponse:
    return JSONResponse(CONTEXT, media_type=JSONLD)


def wants_jsonld(accept: str | None) -> bool:
    ranges = parse_accept(accept)
    return any(r.type == "application" and r.subtype == "ld+json" and r.q > 0 for r in ranges) and quality(
        ranges, JSONLD
    ) >= quality(ranges, "application/json")


def install_jsonld(app: FastAPI) -> None:
    @app.middleware("http")
    async def jsonld(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if not request.url.path.startswith("/api/v1/") or not wants_jsonld(request.headers.get("accept")):
            return await call_next(request)
        response = await call_next(request)
        if not response.headers.get("content-type", "").startswith("application/json"):
            return response
        body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        data = json.loads(body)
        context_url = str(request.base_url).rstrip("/") + CONTEXT_PATH
        framed = (
            {"@context": context_url, **data} if isinstance(data, dict) else {"@context": context_url, "@graph": data}
        )
        headers = {k: v for k, v in response.headers.items() if k not in ("content-length", "content-type")}
        headers["Vary"] = "Accept"
        return Response(
            json.dumps(framed).encode("utf-8"), status_code=response.status_code, media_type=JSONLD, headers=headers
        )
