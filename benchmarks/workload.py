"""The fixed workload: what each system is asked, and how latency and throughput are measured.

Every item has a form per system. The named queries (`queries/*.rq`) are sent as SPARQL to every
system's `/sparql`, their parameters bound to their defaults by the VALUES block the service's
own editor uses (`NamedQuery.with_defaults`), with the service's predeclared prefixes written
out. The planner items are REST calls on this service; on the peers, which have no REST facade,
they are the SPARQL a client would send for the same answer (`benchmarks/sparql/`, bound the same
way), several queries in a row where the service runs several.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import httpx
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from service.keys import iri_of
from service.namespaces import sparql_prologue
from service.queries import load_named_queries
from service.sparql import sparql as service_sparql
from service.sparql_text import first_group_brace
from service.store.base import Term

SPARQL_JSON = "application/sparql-results+json"
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Call:
    """One HTTP request: a REST GET on this service, or a SPARQL query."""

    path: str = ""  # REST: path with query string
    query: str = ""  # SPARQL: the query text

    def describe(self) -> str:
        return self.path or self.query.splitlines()[-1][:80]


@dataclass(frozen=True)
class Item:
    """One question of the workload, with what each system is sent for it. A form is a list of
    variants (cycled through, one per request); a variant is a list of calls made in a row."""

    key: str
    group: str  # named-query | planner
    description: str
    border21: tuple[tuple[Call, ...], ...]
    peer: tuple[tuple[Call, ...], ...]

    def variants(self, system: str) -> tuple[tuple[Call, ...], ...]:
        return self.border21 if system == "border21" else self.peer


@dataclass
class Measurement:
    """Latencies of one item on one system, in milliseconds."""

    samples: list[float] = field(default_factory=list)
    cold_ms: float | None = None
    errors: list[str] = field(default_factory=list)
    rows: int | None = None
    response_bytes: int = 0

    def summary(self) -> dict[str, object]:
        ordered = sorted(self.samples)
        return {
            "n": len(ordered),
            "cold_ms": _round(self.cold_ms),
            "p50_ms": _round(_percentile(ordered, 50)),
            "p95_ms": _round(_percentile(ordered, 95)),
            "mean_ms": _round(statistics.fmean(ordered) if ordered else None),
            "rows": self.rows,
            "response_bytes": self.response_bytes,
            "errors": self.errors[:3],
            "error_count": len(self.errors),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _percentile(ordered: list[float], percent: float) -> float | None:
    """Nearest-rank percentile."""
    if not ordered:
        return None
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def geometric_mean(values: list[float]) -> float | None:
    positive = [v for v in values if v > 0]
    return math.exp(statistics.fmean(math.log(v) for v in positive)) if positive else None


# -- building the workload -------------------------------------------------------------------


def bind(text: str, bindings: dict[str, Term]) -> str:
    """The query with a VALUES block binding `bindings`, opening its WHERE group."""
    brace = first_group_brace(text)
    if not bindings or brace is None:
        return text
    variables = " ".join(f"?{name}" for name in bindings)
    values = " ".join(term.n3() for term in bindings.values())
    return f"{text[: brace + 1]}\n  VALUES ({variables}) {{ ({values}) }}{text[brace + 1 :]}"


def with_prologue(text: str) -> str:
    return sparql_prologue() + text


@cache
def peer_query(name: str) -> str:
    return (HERE / "sparql" / f"{name}.rq").read_text(encoding="utf-8")


def date_term(day: dt.date) -> Literal:
    return Literal(day.isoformat(), datatype=XSD.date)


def named_query_items(today: dt.date) -> list[Item]:
    items = []
    for query in load_named_queries():
        text = with_prologue(query.with_defaults(today))
        call = (Call(query=text),)
        items.append(Item(f"named:{query.name}", "named-query", query.summary, (call,), (call,)))
    return items


def planner_items(samples: dict[str, list[str]], at: dt.date) -> list[Item]:
    """The planners' questions, on resources the generator says exist."""
    day = date_term(at)
    pairs = [pair.split() for pair in samples["pairs"]]
    a, b = pairs[0]
    function = samples["functions"][0]
    agency = samples["agencies"][0]
    far_state = next(s for s in samples["states"] if s not in (a, b) and not agency.startswith(f"agency/{s[6:]}-"))
    items = [
        Item(
            "rest:network",
            "planner",
            f"who cooperates with whom on {at} (state level, the first page of edges, each with its bases and their"
            " explanations; a peer reads the date's links and explanations whole, having no such page)",
            ((Call(path=f"/api/v1/network?{urlencode({'at': at.isoformat()})}"),),),
            (
                (
                    Call(query=with_prologue(bind(service_sparql("links-at"), {"at": day}))),
                    Call(query=with_prologue(bind(service_sparql("link-support-at"), {"at": day}))),
                    Call(query=with_prologue(service_sparql("actors"))),
                ),
            ),
        ),
        Item(
            "rest:network-actor",
            "planner",
            f"the network of one state on {at}",
            ((Call(path=f"/api/v1/network?{urlencode({'at': at.isoformat(), 'actor': a})}"),),),
            ((Call(query=with_prologue(bind(peer_query("network-actor"), {"actor": iri_of(a), "at": day}))),),),
        ),
        _paths_item(
            "rest:applicable",
            "the applicable instrument (and fallbacks) for a function between two states",
            a,
            b,
            function,
            at,
            "applicable",
        ),
        _paths_item(
            "rest:paths",
            "the ways an agency can obtain a function from another state, direct or via one actor",
            agency,
            far_state,
            function,
            at,
            "paths",
        ),
        Item(
            "rest:search",
            "planner",
            "full-text search (names, acronyms, identifiers; typos tolerated by the service only)",
            tuple((Call(path=f"/api/v1/search?{urlencode({'q': term})}"),) for term in samples["search"]),
            tuple(
                (Call(query=with_prologue(bind(peer_query("search"), {"q": Literal(term.casefold())}))),)
                for term in samples["search"]
            ),
        ),
        Item(
            "rest:resource",
            "planner",
            "one resource in detail (facts with labels, incoming counts, participations and accesses)",
            tuple((Call(path=f"/api/v1/resources/{key}"),) for key in _resource_keys(samples)),
            tuple(_resource_calls(key) for key in _resource_keys(samples)),
        ),
    ]
    return items


