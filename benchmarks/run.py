"""Run the benchmark: one synthetic dataset, three systems side by side, one JSON result.

    python -m benchmarks.run                      # 100k triples (make bench)
    python -m benchmarks.run --triples 1000000    # 1M (make bench SIZE=1000000)

Steps, in one run:

1. `border21 generate` the data (deterministic for --seed) into the work directory.
2. this service: `border21 build` (timed, peak memory of the build's process tree), then
   `border21 serve` under uvicorn on loopback; the built store is exported as N-Quads for the
   peers, so all three answer over exactly the same quads.
3. Virtuoso 7: bulk load of the build's input triples (ontology, vocabularies, shapes and the
   generated files, one graph per file, as N-Quads) with `ld_dir` + `rdf_loader_run` (one loader
   per core) + checkpoint: the load time the build is compared with; then the build's computed
   graphs (inferred, derived, provenance), timed apart, so queries see the same data.
4. rdflib-endpoint: the whole export parsed into an in-memory rdflib Dataset and served.
5. On each system in turn (one at a time, so they do not compete for the two cores): every
   workload item once cold, then `--repeat` times one after another (p50/p95), then `--clients`
   concurrent clients for `--duration` seconds on the planner items (throughput). Peak memory
   is the largest resident size of the server's process tree over its whole life.

The result goes to `benchmarks/results/` as JSON and is printed as a table with the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.systems import Border21, RdflibEndpoint, Server, Virtuoso
from benchmarks.workload import (
    Client,
    Item,
    measure_latency,
    measure_throughput,
    named_query_items,
    planner_items,
)
from service import __version__
from service.build.sources import discover
from service.generate import Manifest, generate
from service.namespaces import DERIVED_GRAPH, INFERRED_GRAPH, PROVENANCE_GRAPH
from service.resources import ontology_dir

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SYSTEMS = ("border21", "virtuoso", "rdflib-endpoint")
COMPUTED_GRAPHS = {f"<{g}>" for g in (INFERRED_GRAPH, DERIVED_GRAPH, PROVENANCE_GRAPH)}


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000, help="size of the generated data (default 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="scratch directory (default /tmp/border21-bench-<triples>)")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of " + ", ".join(SYSTEMS))
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per item after the cold one")
    parser.add_argument("--budget", type=float, default=15.0, help="seconds at most per item (after the first call)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a single request may take")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients for the throughput run")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of the throughput run per system")
    parser.add_argument("--build-timeout", type=float, default=7200.0, help="seconds the build may take")
    parser.add_argument(
        "--ontology", type=Path, help="ontology directory to build with (default: the bundled one), to measure a change"
    )
    parser.add_argument("--at", default="2021-01-01", help="the date the planner items ask about")
    parser.add_argument("--output", type=Path, help="result file (default benchmarks/results/<size>-<date>.json)")
    parser.add_argument(
        "--rdflib-named-queries",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="also run the named queries on rdflib-endpoint (slow: minutes at 100k, as its restarts reload the data)",
    )
    parser.add_argument(
        "--max-restarts",
        type=int,
        default=3,
        help="restarts of rdflib-endpoint after timeouts before its items are skipped",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--reuse-build",
        action="store_true",
        help="serve the store an earlier --keep run left in the work directory (same --triples and --seed) instead "
        "of generating and building again: for measuring the served store at sizes whose build takes an hour; "
        "the build's time is then the one its log recorded, and is not compared with a peer's load",
    )
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    # Stopped from outside, the run still stops the servers it started (the `finally` of
    # run_system): a server left computing a query would skew every later measurement.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(systems) - set(SYSTEMS)
    if unknown or "border21" not in systems:
        print(f"--systems: choose among {', '.join(SYSTEMS)}, border21 included", file=sys.stderr)
        return 2
    workdir: Path = args.workdir or Path(f"/tmp/border21-bench-{args.triples}")
    workdir.mkdir(parents=True, exist_ok=True)
    today = dt.date.today()
    at = dt.date.fromisoformat(args.at)
    result: dict[str, Any] = {
        "benchmark": "border21 issue 8",
        "version": __version__,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_at_start": list(os.getloadavg()),
        },
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "today": today.isoformat(),
        "systems": {},
    }

    data = workdir / "data"
    ontology: Path = args.ontology or ontology_dir()
    service = Border21(workdir, env={"BORDER21_QUERY_TIMEOUT": str(args.timeout)})
    if args.reuse_build:
        if not (data / "manifest.json").is_file():
            print(f"--reuse-build: {workdir} holds no kept run (no data/manifest.json)", file=sys.stderr)
            return 2
        manifest = Manifest.read(data)
        if (manifest.requested, manifest.seed) != (args.triples, args.seed):
            print(f"--reuse-build: {workdir} holds {manifest.requested} triples, seed {manifest.seed}", file=sys.stderr)
            return 2
        result["data"] = {
            "generated_triples": manifest.triples,
            "counts": manifest.counts,
            "files": len(manifest.files),
        }
        try:
            build = service.reuse()
        except RuntimeError as error:
            print(f"--reuse-build: {error}", file=sys.stderr)
            return 2
        log(f"serving the store built earlier: {build.reused}")
    else:
        if data.exists():
            shutil.rmtree(data)
        log(f"generating {args.triples} triples (seed {args.seed}) into {data}")
        started = time.monotonic()
        manifest = generate(data, args.triples, args.seed)
        result["data"] = {
            "generated_triples": manifest.triples,
            "generate_seconds": round(time.monotonic() - started, 2),
            "counts": manifest.counts,
            "files": len(manifest.files),
        }
        log(f"building the store with `border21 build` (ontology {ontology})")
        build = service.build(data, ontology, args.build_timeout)
    items = named_query_items(today) + planner_items(manifest.samples, at)
    result["systems"]["border21"] = {"build": vars(build)}
    if build.ok:
        result["data"]["served_triples"] = build.total_triples
        log(f"built {build.total_triples} triples in {build.seconds:.1f} s (peak {build.peak_rss / 2**20:.0f} MiB)")
        run_system(
            service,
            items,
            args,
            result["systems"]["border21"],
            base_url=service.base_url,
            start=lambda: service.start(args.build_timeout),  # warming up at 10M takes minutes
        )
    else:
        log(f"the build failed or ran out of time after {build.seconds:.0f} s: the store is not queried")

    computed: Path | None = None
    if build.ok and len(systems) > 1:
        log("exporting the store as N-Quads for the peers")
        dataset = workdir / "dataset.nq"
        service.export(dataset)
        computed, counts = computed_graphs(dataset, workdir / "computed")
        result["data"]["export_quads"] = counts
    if "virtuoso" in systems:
        virtuoso = Virtuoso(workdir, workdir, query_timeout=int(args.timeout))
        entry: dict[str, Any] = {}
        result["systems"]["virtuoso"] = entry
        loaders = max(1, os.cpu_count() or 1)

        def start_virtuoso() -> None:
            virtuoso.start()
            sources = stage_sources(ontology, data, workdir / "sources")
            log(f"Virtuoso: bulk load of the build's {len(sources)} input files, one graph each")
            seconds = virtuoso.bulk_load(workdir / "sources", "*.ttl", loaders=loaders)
            entry["load"] = {"seconds": round(seconds, 2), "files": len(sources), "loaders": loaders}
            log(f"Virtuoso loaded the build's input in {seconds:.1f} s")
            if computed is None:
                raise RuntimeError("no store was built: Virtuoso's load is timed, its queries are not run")
            extra = virtuoso.bulk_load(computed, "*.nq", loaders=loaders)
            entry["load"]["computed_graphs_seconds"] = round(extra, 2)
            log(f"Virtuoso loaded the build's inferred, derived and provenance graphs in {extra:.1f} s")

        run_system(virtuoso, items, args, entry, base_url=None, start=start_virtuoso)
    if "rdflib-endpoint" in systems and build.ok:
        peer = RdflibEndpoint(workdir, workdir / "dataset.nq")
        entry = {}
        result["systems"]["rdflib-endpoint"] = entry

        def start_rdflib() -> None:
            log("rdflib-endpoint: parsing the export into memory")
            peer.start(timeout=args.build_timeout)
            entry["load"] = {"seconds": peer.load_seconds, "quads": peer.quads}
            log(f"rdflib-endpoint loaded {peer.quads} quads in {peer.load_seconds:.1f} s")

        def restart_rdflib() -> None:
            if peer.restarts >= args.max_restarts:
                raise Skipped(f"rdflib-endpoint timed out {peer.restarts + 1} times; its remaining items are skipped")
            peer.restart(args.build_timeout)

        peer_items = items if args.rdflib_named_queries else [i for i in items if i.group == "planner"]
        run_system(peer, peer_items, args, entry, base_url=None, start=start_rdflib, restart=restart_rdflib)
        entry["restarts"] = peer.restarts
    return _finish(args, result, workdir)


class Skipped(Exception):
    """The rest of a system's workload is not run (said why in the result)."""


