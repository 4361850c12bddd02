"""Limits on what one client may send: the rate of its requests to /sparql (off unless
`BORDER21_RATE_LIMIT` is set) and the size of any request body (`BORDER21_MAX_BODY_BYTES`).

The rate is a token bucket per client address: `rate_limit` requests a minute, in bursts of
up to `rate_limit_burst` (default: one minute's worth). A client over its rate gets 429 with
`Retry-After`, the whole seconds until its next request would be accepted. Behind a reverse
proxy the address is the proxy's unless uvicorn is told to trust its `X-Forwarded-For`
(`--forwarded-allow-ips`); by default it trusts only 127.0.0.1.
"""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict
from collections.abc import Callable

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.config import Settings

MAX_CLIENTS = 100_000  # buckets kept; the least recently seen client is forgotten beyond


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        burst: int = 0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_CLIENTS,
    ) -> None:
        self.per_second = per_minute / 60.0
        self.capacity = float(burst or per_minute)
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, at)

    def acquire(self, client: str) -> float:
        """0 if the client may go ahead now (and it is counted), else the seconds it must wait."""
        now = self.clock()
        tokens, at = self._buckets.pop(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - at) * self.per_second)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.per_second
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def limit_rate(request: Request) -> None:
    """A dependency of the /sparql routes. Async, so that it runs on the event loop, one at a
    time, and the buckets need no lock."""
    limiter: RateLimiter = request.app.state.rate_limiter
    wait = limiter.acquire(client_address(request))
    if wait > 0:
        minute = round(limiter.per_second * 60)
        raise HTTPException(
            429,
            f"too many requests to /sparql: at most {minute} a minute from one client; retry after {math.ceil(wait)} s",
            headers={"Retry-After": str(math.ceil(wait))},
        )


RATE_LIMITED: dict[int | str, dict[str, object]] = {
    429: {"description": "Too many requests from this client; Retry-After says when to try again"}
}


def include_rate_limited(app: FastAPI, router: APIRouter, settings: Settings) -> None:
    """Include a router whose routes count against each client's rate, if a limit is set."""
    if not settings.rate_limit:
        app.include_router(router)
        return
    app.state.rate_limiter = RateLimiter(settings.rate_limit, settings.rate_limit_burst)
    app.include_router(router, dependencies=[Depends(limit_rate)], responses=RATE_LIMITED)


class BodyLimit:
    """Refuses (413) any request whose body is larger than `limit` bytes: at once when its
    Content-Length says so, else as soon as the bytes read pass the limit, on every route,
    including those whose body FastAPI reads itself."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def _detail(self) -> str:
        return f"the request body is larger than {self.limit} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        received = 0
        too_large = answered = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    too_large = True
                    raise HTTPException(413, self._detail())
            return message

        async def answering_send(message: Message) -> None:
            # a route may turn the refusal into another error (FastAPI: "error parsing the body")
            nonlocal answered
            if not too_large:
                await send(message)
            elif not answered and message["type"] == "http.response.start":
                answered = True
                await self._refuse(send)

        try:
            await self.app(scope, counting_receive, answering_send)
        except Exception:
            if not too_large:
                raise
            if not answered:  # the refusal came back as another exception: answer it here
                answered = True
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": self._detail()}).encode("utf-8")
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def install_body_limit(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
