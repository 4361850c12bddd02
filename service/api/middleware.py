"""One request log per request: method, path, status, latency, request id."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request, Response

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
