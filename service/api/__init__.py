"""The HTTP application: one FastAPI app built by `create_app(settings)`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service import __version__
from service.api import health
from service.api.errors import install_error_handlers
from service.api.middleware import install_request_log
from service.config import Settings
from service.logs import configure_logging
from service.store import StoreProvider

DESCRIPTION = """
A knowledge graph of cross-border law-enforcement and criminal-justice cooperation: which
agencies, states and organisations cooperate, on which legal instruments, through which
channels, for which crimes and functions, and since or until when.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.write_tokens()  # refuses malformed tokens at start-up, not at the first write
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        provider = StoreProvider(settings)
        app.state.store_provider = provider
        try:
            yield
        finally:
            provider.close()

    app = FastAPI(title="border21", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    install_error_handlers(app)
    install_request_log(app)
    app.include_router(health.router)
    return app
