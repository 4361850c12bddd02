"""The `border21` command: build, validate, serve, query, export."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from service import __version__
from service.config import Settings
from service.errors import Border21Error, InvalidQuery, StoreUnavailable, ValidationFailed
from service.keys import key_of, parse_resource
from service.logs import configure_logging
from service.resources import data_dir, ontology_dir
from service.store import OpenStore, SelectResult, StoreHome
from service.store.base import (
    JSONLD,
    NQUADS,
    NTRIPLES,
    RDFXML,
    RESULTS_CSV,
    RESULTS_JSON,
    RESULTS_TSV,
    RESULTS_XML,
    TRIG,
    TURTLE,
)

EXIT_FAILED = 1
EXIT_STORE = 3

EXPORT_FORMATS = {"trig": TRIG, "nq": NQUADS, "ttl": TURTLE, "nt": NTRIPLES, "jsonld": JSONLD, "rdfxml": RDFXML}
QUERY_FORMATS = {
    "json": RESULTS_JSON,
    "xml": RESULTS_XML,
    "csv": RESULTS_CSV,
    "tsv": RESULTS_TSV,
    "ttl": TURTLE,
    "nt": NTRIPLES,
    "jsonld": JSONLD,
    "rdfxml": RDFXML,
}


def _progress(phase: str, detail: str) -> None:
    print(f"[{phase}] {detail}", file=sys.stderr, flush=True)


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"store": args.store} if getattr(args, "store", None) else {}
    return Settings(**overrides)


def _sources(args: argparse.Namespace, settings: Settings) -> tuple[Path, Path]:
    ontology = Path(args.ontology) if args.ontology else ontology_dir()
    data = Path(args.data) if args.data else (settings.data_dir or data_dir())
    return ontology, data


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from service.build.pipeline import build

    ontology, data = _sources(args, settings)
    if settings.backend == "sparql":
        from service.build.publish_remote import publish_to_remote
        from service.store.served import RemoteService

        sent = publish_to_remote(
            RemoteService(settings),
            ontology,
            data,
            java=settings.java,
            java_memory=settings.java_memory,
            progress=_progress,
        )
        print(f"published {sent} triples to the remote store")
        return 0
    report = build(
        StoreHome(settings.store),
        ontology,
        data,
        java=settings.java,
        java_memory=settings.java_memory,
        progress=_progress,
    )
    print(f"built {report.total} triples into {settings.store} (generation {report.generation.name})")
    return 0


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from service.build.pipeline import check

    ontology, data = _sources(args, settings)
    result = check(ontology, data, java=settings.java, java_memory=settings.java_memory, progress=_progress)
    result.close()
    print(f"valid: {len(result.sources)} files, {result.triple_count} triples")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from service.api import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    text = _read_query(args.query)
    with OpenStore(StoreHome(settings.store), read_only=True) as store:
        if args.format != "table":
            media_type = QUERY_FORMATS[args.format]
            body = store.execute(text, results_media_type=media_type, graph_media_type=media_type).body
            sys.stdout.buffer.write(body)
            if not body.endswith(b"\n"):
                sys.stdout.buffer.write(b"\n")
            return 0
        result = store.query(text)
    if isinstance(result, bool):
        print("true" if result else "false")
    elif isinstance(result, SelectResult):
        _print_table(result)
    else:
        for triple in result:
            print(" ".join(term.n3() for term in triple), ".")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    media_type = EXPORT_FORMATS[args.format]
    with OpenStore(StoreHome(settings.store), read_only=True) as store:
        if args.output and args.output != "-":
            with open(args.output, "wb") as out:
                store.dump(out, media_type)
        else:
            store.dump(sys.stdout.buffer, media_type)
            sys.stdout.buffer.flush()
    return 0


def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    from service.generate import generate

    if args.triples < 2000:
        raise Border21Error("--triples must be at least 2000")
    manifest = generate(Path(args.out), args.triples, args.seed)
    print(f"generated {manifest.triples} triples in {len(manifest.files)} files into {args.out} (seed {args.seed})")
    return 0


def cmd_scenario(args: argparse.Namespace, settings: Settings) -> int:
    import datetime as dt
    import json

    from service.scenarios import Change, ScenarioRequest, run_scenario

    def day(text: str, what: str) -> dt.date:
        try:
            return dt.date.fromisoformat(text)
        except ValueError as error:
            raise InvalidQuery(f"{what} must be a date as YYYY-MM-DD; got {text!r}") from error

    def change(kind: str, actor: str, basis: str, date: str | None) -> Change:
        target = parse_resource(basis, f"--{kind}", kinds=("instrument", "channel"))
        is_channel = key_of(target).startswith("channel/")  # type: ignore[union-attr]
        return Change(
            kind=kind,  # type: ignore[arg-type]
            actor=parse_resource(actor, f"--{kind}", kinds=("state", "organisation", "agency")),
            instrument=None if is_channel else target,
            channel=target if is_channel else None,
            date=day(date, f"--{kind}") if date else None,
        )

    if args.file:
        request = ScenarioRequest.from_json(json.loads(Path(args.file).read_text(encoding="utf-8")))
    else:
        if not args.at:
            raise InvalidQuery("give --at DATE (or a request file with --file)")
        changes = [change("end", a, b, d) for a, b, d in args.end or []]
        changes += [change("remove", a, b, None) for a, b in args.remove or []]
        changes += [change("add", a, b, d) for a, b, d in args.add or []]
        request = ScenarioRequest(
            at=day(args.at, "--at"),
            before=day(args.before, "--before") if args.before else None,
            changes=tuple(changes),
            pairs=tuple((parse_resource(a, "--pair"), parse_resource(b, "--pair")) for a, b in (args.pair or [])),
            functions=tuple(parse_resource(f, "--function", kinds=("function",)) for f in args.function or []),
        )
    with OpenStore(StoreHome(settings.store), read_only=True) as store:
        result = run_scenario(store, request)
    _print_scenario(result)
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from service.backup import backup

    if settings.backend != "oxigraph":
        raise Border21Error("backup copies the embedded store; back up a remote store with its own tools")
    report = backup(StoreHome(settings.store), Path(args.directory))
    print(f"backed up {report.contents.quads} quads in {len(report.contents.graphs)} graphs to {report.directory}")
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from service.backup import restore

    if settings.backend != "oxigraph":
        raise Border21Error("restore writes the embedded store; restore a remote store with its own tools")
    report = restore(StoreHome(settings.store), Path(args.directory), audit_log=settings.audit_log_path())
    print(f"restored {report.contents.quads} quads into {settings.store} (generation {report.generation.name})")
    return 0


def _print_scenario(result: object) -> None:
    from service.scenarios import ScenarioResult

    assert isinstance(result, ScenarioResult)
    label = result.knowledge.label
    rows = []
    for outcome in result.outcomes:
        fallback = outcome.fallback()
        rows.append(
            {
                "a": label(outcome.a),
                "b": label(outcome.b),
                "function": label(outcome.function),
                "before": "; ".join(label(w.basis) for w in outcome.before.applies) or "-",
                "after": "; ".join(label(w.basis) for w in outcome.after.applies) or "-",
                "lost": "; ".join(label(x) for x in outcome.lost) or "-",
                "fallback": label(fallback.basis) if fallback is not None else "-",
            }
        )
    table = SelectResult(["a", "b", "function", "before", "after", "lost", "fallback"], rows)  # type: ignore[arg-type]
    _print_table(table)


def _read_query(argument: str) -> str:
    if argument == "-":
        return sys.stdin.read()
    if argument.startswith("@"):
        return Path(argument[1:]).read_text(encoding="utf-8")
    return argument


def _cell(value: object) -> str:
    if value is None:
        return ""
    return str(value)


def _print_table(result: SelectResult) -> None:
    header = result.variables
    rows = [[_cell(row.get(name)) for name in header] for row in result.rows]
    widths = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(header)]
    line = "  ".join(name.ljust(width) for name, width in zip(header, widths, strict=True))
    print(line.rstrip())
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", file=sys.stderr)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="border21", description="The border21 knowledge graph: build, check, serve and query it."
    )
    root.add_argument("--version", action="version", version=f"border21 {__version__}")
    commands = root.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--store", help="store directory (default: $BORDER21_STORE, then .border21/store)")
        return sub

    for name, help_text in (
        ("build", "check the ontology and data and build a fresh store from them, swapped in atomically"),
        ("validate", "run every check of the build (Turtle, SHACL, OWL consistency) without writing"),
    ):
        sub = command(name, help_text)
        sub.add_argument("--data", help="curated data directory (default: the bundled data/)")
        sub.add_argument("--ontology", help="ontology directory (default: the bundled ontology/)")

    serve = command("serve", "serve the store over HTTP (SPARQL, REST, web UI)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)

    query = command("query", "run a SPARQL query against the store and print the result")
    query.add_argument("query", help="the query text, @FILE to read it from a file, or - for standard input")
    query.add_argument("--format", choices=["table", *QUERY_FORMATS], default="table")

    scenario = command(
        "scenario",
        "what applies between pairs of states before and after changes to participations and accesses",
    )
    scenario.add_argument("--at", help="the date the scenario asks about (YYYY-MM-DD)")
    scenario.add_argument("--before", help="compare with the data on this date instead (history replay)")
    scenario.add_argument(
        "--end",
        nargs=3,
        action="append",
        metavar=("ACTOR", "BASIS", "DATE"),
        help="the actor's participation in an instrument (or access to a channel) ends on DATE",
    )
    scenario.add_argument(
        "--remove",
        nargs=2,
        action="append",
        metavar=("ACTOR", "BASIS"),
        help="the actor's participations in an instrument (or accesses to a channel) are gone",
    )
    scenario.add_argument(
        "--add",
        nargs=3,
        action="append",
        metavar=("ACTOR", "BASIS", "DATE"),
        help="the actor takes part in an instrument (or gets access to a channel) from DATE",
    )
    scenario.add_argument("--pair", nargs=2, action="append", metavar=("A", "B"), help="report this pair")
    scenario.add_argument("--function", action="append", help="report this cooperation function (e.g. surrender)")
    scenario.add_argument("--file", help="a scenario request as JSON, as POST /api/v1/scenarios takes it")

    export = command("export", "write the whole store to standard output or a file")
    export.add_argument("--format", choices=list(EXPORT_FORMATS), default="trig")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")

    generate = command("generate", "write deterministic synthetic data, valid under the shapes, for benchmarks")
    generate.add_argument("--triples", type=int, default=100_000, help="about how many triples (default 100000)")
    generate.add_argument("--seed", type=int, default=0, help="the same seed and size give the same files")
    generate.add_argument("--out", required=True, help="directory to write (usable as `border21 build --data DIR`)")

    backup = command("backup", "copy the store, every graph written through the service too, while it is served")
    backup.add_argument("directory", help="a new (or empty) directory to write the backup into")
    restore = command("restore", "make a backup the store's current data (stop writing servers first)")
    restore.add_argument("directory", help="a directory written by `border21 backup`")
    return root


HANDLERS = {
    "build": cmd_build,
    "validate": cmd_validate,
    "serve": cmd_serve,
    "query": cmd_query,
    "export": cmd_export,
    "generate": cmd_generate,
    "scenario": cmd_scenario,
    "backup": cmd_backup,
    "restore": cmd_restore,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = _settings(args)
    except ValidationError as error:
        for detail in error.errors():
            print(f"border21: configuration: {'.'.join(map(str, detail['loc']))}: {detail['msg']}", file=sys.stderr)
        return EXIT_FAILED
    configure_logging(settings.log_level if args.command == "serve" else "WARNING")
    try:
        return HANDLERS[args.command](args, settings)
    except ValidationFailed as failure:
        for problem in failure.problems:
            print(problem, file=sys.stderr)
        print(f"border21 {args.command}: failed: {failure}", file=sys.stderr)
        return EXIT_FAILED
    except StoreUnavailable as error:
        print(f"border21 {args.command}: {error}", file=sys.stderr)
        return EXIT_STORE
    except InvalidQuery as error:
        print(f"border21 {args.command}: invalid query: {error}", file=sys.stderr)
        return EXIT_FAILED
    except Border21Error as error:
        print(f"border21 {args.command}: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def run() -> None:
    logging.captureWarnings(True)
    sys.exit(main())
