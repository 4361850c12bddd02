"""`/metrics` in the Prometheus text format (version 0.0.4).

- `border21_http_requests_total{method,route,status}` and the latency histogram
  `border21_http_request_duration_seconds{method,route}`, labelled by the route's template
  (`/id/{kind}/{slug}`), never by the raw path, so that the series stay few;
- `border21_query_timeouts_total`: queries stopped because their time was up (the embedded
  store's worker pool counts them; on a remote store, the timeouts answered here);
- `border21_store_triples`: quads in the store, counted again only when it changed;
- `border21_build_info{version,generation,backend}`: always 1.
"""

from __future__ import annotations

import inspect
import math
import threading
import time
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import __version__
from service.api.deps import SettingsDep, StoreDep
from service.errors import Border21Error, QueryTimeout

router = APIRouter(tags=["health"])

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
UNMATCHED = "unmatched"


@dataclass
class Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    total: int = 0
    sum: float = 0.0

    def observe(self, seconds: float) -> None:
        index = bisect_left(BUCKETS, seconds)
        if index < len(BUCKETS):
            self.counts[index] += 1
        self.total += 1
        self.sum += seconds


class Metrics:
    """The service's counters, shared by the middleware that counts and the route that shows."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency: dict[tuple[str, str], Histogram] = defaultdict(Histogram)
        self.timeouts_answered = 0
        self._triples: tuple[str | None, int] | None = None

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, route, status)] += 1
            self.latency[(method, route)].observe(seconds)

    def count_timeout(self) -> None:
        with self._lock:
            self.timeouts_answered += 1

    def store_triples(self, key: str | None, count: int | None = None) -> int | None:
        """The cached count for a store version `key`; with `count`, remember it."""
        with self._lock:
            if count is not None:
                self._triples = (key, count)
                return count
            if key is not None and self._triples is not None and self._triples[0] == key:
                return self._triples[1]
            return None

    def snapshot(self) -> tuple[dict[tuple[str, str, int], int], dict[tuple[str, str], Histogram]]:
        with self._lock:
            latency = {key: Histogram(list(h.counts), h.total, h.sum) for key, h in self.latency.items()}
            return dict(self.requests), latency


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    if isinstance(route, Mount):
        return f"{route.path}/{{path}}"
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class MetricsMiddleware:
    """Counts every HTTP request by method, route template and status, and times it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def counting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            self.metrics.observe(scope["method"], _route_of(scope), status, time.perf_counter() - started)


def _label(value: object) -> str:
    text = str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
    return f'"{text}"'


def _labels(**labels: object) -> str:
    return "{" + ",".join(f"{name}={_label(value)}" for name, value in labels.items()) + "}"


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if isinstance(value, float) and not value.is_integer() else str(int(value))


def render(metrics: Metrics, *, timeouts: int, triples: int | None, generation: str | None, backend: str) -> str:
    requests, latency = metrics.snapshot()
    lines = [
        "# HELP border21_http_requests_total HTTP requests answered, by method, route template and status.",
        "# TYPE border21_http_requests_total counter",
    ]
    for (method, route, status), count in sorted(requests.items()):
        lines.append(f"border21_http_requests_total{_labels(method=method, route=route, status=status)} {count}")
    lines += [
        "# HELP border21_http_request_duration_seconds Time to answer an HTTP request.",
        "# TYPE border21_http_request_duration_seconds histogram",
    ]
    for (method, route), histogram in sorted(latency.items()):
        cumulative = 0
        for bound, count in zip(BUCKETS, histogram.counts, strict=True):
            cumulative += count
            labels = _labels(method=method, route=route, le=_number(bound))
            lines.append(f"border21_http_request_duration_seconds_bucket{labels} {cumulative}")
        labels = _labels(method=method, route=route, le="+Inf")
        lines.append(f"border21_http_request_duration_seconds_bucket{labels} {histogram.total}")
        labels = _labels(method=method, route=route)
        lines.append(f"border21_http_request_duration_seconds_sum{labels} {histogram.sum!r}")
        lines.append(f"border21_http_request_duration_seconds_count{labels} {histogram.total}")
    lines += [
        "# HELP border21_query_timeouts_total Queries stopped because they ran out of time.",
        "# TYPE border21_query_timeouts_total counter",
        f"border21_query_timeouts_total {timeouts}",
    ]
    if triples is not None:
        lines += [
            "# HELP border21_store_triples Quads in the store.",
            "# TYPE border21_store_triples gauge",
            f"border21_store_triples {triples}",
        ]
    lines += [
        "# HELP border21_build_info The running version and the store generation it serves.",
        "# TYPE border21_build_info gauge",
        f"border21_build_info{_labels(version=__version__, generation=generation or '', backend=backend)} 1",
    ]
    return "\n".join(lines) + "\n"


def _store_triples(metrics: Metrics, store: StoreDep) -> int | None:
    try:
        key = store.cache_key()
        cached = metrics.store_triples(key)
        if cached is not None:
            return cached
        return metrics.store_triples(key, store.triple_count())
    except Border21Error:
        return None  # the store is unavailable: /readyz says why; the metric is left out


@router.get(
    "/metrics",
    summary="Prometheus metrics: requests, latency, query timeouts, store size, build info",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}, "description": "The Prometheus text format"}},
)
async def metrics_page(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    metrics: Metrics = request.app.state.metrics
    triples = await run_in_threadpool(_store_triples, metrics, store)
    pool = getattr(store, "pool", None)
    timeouts = pool.timeouts if pool is not None else metrics.timeouts_answered
    generation = store.generation.name if store.generation else None
    body = render(metrics, timeouts=timeouts, triples=triples, generation=generation, backend=settings.backend)
    return Response(body, media_type=CONTENT_TYPE)


def install_metrics(app: FastAPI) -> None:
    """Count every request (outermost, so refusals by other middleware count too), count the
    remote store's timeouts on their way to the client, and serve /metrics."""
    metrics = Metrics()
    app.state.metrics = metrics
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    answer = app.exception_handlers.get(Border21Error)

    async def count_timeout(request: Request, error: Exception) -> Response:
        metrics.count_timeout()
        if answer is None:
            raise error
        response = answer(request, error)
        return await response if inspect.isawaitable(response) else response

    app.add_exception_handler(QueryTimeout, count_timeout)
    app.include_router(router)
