"""Load: 64 clients send a mixed read workload to a running border21 server on loopback for
60 seconds; reports latency percentiles per kind of request, throughput, and every error.

    python -m benchmarks.load --url http://127.0.0.1:8000
    python -m benchmarks.load --start [--store PATH]      # starts (and stops) its own server

With `--start` and no store, it builds the bundled data into a temporary directory first
(which needs Java, as any build). Bounded and self-stopping: each request has a timeout, the
clients stop at the deadline, a hard deadline cancels whatever still runs, and a server it
started is stopped. Exits 1 if any request failed (a transport error, a timeout or a status
of 400 and above), 0 otherwise.

The workload is discovered from the server (the actors, instruments, channels and named
queries it lists), so it runs against any store. `/healthz`, which touches no store, is the
peer each kind is measured against in the same run: the `x healthz` column is a kind's
median over the healthz median.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks.processes import free_port, stop, wait_for_http

BORDER21 = str(Path(sys.executable).with_name("border21"))
RESULTS = "application/sparql-results+json"
ACCEPT = f"{RESULTS}, text/turtle;q=0.9"  # SELECT and ASK answer in the first, CONSTRUCT in the second
QUERIES = [
    "SELECT ?s ?label WHERE { ?s a b21:State ; rdfs:label ?label } ORDER BY ?label LIMIT 50",
    "SELECT ?i ?label WHERE { ?i a eli:LegalResource ; rdfs:label ?label } LIMIT 50",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "ASK { ?s a b21:State }",
    "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a b21:Channel ; rdfs:label ?l } LIMIT 50",
]
WORDS = ["police", "europe", "data", "arrest", "union", "fingerprint", "terror", "justice", "customs", "de"]


@dataclass
class Workload:
    """What the clients ask for, found on the server."""

    keys: list[str]
    named_queries: list[str]

    @classmethod
    async def discover(cls, client: httpx.AsyncClient) -> Workload:
        keys: list[str] = []
        for listing in ("actors", "instruments", "channels"):
            response = await client.get(f"/api/v1/{listing}", params={"limit": 100})
            response.raise_for_status()
            keys += [item["key"] for item in response.json()["items"]]
        response = await client.get("/api/v1/queries")
        response.raise_for_status()
        body = response.json()
        items = body["items"] if isinstance(body, dict) else body
        named = [str(item.get("name") or item.get("id")) for item in items]
        if not keys:
            raise SystemExit("the server lists no actors, instruments or channels: is its store built?")
        return cls(keys, [n for n in named if n and n != "None"])

    def requests(self) -> list[tuple[str, int, Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]]]:
        """(kind, weight, send) for each kind of request."""
        pick = random.choice
        kinds: list[tuple[str, int, Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]]] = [
            ("healthz", 1, lambda c: c.get("/healthz")),
            ("actors", 3, lambda c: c.get("/api/v1/actors", params={"limit": 20, "offset": random.randint(0, 40)})),
            ("instruments", 3, lambda c: c.get("/api/v1/instruments", params={"q": pick(WORDS)})),
            ("resource", 4, lambda c: c.get(f"/api/v1/resources/{pick(self.keys)}")),
            ("dereference", 3, lambda c: c.get(f"/id/{pick(self.keys)}", headers={"Accept": "text/turtle"})),
            ("search", 3, lambda c: c.get("/api/v1/search", params={"q": pick(WORDS)})),
            ("network", 1, lambda c: c.get("/api/v1/network")),
            ("sparql-get", 3, lambda c: c.get("/sparql", params={"query": pick(QUERIES)}, headers={"Accept": ACCEPT})),
            (
                "sparql-post",
                2,
                lambda c: c.post(
                    "/sparql",
                    content=pick(QUERIES).encode(),
                    headers={"Content-Type": "application/sparql-query", "Accept": ACCEPT},
                ),
            ),
        ]
        if self.named_queries:
            kinds.append(("named-query", 2, lambda c: c.get(f"/api/v1/queries/{pick(self.named_queries)}")))
        return kinds


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        self.latencies[kind].append(seconds)
        if error:
            self.errors[kind].append(error)


async def client_loop(
    base_url: str, workload: Workload, deadline: float, tally: Tally, timeout: float, seed: int
) -> None:
    random.seed(seed)
    kinds = workload.requests()
    weights = [weight for _, weight, _ in kinds]
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout) as client:
        while time.monotonic() < deadline:
            kind, _, send = random.choices(kinds, weights)[0]
            started = time.perf_counter()
            error = None
            try:
                response = await send(client)
                if response.status_code >= 400:
                    error = f"{response.status_code} {response.request.url}: {response.text[:200]}"
            except httpx.HTTPError as failure:
                error = f"{type(failure).__name__} {failure!r}"[:300]
            tally.record(kind, time.perf_counter() - started, error)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(tally: Tally, elapsed: float, clients: int) -> dict[str, object]:
    peer = statistics.median(tally.latencies["healthz"]) if tally.latencies.get("healthz") else None
    rows = {}
    for kind, values in sorted(tally.latencies.items()):
        median = statistics.median(values)
        rows[kind] = {
            "requests": len(values),
            "errors": len(tally.errors.get(kind, [])),
            "p50_ms": round(median * 1000, 1),
            "p90_ms": round(percentile(values, 0.90) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
            "x_healthz": round(median / peer, 1) if peer else None,
        }
    everything = [v for values in tally.latencies.values() for v in values]
    total_errors = sum(len(e) for e in tally.errors.values())
    first_errors = [e for errors in tally.errors.values() for e in errors][:20]
    summary: dict[str, object] = {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(everything),
        "requests_per_second": round(len(everything) / elapsed, 1) if elapsed else 0,
        "errors": total_errors,
        "p50_ms": round(statistics.median(everything) * 1000, 1) if everything else None,
        "p90_ms": round(percentile(everything, 0.90) * 1000, 1) if everything else None,
        "p99_ms": round(percentile(everything, 0.99) * 1000, 1) if everything else None,
        "max_ms": round(max(everything) * 1000, 1) if everything else None,
        "kinds": rows,
        "first_errors": first_errors,
    }
    columns = ("requests", "errors", "p50 ms", "p90 ms", "p99 ms", "max ms")
    header = f"{'kind':<14}" + "".join(f"{c:>9}" for c in columns) + f"{'x healthz':>11}"
    print(header)
    print("-" * len(header))
    for kind, row in rows.items():
        print(
            f"{kind:<14}{row['requests']:>9}{row['errors']:>8}{row['p50_ms']:>9}{row['p90_ms']:>9}"
            f"{row['p99_ms']:>9}{row['max_ms']:>9}{row['x_healthz'] if row['x_healthz'] is not None else '-':>11}"
        )
    print("-" * len(header))
    print(
        f"{clients} clients, {summary['seconds']} s: {summary['requests']} requests "
        f"({summary['requests_per_second']}/s), {total_errors} errors; all kinds p50 {summary['p50_ms']} ms, "
        f"p90 {summary['p90_ms']} ms, p99 {summary['p99_ms']} ms, max {summary['max_ms']} ms"
    )
    for error in first_errors:
        print(f"  error: {error}")
    return summary


async def run_load(base_url: str, clients: int, duration: float, timeout: float) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout) as client:
        workload = await Workload.discover(client)
        # each kind of request first, and each query, so that caches fill outside the measurement
        # and a workload the server cannot answer stops here
        for kind, _, send in workload.requests():
            response = await send(client)
            if response.status_code >= 400:
                raise SystemExit(f"the warm-up failed: {kind}: {response.status_code} {response.text[:300]}")
        for query in QUERIES:
            response = await client.get("/sparql", params={"query": query}, headers={"Accept": ACCEPT})
            if response.status_code >= 400:
                raise SystemExit(f"the warm-up failed: {query}: {response.status_code} {response.text[:300]}")
    tally = Tally()
    started = time.monotonic()
    deadline = started + duration
    tasks = [
        asyncio.create_task(client_loop(base_url, workload, deadline, tally, timeout, seed)) for seed in range(clients)
    ]
    done, pending = await asyncio.wait(tasks, timeout=duration + timeout + 10)
    for task in pending:  # the hard deadline: nothing outlives the run
        task.cancel()
        tally.record("unfinished", timeout, "a client did not stop by the hard deadline")
    for task in done:
        if task.exception() is not None:
            tally.record("client-crash", 0.0, repr(task.exception()))
    return report(tally, time.monotonic() - started, clients)


def start_server(store: Path, workers: int) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="border21-load-", suffix=".log")[1])
    env = {**os.environ, "BORDER21_QUERY_WORKERS": str(workers), "BORDER21_LOG_LEVEL": "WARNING"}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [BORDER21, "serve", "--store", str(store), "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/readyz", process, 120, lambda r: r.status_code == 200)
    return process, url, log


def store_to_serve(given: str | None, scratch: Path) -> Path:
    if given:
        return Path(given)
    default = Path(os.environ.get("BORDER21_STORE", ".border21/store"))
    if (default / "current").exists():
        return default
    store = scratch / "store"
    print(f"building the bundled data into {store} ...", file=sys.stderr, flush=True)
    built = subprocess.run([BORDER21, "build", "--store", str(store)], capture_output=True, text=True, timeout=900)
    if built.returncode != 0:
        raise SystemExit(f"the build failed:\n{built.stderr[-3000:]}")
    return store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="a running server, e.g. http://127.0.0.1:8000")
    target.add_argument("--start", action="store_true", help="start a server of its own (and stop it after)")
    parser.add_argument("--store", help="with --start: the store to serve (default: $BORDER21_STORE, else build one)")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2), help="with --start: query workers")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds one request may take")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    process = None
    scratch = Path(tempfile.mkdtemp(prefix="border21-load-"))
    try:
        if args.start:
            process, url, log = start_server(store_to_serve(args.store, scratch), args.workers)
            print(f"serving on {url} (log: {log})", file=sys.stderr, flush=True)
        else:
            url = args.url.rstrip("/")
        summary = asyncio.run(run_load(url, args.clients, args.duration, args.timeout))
    finally:
        if process is not None:
            stop(process)
        shutil.rmtree(scratch, ignore_errors=True)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
