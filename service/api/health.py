"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from service import __version__
from service.api.deps import StoreDep
from service.errors import Border21Error

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
    detail: str | None = Field(None, examples=[None])


@router.get("/healthz", response_model=Health, summary="The process is up")
def healthz() -> Health:
    return Health(status="ok", version=__version__)


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="The store is open and holds data",
    responses={503: {"model": Readiness, "description": "Not ready: no store, or an empty one"}},
)
def readyz(store: StoreDep) -> Readiness | JSONResponse:
    try:
        triples = store.triple_count()
    except Border21Error as error:
        body = Readiness(status="unavailable", detail=str(error))
        return JSONResponse(body.model_dump(), status_code=503)
    generation = store.generation.name if store.generation else None
    if triples == 0:
        body = Readiness(status="empty", generation=generation, triples=0, detail="the store holds no triples")
        return JSONResponse(body.model_dump(), status_code=503)
    return Readiness(status="ready", generation=generation, triples=triples)