def _paths_item(key: str, description: str, source: str, target: str, function: str, at: dt.date, name: str) -> Item:
    rest = f"/api/v1/paths?{urlencode({'from': source, 'to': target, 'function': function, 'at': at.isoformat()})}"
    bindings: dict[str, Term] = {
        "a": iri_of(source),
        "b": iri_of(target),
        "function": iri_of(function),
        "at": date_term(at),
    }
    return Item(
        key,
        "planner",
        f"{description} ({source} -> {target}, {function})",
        ((Call(path=rest),),),
        ((Call(query=with_prologue(bind(peer_query(name), bindings))),),),
    )


def _resource_keys(samples: dict[str, list[str]]) -> list[str]:
    return [
        samples["states"][0],
        samples["agencies"][0],
        samples["instruments"][0],
        samples["channels"][0],
        samples["agencies"][1],
        samples["instruments"][-1],
    ]


def _resource_calls(key: str) -> tuple[Call, ...]:
    resource: URIRef = iri_of(key)
    by_basis = key.startswith(("instrument/", "channel/"))
    records, name = ({"basis": resource}, "records-of-basis") if by_basis else ({"actor": resource}, "records-of-actor")
    return (
        Call(query=with_prologue(bind(service_sparql("describe-out"), {"resource": resource}))),
        Call(query=with_prologue(bind(service_sparql("incoming-counts"), {"resource": resource}))),
        Call(query=with_prologue(bind(service_sparql(name), records))),  # type: ignore[arg-type]
    )


# -- running it ------------------------------------------------------------------------------


