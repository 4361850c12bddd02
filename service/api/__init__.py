"""The HTTP application: one FastAPI app built by `create_app(settings)`."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from service import __version__
from service.api import dereference, graph_store, health, sparql
from service.api.caching import ResponseCache, install_etags
from service.api.errors import install_error_handlers
from service.api.metrics import install_metrics
from service.api.middleware import install_request_deadline, install_request_log
from service.api.ratelimit import include_rate_limited, install_body_limit
from service.api.v1 import jsonld, network, queries, resources, scenarios, search
from service.api.v1.common import DateCache, KnowledgeCache, LinkIndexCache, Lists, WarmUp, warm_up
from service.api.v1.jsonld import install_jsonld
from service.audit import open_audit_trail
from service.build.reasoning import infer_and_derive
from service.config import Settings
from service.logs import configure_logging
from service.resources import ontology_dir
from service.search import SearchCache
from service.store.served import ServedStore, ServiceStore, open_service_store
from service.web import explorer
from service.web.assets import STATIC, mount_vendor_assets, vendor_dir

DESCRIPTION = """
A knowledge graph of cross-border law-enforcement and criminal-justice cooperation: which
agencies, states and organisations cooperate, on which legal instruments, through which
channels, for which crimes and functions, and since or until when.

Reads are open. Writes (SPARQL Update, Graph Store PUT/POST/DELETE) need
`Authorization: Bearer <token>`, with a token configured in `BORDER21_TOKENS`.
"""


WARM_UP_JOIN_SECONDS = 10.0  # only a cache being computed from rows already read takes longer


def _rederivation(settings: Settings, store: ServiceStore) -> Callable[[], object] | None:
    """What brings derived cooperation up to date with the writes, for the warm-up to run
    before it reads (None: a read-only or remote store, or turned off)."""
    if not isinstance(store, ServedStore) or not settings.writable or settings.rederive_max_quads == 0:
        return None
    ontology = ontology_dir()
    return lambda: store.derive_again(lambda work: infer_and_derive(work, ontology), settings.rederive_max_quads)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.write_tokens()  # refuses malformed tokens at start-up, not at the first write
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        audit = open_audit_trail(settings)
        store = open_service_store(settings)
        app.state.store, app.state.audit = store, audit
        stop_warm_up = threading.Event()
        app.state.warm_up = WarmUp(settings.warm_up)
        warming: threading.Thread | None = None
        if settings.warm_up:
            warming = threading.Thread(
                target=warm_up,
                args=(app.state, store, stop_warm_up, settings.warm_up_settle, _rederivation(settings, store)),
                name="warm-up",
                daemon=True,
            )
            warming.start()
        try:
            yield
        finally:
            stop_warm_up.set()
            store.close()  # stops the warm-up's query, if one runs
            if warming is not None:
                warming.join(timeout=WARM_UP_JOIN_SECONDS)
            if audit is not None:
                audit.close()

    app = FastAPI(title="border21", version=__version__, description=DESCRIPTION, lifespan=lifespan, docs_url=None)
    app.state.settings = settings
    app.state.knowledge = KnowledgeCache(settings.index_timeout)
    app.state.lists = Lists(settings.index_timeout)
    app.state.dates = DateCache()
    app.state.links = LinkIndexCache(settings.index_timeout)
    app.state.search = SearchCache(limit=settings.index_timeout)
    install_error_handlers(app)
    install_body_limit(app, settings)  # innermost: its refusal reaches the route as an HTTPException
    install_jsonld(app)
    install_etags(app, ResponseCache(settings.response_cache_mb * 2**20) if settings.response_cache_mb else None)
    install_request_log(app)
    install_request_deadline(app, settings.query_timeout)
    _install_cors(app, settings)
    install_metrics(app)
    mount_vendor_assets(app)
    app.include_router(health.router)
    include_rate_limited(app, sparql.router, settings)
    app.include_router(graph_store.router)
    app.include_router(resources.router)
    app.include_router(jsonld.router)
    app.include_router(network.router)
    app.include_router(scenarios.router)
    app.include_router(dereference.router)
    app.include_router(queries.router)
    app.include_router(search.router)
    app.include_router(explorer.router)
    queries.add_named_query_routes(app)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    app.mount("/static/border21", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if vendor_dir("swagger-ui") is None:
            return get_swagger_ui_html(openapi_url="/openapi.json", title="border21 API")
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="border21 API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
        )

    return app


def _origins(value: str) -> list[str]:
    return [origin.strip() for origin in value.split(",") if origin.strip()]


def _install_cors(app: FastAPI, settings: Settings) -> None:
    """Reads from any configured origin; writes only from origins named for writing."""
    read_origins = _origins(settings.cors_origins)
    write_origins = _origins(settings.cors_write_origins)
    if write_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=write_origins,
            allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
        )
    elif read_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=read_origins,
            allow_methods=["GET", "HEAD"],
            allow_headers=["Accept"],
        )