def run_system(
    system: Server,
    items: list[Item],
    args: argparse.Namespace,
    entry: dict[str, Any],
    *,
    base_url: str | None,
    start: Callable[[], None],
    restart: Callable[[], None] | None = None,
) -> None:
    """Start one system, run the workload on it, stop it; record latencies, throughput, memory.
    The planner items and the throughput run come first, then the named queries; `restart`
    (if given) is called after a request timed out, before the next item."""
    try:
        start()
        client = Client(system.name, base_url or "", system.query_url, args.timeout)
        latencies: dict[str, Any] = {}
        entry["items"] = latencies
        planner = [i for i in items if i.group == "planner"]
        for item in planner:
            _measure(system.name, client, item, args, latencies, restart)
        working = [i for i in planner if not latencies[i.key]["error_count"]]
        if not working:
            raise RuntimeError("every planner item failed: no throughput to measure")
        log(f"{system.name}: {args.clients} clients for {args.duration:.0f} s")
        # A request waits for the ones queued before it: on a server that answers one at a time,
        # up to `clients` times its own latency. The timeout allows for that.
        slowest = max((latencies[i.key]["p50_ms"] or 0.0 for i in working), default=0.0) / 1000
        patient = Client(
            system.name,
            base_url or "",
            system.query_url,
            min(900.0, max(args.timeout, 1.5 * args.clients * slowest + 10)),
        )
        entry["throughput"] = measure_throughput(
            patient, working, clients=args.clients, duration=args.duration
        ).summary() | {"items": [i.key for i in working], "request_timeout_s": round(patient.timeout)}
        if restart is not None and entry["throughput"]["errors"]:
            restart()
        for item in items:
            if item.group != "planner":
                _measure(system.name, client, item, args, latencies, restart)
    except Skipped as skipped:
        log(f"{system.name}: {skipped}")
        entry["skipped"] = str(skipped)
    except Exception as error:  # a system that fails is reported, the others still run
        log(f"{system.name}: failed: {error}")
        entry["failure"] = f"{type(error).__name__}: {str(error)[:2000]}"
    finally:
        memory = system.memory
        system.stop()
        if memory is not None:
            entry["peak_rss_bytes"] = max(memory.stop(), system.earlier_peak)


