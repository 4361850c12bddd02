"""The service's errors mapped to HTTP in one place, always as {"detail": ...}."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from service.errors import (
    Border21Error,
    InvalidQuery,
    NotAcceptable,
    NotFound,
    QueryTimeout,
    ReadOnly,
    ResultTooLarge,
    StillReading,
    StoreUnavailable,
    UnsupportedMediaType,
    ValidationFailed,
)

logger = logging.getLogger(__name__)

STATUS: dict[type[Border21Error], int] = {
    NotFound: 404,
    InvalidQuery: 400,
    ValidationFailed: 400,
    ReadOnly: 403,
    NotAcceptable: 406,
    UnsupportedMediaType: 415,
    ResultTooLarge: 422,
    QueryTimeout: 503,
    StoreUnavailable: 503,
}


def _status(error: Border21Error) -> int:
    for kind, status in STATUS.items():
        if isinstance(error, kind):
            return status
    return 500


async def _known(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Border21Error)
    status = _status(error)
    if isinstance(error, StillReading):  # expected for minutes after a large store starts or changes
        logger.info("event=request_deferred path=%s reason=index_still_being_read", request.url.path)
    elif status >= 500:
        logger.warning("event=request_failed path=%s error=%s", request.url.path, type(error).__name__, exc_info=error)
    detail = str(error)
    if isinstance(error, ValidationFailed) and error.problems:
        detail = f"{detail}: {'; '.join(error.problems[:20])}"
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, StillReading) else None
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    logger.error("event=unhandled_error path=%s", request.url.path, exc_info=error)
    return JSONResponse({"detail": "internal error"}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Border21Error, _known)
    app.add_exception_handler(Exception, _unexpected)


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    503: {
        "description": "The store is not built yet, or cannot be opened",
        "content": {"application/json": {"example": {"detail": "the store is not built yet"}}},
    },
}