class Client:
    """Sends calls to one system and reports rows and bytes; raises on an error answer."""

    def __init__(self, system: str, base_url: str, query_url: str, timeout: float) -> None:
        self.system = system
        self.base_url = base_url
        self.query_url = query_url
        self.timeout = timeout

    def request(self, call: Call) -> tuple[str, str, dict[str, str], dict[str, str] | None]:
        """(method, url, headers, form) of a call."""
        if call.path:
            return "GET", self.base_url + call.path, {"Accept": "application/json"}, None
        return "POST", self.query_url, {"Accept": SPARQL_JSON}, {"query": call.query}

    @staticmethod
    def check(response: httpx.Response) -> tuple[int | None, int]:
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:300]}")
        partial = response.headers.get("x-sql-state") or response.headers.get("x-sparql-maxrows")
        if partial:
            raise RuntimeError(f"partial answer (Virtuoso {partial}): a limit was hit")
        rows = None
        if response.headers.get("content-type", "").startswith(SPARQL_JSON):
            body = response.json()
            rows = len(body.get("results", {}).get("bindings", [])) if "results" in body else 1
        return rows, len(response.content)

    def run(self, http: httpx.Client, variant: tuple[Call, ...]) -> tuple[float, int | None, int]:
        started = time.perf_counter()
        rows_total: int | None = None
        size = 0
        for call in variant:
            method, url, headers, form = self.request(call)
            response = http.request(method, url, headers=headers, data=form, timeout=self.timeout)
            rows, length = self.check(response)
            size += length
            if rows is not None:
                rows_total = (rows_total or 0) + rows
        return (time.perf_counter() - started) * 1000, rows_total, size


def measure_latency(client: Client, item: Item, *, repeat: int, budget: float) -> Measurement:
    """One cold call, then up to `repeat` calls one after another (fewer if `budget` seconds
    run out), cycling through the item's variants."""
    measurement = Measurement()
    variants = item.variants(client.system)
    started = time.monotonic()
    with httpx.Client() as http:
        for count, variant in enumerate(_cycle(variants, repeat + 1)):
            try:
                elapsed, rows, size = client.run(http, variant)
            except (httpx.HTTPError, RuntimeError) as error:
                measurement.errors.append(f"{type(error).__name__}: {str(error)[:300]}")
                break
            if count == 0:
                measurement.cold_ms = elapsed
                measurement.rows, measurement.response_bytes = rows, size
            else:
                measurement.samples.append(elapsed)
            if time.monotonic() - started > budget and count > 0:
                break
    return measurement


def _cycle(variants: tuple[tuple[Call, ...], ...], count: int) -> Iterator[tuple[Call, ...]]:
    for position in range(count):
        yield variants[position % len(variants)]


@dataclass
class Throughput:
    clients: int
    seconds: float
    completed: int
    errors: int
    latencies: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        ordered = sorted(self.latencies)
        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 2),
            "completed": self.completed,
            "errors": self.errors,
            "requests_per_second": round(self.completed / self.seconds, 2) if self.seconds else 0.0,
            "p50_ms": _round(_percentile(ordered, 50)),
            "p95_ms": _round(_percentile(ordered, 95)),
        }


def measure_throughput(client: Client, items: list[Item], *, clients: int, duration: float) -> Throughput:
    """`clients` concurrent clients, each sending the items' variants round-robin, for
    `duration` seconds; requests under way at the end are waited for and counted."""
    mix = [variant for item in items for variant in item.variants(client.system)]
    return asyncio.run(_throughput(client, mix, clients, duration))


async def _throughput(client: Client, mix: list[tuple[Call, ...]], clients: int, duration: float) -> Throughput:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=client.timeout) as http:
        started = time.perf_counter()
        deadline = started + duration

        async def one_client(offset: int) -> None:
            nonlocal errors
            position = offset
            while time.perf_counter() < deadline:
                variant = mix[position % len(mix)]
                position += 1
                begun = time.perf_counter()
                try:
                    for call in variant:
                        method, url, headers, form = client.request(call)
                        response = await http.request(method, url, headers=headers, data=form)
                        client.check(response)
                except (httpx.HTTPError, RuntimeError):
                    errors += 1
                    continue
                latencies.append((time.perf_counter() - begun) * 1000)

        await asyncio.gather(*(one_client(n * 7) for n in range(clients)))
        seconds = time.perf_counter() - started
    return Throughput(clients, seconds, len(latencies), errors, latencies)