def _measure(
    name: str,
    client: Client,
    item: Item,
    args: argparse.Namespace,
    latencies: dict[str, Any],
    restart: Callable[[], None] | None,
) -> None:
    measurement = measure_latency(client, item, repeat=args.repeat, budget=args.budget)
    latencies[item.key] = measurement.summary()
    status = f"p50 {latencies[item.key]['p50_ms']} ms" if not measurement.errors else measurement.errors[0][:120]
    log(f"{name}: {item.key}: {status}")
    if measurement.errors and restart is not None and "Timeout" in measurement.errors[0]:
        log(f"{name}: restarting it (a timed-out query would keep it busy)")
        restart()


def stage_sources(ontology: Path, data: Path, target: Path) -> list[Path]:
    """The files the build reads, copied where Virtuoso may read them, each with a `.graph` file
    naming the graph the build puts it in (Virtuoso's bulk loader reads those)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    staged = []
    for number, source in enumerate(discover(ontology, data)):
        copy = target / f"{number:05d}-{source.path.name}"
        shutil.copyfile(source.path, copy)
        copy.with_name(copy.name + ".graph").write_text(str(source.graph_iri) + "\n", encoding="utf-8")
        staged.append(copy)
    return staged


def computed_graphs(dataset: Path, target: Path) -> tuple[Path, dict[str, int]]:
    """The quads of the graphs the build computed (inferred, derived, provenance), as N-Quads."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    counts = {"total": 0, "computed": 0}
    with dataset.open(encoding="utf-8") as lines, (target / "computed.nq").open("w", encoding="utf-8") as out:
        for line in lines:
            counts["total"] += 1
            if line.rstrip().removesuffix(".").rstrip().rsplit(" ", 1)[-1] in COMPUTED_GRAPHS:
                out.write(line)
                counts["computed"] += 1
    return target, counts


def _finish(args: argparse.Namespace, result: dict[str, Any], workdir: Path) -> int:
    result["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    result["machine"]["load_average_at_end"] = list(os.getloadavg())
    result["summary"] = report.summarise(result)
    output: Path = args.output or RESULTS / f"{_size(args.triples)}-{dt.date.today().isoformat()}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(report.table(result))
    print(f"\nresults: {output}")
    if not args.keep:
        _remove(workdir)
    return 0 if "failure" not in json.dumps(result["systems"]) else 1


def _size(triples: int) -> str:
    for unit, factor in (("M", 1_000_000), ("k", 1_000)):
        if triples >= factor and triples % factor == 0:
            return f"{triples // factor}{unit}"
    return str(triples)


def _remove(workdir: Path) -> None:
    subprocess.run(["rm", "-rf", str(workdir)], check=False)


if __name__ == "__main__":
    sys.exit(main())
