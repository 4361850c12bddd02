"""One request log per request (method, path, status, latency, request id), and one time limit
for all the queries a request asks."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service.store.worker import request_deadline

logger = logging.getLogger("service.requests")

REQUEST_ID = "X-Request-ID"
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def install_request_log(app: FastAPI) -> None:
    @app.middleware("http")
    async def log_request(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # a client's id is kept only if it cannot break the log line it is written into
        given = request.headers.get(REQUEST_ID, "")[:64]
        request_id = given if _SAFE_ID.fullmatch(given) else uuid.uuid4().hex
        request.state.request_id = request_id
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            response.headers[REQUEST_ID] = request_id
            return response
        finally:
            logger.info(
                "event=request method=%s path=%s status=%d ms=%.1f request_id=%s",
                request.method,
                quote(request.url.path, safe="/-._~!$&'()*+,;=:@%"),
                status,
                (time.perf_counter() - started) * 1000,
                request_id,
            )


class _RequestDeadline:
    """Every query an HTTP request asks shares the query timeout: a planner answer that needs
    twenty queries is stopped (503) once the timeout has passed, rather than going on after its
    client has given up, taking a worker and a core from the requests that follow."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with request_deadline(self.seconds):
            await self.app(scope, receive, send)


def install_request_deadline(app: FastAPI, seconds: float) -> None:
    app.add_middleware(_RequestDeadline, seconds=seconds)
