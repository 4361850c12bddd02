"""ETags from the store's generation and write count; If-None-Match gets 304 without the
answer being computed again."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool

from service.errors import Border21Error

CACHED_PREFIXES = ("/api/v1/", "/id/", "/ontology", "/sparql")


def _etag(key: str, request: Request) -> str:
    # answers without at= depend on today's date, and every answer on the URL and Accept
    material = "\n".join((key, dt.date.today().isoformat(), str(request.url), request.headers.get("accept", "")))
    return f'W/"{hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]}"'


def install_etags(app: FastAPI) -> None:
    @app.middleware("http")
    async def etags(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method not in ("GET", "HEAD") or not request.url.path.startswith(CACHED_PREFIXES):
            return await call_next(request)
        store = getattr(request.app.state, "store", None)
        try:
            key = await run_in_threadpool(store.cache_key) if store is not None else None
        except Border21Error:
            key = None
        if key is None:
            return await call_next(request)
        tag = _etag(key, request)
        wanted = {t.strip() for t in request.headers.get("if-none-match", "").split(",")}
        if tag in wanted or "*" in wanted:
            return Response(status_code=304, headers={"ETag": tag})
        response = await call_next(request)
        if response.status_code == 200:
            response.headers["ETag"] = tag
            response.headers.setdefault("Cache-Control", "no-cache")
        return response
