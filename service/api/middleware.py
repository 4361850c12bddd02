"""One request log per request: method, path, status, latency, request id."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

logger = logging.getLogger("service.requests")

REQUEST_ID = "X-Request-ID"


def install_request_log(app: FastAPI) -> None:
    @app.middleware("http")
    async def log_request(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request_id = request.headers.get(REQUEST_ID, "")[:64] or uuid.uuid4().hex
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
                "event=request method=%s path=%r status=%d ms=%.1f request_id=%r",
                request.method,
                request.url.path,
                status,
                (time.perf_counter() - started) * 1000,
                request_id,
            )
