"""Liveness and readiness."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from service import __version__
from service.api.deps import StoreDep
from service.api.v1.common import WarmUp
from service.errors import Border21Error
from service.store.served import ServiceStore

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = Field(..., examples=["ok"])
    version: str = Field(..., examples=[__version__])


class Readiness(BaseModel):
    status: str = Field(..., examples=["ready"])
    generation: str | None = Field(
        None, description="The store generation being served.", examples=["20261129T071500-4242-a1b2c3"]
    )
    triples: int | None = Field(None, description="Quads in the store.", examples=[12345])
    warm_up: str | None = Field(
        None,
        description="The start-up warm-up that fills the planner's caches: running, done, failed (requests fill "
        "them), skipped (remote store, or nothing built at start-up), stopped or off.",
        examples=["done"],
    )
    detail: str | None = Field(None, examples=[None])


@router.get("/healthz", response_model=Health, summary="The process is up")
def healthz() -> Health:
    return Health(status="ok", version=__version__)


WarmParameter = Annotated[
    bool,
    Query(
        description="Also wait for the start-up warm-up: 503 (status `warming`) until it has ended, so that a "
        "balancer sends no planner request before the caches are full (at a million triples that takes a minute)."
    ),
]


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="The store is open and holds data",
    responses={503: {"model": Readiness, "description": "Not ready: no store, an empty one, or (warm=true) warming"}},
)
def readyz(request: Request, store: StoreDep, warm: WarmParameter = False) -> Readiness | JSONResponse:
    progress: WarmUp | None = getattr(request.app.state, "warm_up", None)
    outcome = progress.outcome if progress is not None else None
    try:
        triples = _triples(request, store)
    except Border21Error as error:
        body = Readiness(status="unavailable", warm_up=outcome, detail=str(error))
        return JSONResponse(body.model_dump(), status_code=503)
    generation = store.generation.name if store.generation else None
    if triples == 0:
        body = Readiness(
            status="empty", generation=generation, triples=0, warm_up=outcome, detail="the store holds no triples"
        )
        return JSONResponse(body.model_dump(), status_code=503)
    if warm and progress is not None and not progress.ended.is_set():
        body = Readiness(
            status="warming",
            generation=generation,
            triples=triples,
            warm_up=outcome,
            detail="the caches of the planner endpoints are being filled",
        )
        return JSONResponse(body.model_dump(), status_code=503)
    return Readiness(status="ready", generation=generation, triples=triples, warm_up=outcome)


def _triples(request: Request, store: ServiceStore) -> int:
    """The store's size, counted once per store version (a million quads take half a second)."""
    key = store.cache_key()
    counted: tuple[str, int] | None = getattr(request.app.state, "triples_counted", None)
    if key is not None and counted is not None and counted[0] == key:
        return counted[1]
    triples = store.triple_count()
    if key is not None:
        request.app.state.triples_counted = (key, triples)
    return triples
