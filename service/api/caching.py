"""ETags from the store's generation and write count; If-None-Match gets 304 without the
answer being computed again. REST answers (`/api/v1/`) are also kept in memory under the same
tag, so a repeated question is answered without being computed again until the store changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool

from service.errors import Border21Error

CACHED_PREFIXES = ("/api/v1/", "/id/", "/ontology", "/sparql")
KEPT_PREFIX = "/api/v1/"
# Headers a kept answer is not stored with: recomputed for each sending.
UNKEPT_HEADERS = ("content-length", "etag")


def _etag(key: str, request: Request) -> str:
    # answers without at= depend on today's date, and every answer on the URL and Accept
    material = "\n".join((key, dt.date.today().isoformat(), str(request.url), request.headers.get("accept", "")))
    return f'W/"{hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]}"'


@dataclass(frozen=True)
class KeptAnswer:
    body: bytes
    headers: tuple[tuple[str, str], ...]


class ResponseCache:
    """Answers by ETag, least recently used dropped first, at most `capacity` bytes in all. An
    answer larger than a quarter of the capacity is not kept. The tag names the store version,
    so an answer is never sent for a store it was not computed on."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, KeptAnswer] = OrderedDict()
        self._size = 0

    def get(self, tag: str) -> KeptAnswer | None:
        with self._lock:
            answer = self._entries.get(tag)
            if answer is not None:
                self._entries.move_to_end(tag)
            return answer

    def put(self, tag: str, answer: KeptAnswer) -> None:
        if len(answer.body) * 4 > self.capacity:
            return
        with self._lock:
            previous = self._entries.pop(tag, None)
            if previous is not None:
                self._size -= len(previous.body)
            self._entries[tag] = answer
            self._size += len(answer.body)
            while self._size > self.capacity:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped.body)

    @property
    def size(self) -> int:
        return self._size


def install_etags(app: FastAPI, kept: ResponseCache | None = None) -> None:
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
        cache = kept if request.method == "GET" and request.url.path.startswith(KEPT_PREFIX) else None
        if cache is not None and (answer := cache.get(tag)) is not None:
            return _sent(answer, tag, "hit")
        response = await call_next(request)
        if response.status_code != 200:
            return response
        response.headers["ETag"] = tag
        response.headers.setdefault("Cache-Control", "no-cache")
        if cache is None:
            return response
        body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        headers = tuple((name, value) for name, value in response.headers.items() if name not in UNKEPT_HEADERS)
        answer = KeptAnswer(body, headers)
        cache.put(tag, answer)
        return _sent(answer, tag, "miss")


def _sent(answer: KeptAnswer, tag: str, state: str) -> Response:
    response = Response(answer.body)
    response.raw_headers = [
        *((name.encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers),
        (b"content-length", str(len(answer.body)).encode()),
        (b"etag", tag.encode()),
        (b"x-cache", state.encode()),
    ]
    return response
