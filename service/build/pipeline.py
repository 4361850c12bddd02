"""The build pipeline: parse -> SHACL -> HermiT -> load -> materialise -> provenance -> swap."""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from service import __version__
from service.build.reasoning import DEFAULT_JAVA_MEMORY, derive_cooperation, hermit_inferences, load_rules, materialise
from service.build.sources import SourceFile, discover, read
from service.build.validate import validate_shapes
from service.errors import ValidationFailed
from service.namespaces import B21, BASE, DERIVED_GRAPH, INFERRED_GRAPH, PROVENANCE_GRAPH, VOID
from service.store import StoreHome, Triple, carry_over, in_memory_store, open_generation
from service.store.oxigraph import OxigraphStore

logger = logging.getLogger(__name__)

Progress = Callable[[str, str], None]

# Tests set this to the name of a phase to have the build SIGKILL itself there, which is the
# only way to show deterministically that a build killed midway leaves the old store serving.
CRASH_AT_ENV = "BORDER21_CRASH_AT"


def log_progress(phase: str, detail: str) -> None:
    logger.info("event=build_progress phase=%s detail=%r", phase, detail)


@dataclass
class CheckResult:
    sources: list[SourceFile]
    store: OxigraphStore  # in memory: every source in its graph
    hermit_inferred: list[Triple] = field(default_factory=list)

    @property
    def triple_count(self) -> int:
        return sum(source.triple_count for source in self.sources)

    def close(self) -> None:
        self.store.close()


@dataclass
class BuildReport:
    generation: Path
    graphs: dict[str, int]
    inferred: int
    total: int
    seconds: float


def check(
    ontology_dir: Path,
    data_dir: Path,
    *,
    java: str | None = None,
    java_memory: int = DEFAULT_JAVA_MEMORY,
    progress: Progress = log_progress,
) -> CheckResult:
    """Read every source into an in-memory store and run every check on it; write nothing.
    Raises ValidationFailed. The caller closes the result."""
    sources = discover(ontology_dir, data_dir)
    store = in_memory_store()
    try:
        problems: list[str] = []
        for source in sources:
            try:
                read(source, store)
            except ValidationFailed as failure:
                problems.extend(failure.problems)
                continue
            progress("parse", f"{source.display}: {source.triple_count} triples")
        if problems:
            raise ValidationFailed(f"{len(problems)} file(s) could not be parsed", problems)

        progress("shacl", f"validating {sum(s.triple_count for s in sources if s.role != 'shapes')} triples")
        violations = validate_shapes(store, sources)
        errors = [v for v in violations if v.severity == "Violation"]
        for warning in (v for v in violations if v.severity != "Violation"):
            progress("shacl", str(warning))
        if errors:
            raise ValidationFailed(f"{len(errors)} SHACL violation(s)", [str(v) for v in errors])

        progress("owl", "checking consistency with HermiT")
        checked = [source.graph_iri for source in sources if source.role != "shapes"]
        inferred = hermit_inferences(store, checked, java, java_memory)
        progress("owl", f"consistent; HermiT inferred {len(inferred)} class assertions")
    except BaseException:
        store.close()
        raise
    return CheckResult(sources, store, inferred)


def build(
    home: StoreHome,
    ontology_dir: Path,
    data_dir: Path,
    *,
    java: str | None = None,
    java_memory: int = DEFAULT_JAVA_MEMORY,
    progress: Progress = log_progress,
) -> BuildReport:
    """Check the sources, write them into a fresh generation and make it current."""
    started = time.monotonic()
    started_at = datetime.now(UTC)
    with home.build_lock():
        result = check(ontology_dir, data_dir, java=java, java_memory=java_memory, progress=progress)
        # Inference and derivation read the store millions of times: in memory they take less
        # than half the time they take on disk (91 s against 201 s at a million triples), and
        # the generation is then written in one bulk load (25 s there).
        work = result.store
        try:
            work.add_triples(INFERRED_GRAPH, result.hermit_inferred)
            progress("infer", "applying inference rules")
            inferred = materialise(work, load_rules(ontology_dir / "rules")) + len(result.hermit_inferred)
            progress("infer", f"{inferred} inferred triples")
            derived = derive_cooperation(work, load_rules(ontology_dir / "rules" / "cooperation"))
            progress("derive", f"{derived} triples of derived cooperation")
            graphs = {source.display: work.triple_count(source.graph_iri) for source in result.sources}
            generation = home.new_generation()
            progress("load", f"writing generation {generation.name}")
            store = open_generation(generation)
            try:
                store.add_store(work)
                work.close()
                _crash_point("load")
                store.add_triples(PROVENANCE_GRAPH, _provenance(generation.name, result.sources, graphs, started_at))
                carried = carry_over(home, store, generation)
                if carried is None:
                    progress(
                        "carry",
                        "a server is writing the store: it carries written graphs over when it adopts this build",
                    )
                elif carried:
                    progress("carry", f"{carried} written quads carried over from the previous build")
                total = store.triple_count()
                # Compact what the bulk loader wrote in pieces: reads of an uncompacted
                # generation are about a quarter slower.
                store.optimize()
                store.flush()
            finally:
                store.close()
        finally:
            work.close()
        _crash_point("publish")
        previous = home.current()
        home.publish(generation)
        home.prune(previous)
    seconds = time.monotonic() - started
    progress("done", f"{total} triples in {len(graphs) + 3} graphs, generation {generation.name}, {seconds:.1f} s")
    return BuildReport(generation, graphs, inferred, total, seconds)


def _provenance(build_id: str, sources: list[SourceFile], counts: dict[str, int], started_at: datetime) -> list[Triple]:
    activity = URIRef(f"{BASE}build/{build_id}")
    ended = Literal(datetime.now(UTC).isoformat(), datatype=XSD.dateTime)
    triples: list[Triple] = [
        (activity, RDF.type, PROV.Activity),
        (activity, RDFS.label, Literal(f"border21 build {build_id}", lang="en")),
        (activity, PROV.startedAtTime, Literal(started_at.isoformat(), datatype=XSD.dateTime)),
        (activity, PROV.endedAtTime, ended),
        (activity, B21.softwareVersion, Literal(__version__)),
    ]
    for source in sources:
        graph = source.graph_iri
        triples += [
            (graph, RDF.type, PROV.Entity),
            (graph, RDF.type, VOID.Dataset),
            (graph, PROV.wasGeneratedBy, activity),
            (graph, PROV.generatedAtTime, ended),
            (graph, B21.sourceFile, Literal(source.display)),
            (graph, B21.sha256, Literal(source.sha256)),
            (graph, VOID.triples, Literal(counts[source.display], datatype=XSD.integer)),
            (graph, DCTERMS.type, Literal(source.role)),
        ]
    for graph, label in ((INFERRED_GRAPH, "inferred"), (DERIVED_GRAPH, "derived"), (PROVENANCE_GRAPH, "provenance")):
        triples += [
            (graph, RDF.type, PROV.Entity),
            (graph, PROV.wasGeneratedBy, activity),
            (graph, DCTERMS.type, Literal(label)),
        ]
    return triples


def _crash_point(phase: str) -> None:
    if os.environ.get(CRASH_AT_ENV) == phase:
        logger.warning("event=build_crash_injected phase=%s", phase)
        os.kill(os.getpid(), signal.SIGKILL)
