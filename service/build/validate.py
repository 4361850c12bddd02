"""SHACL validation of the data against the shapes, with violations located in their files."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass

import pyshacl
import rdflib
import rdflib.collection
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import BNode, Node, URIRef

from service.build.sources import SourceFile
from service.namespaces import PREFIXES, SH
from service.store.oxigraph import OxigraphStore


@dataclass(frozen=True)
class Violation:
    file: str | None
    line: int | None
    focus: str
    path: str
    message: str
    severity: str

    def __str__(self) -> str:
        where = self.file or "(no file)"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.severity}: {self.focus} {self.path}: {self.message}"


# Every path in the shapes is one property long, and a value is checked by its rdf:type (with
# the schema's rdfs:subClassOf) or its skos:inScheme: so a resource's conformance depends on
# its own triples, those two properties of the nodes it names, and the class hierarchy
# (`chunking_hazard` checks this of the shapes, else the data is validated whole). The
# data is validated in chunks of resources with that context, which keeps the memory bounded
# and lets two processes share the work; a chunk reports only its own resources.
CHUNK_TRIPLES = 200_000
CONTEXT = (RDF.type, SKOS.inScheme)
EVERYWHERE = (RDFS.subClassOf,)

# (focus, path, message, severity, value) of one result
_Result = tuple[Node | None, Node | None, Node | None, Node | None, Node | None]


def union(sources: list[SourceFile], roles: set[str]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for source in sources:
        if source.role in roles:
            graph += source.graph
    return graph


# Constraints whose value is a shape the value nodes (or the focus node) must conform to.
_SHAPE_VALUED = (SH.node, SH.qualifiedValueShape, SH["not"])
_SHAPE_LISTS = (SH["and"], SH["or"], SH.xone)
# Constraints that compare the values of a property with another property's, of the same node.
_COMPARING = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)


def chunking_hazard(shapes: rdflib.Graph) -> str | None:
    """Why validating in chunks could differ from validating whole, or None: a shape that reads
    more of another resource than a chunk holds (a path longer than one property, a shape a
    value must conform to reading more than rdf:type and skos:inScheme, SPARQL), or focus
    nodes that need not be the subject of any chunk (sh:targetNode, sh:targetObjectsOf)."""
    if any(shapes.triples((None, SH.sparql, None))):
        return "a SPARQL-based constraint"
    for target in (SH.targetNode, SH.targetObjectsOf):
        if any(shapes.triples((None, target, None))):
            return f"a shape with {shapes.qname(target)}"
    for path in shapes.objects(None, SH.path):
        if not isinstance(path, URIRef):
            return "a property path longer than one property"
    nested = _shapes_named(shapes, None)
    seen: set[Node] = set()
    while nested:
        shape = nested.pop()
        if shape in seen:
            continue
        seen.add(shape)
        for path in shapes.objects(shape, SH.path):
            if path not in CONTEXT:
                return f"a shape that a value must conform to reads {shapes.qname(path)} of it"  # type: ignore[arg-type]
        if any((shape, p, None) in shapes for p in _COMPARING):
            return "a shape that a value must conform to compares its properties"
        nested += [*shapes.objects(shape, SH.property), *_shapes_named(shapes, shape)]
    return None


def _shapes_named(shapes: rdflib.Graph, by: Node | None) -> list[Node]:
    """The shapes `by` (or any shape, with None) requires conformance to: through sh:node,
    sh:qualifiedValueShape and sh:not, and the members of sh:and, sh:or and sh:xone lists."""
    named: list[Node] = [o for p in _SHAPE_VALUED for o in shapes.objects(by, p)]
    for p in _SHAPE_LISTS:
        for items in shapes.objects(by, p):
            named += rdflib.collection.Collection(shapes, items)
    return named


def validate_shapes(
    store: OxigraphStore, sources: list[SourceFile], *, chunk_triples: int = CHUNK_TRIPLES, workers: int = 2
) -> list[Violation]:
    """Every violation (and warning) of the shapes by the ontology, vocabularies and data held
    in `store` (one graph per source), each located in its file. More than one chunk is
    validated by `workers` processes."""
    shapes_graph = union(sources, {"shapes"})
    shapes = shapes_graph.serialize(format="nt", encoding="utf-8")
    graphs = [source.graph_iri for source in sources if source.role != "shapes"]
    if chunking_hazard(shapes_graph) is not None:
        chunk_triples = sys.maxsize  # one chunk: the whole
    chunks = store.description_chunks(graphs, chunk_triples, context=CONTEXT, everywhere=EVERYWHERE)
    first, second = next(chunks, None), next(chunks, None)
    if second is None or workers < 2:
        _load_shapes(shapes)
        pieces = [first, second, *chunks] if second is not None else [first]
        results = [r for piece in pieces if piece is not None for r in _validate_chunk(*piece)]
    else:
        results = _in_processes(shapes, [first, second], chunks, workers)
    owners = {source.graph_iri: source for source in sources}
    order = {source.graph_iri: index for index, source in enumerate(sources)}
    violations = {_violation(result, store, owners, order) for result in results}
    return sorted(violations, key=lambda v: (v.file or "", v.line or 0, v.focus, v.path, v.message))


def _in_processes(
    shapes: bytes,
    started: list[tuple[frozenset[str], bytes] | None],
    rest: Iterator[tuple[frozenset[str], bytes]],
    workers: int,
) -> list[_Result]:
    """Validate the chunks in `workers` processes, reading at most two chunks ahead of them."""
    context = multiprocessing.get_context("spawn")  # the parent holds an engine's threads
    results: list[_Result] = []
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_load_shapes, initargs=(shapes,)) as pool:
        pending = {pool.submit(_validate_chunk, *piece) for piece in started if piece is not None}
        for piece in rest:
            while len(pending) >= workers + 2:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                results.extend(r for future in done for r in future.result())
            pending.add(pool.submit(_validate_chunk, *piece))
        for future in pending:
            results.extend(future.result())
    return results


_SHAPES: list[rdflib.Graph] = []


def _load_shapes(shapes: bytes) -> None:
    _SHAPES[:] = [rdflib.Graph().parse(data=shapes, format="nt")]


def _validate_chunk(subjects: frozenset[str], chunk: bytes) -> list[_Result]:
    """The results of one chunk whose focus is one of its own subjects."""
    data = rdflib.Graph().parse(data=chunk, format="nt")
    _, report, _ = pyshacl.validate(
        data, shacl_graph=_SHAPES[0], inference="none", abort_on_first=False, allow_warnings=True, advanced=False
    )
    assert isinstance(report, rdflib.Graph)
    nested = set(report.objects(None, SH.detail))
    found: list[_Result] = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if result in nested:  # reported through the result that points at it
            continue
        focus = report.value(result, SH.focusNode)
        if focus is None or (not isinstance(focus, BNode) and focus.n3() not in subjects):
            continue  # a node named by the chunk, described in another
        found.append(
            (
                focus,
                report.value(result, SH.resultPath),
                report.value(result, SH.resultMessage),
                report.value(result, SH.resultSeverity),
                report.value(result, SH.value),
            )
        )
    return found


def _violation(
    result: _Result, store: OxigraphStore, owners: dict[URIRef, SourceFile], order: dict[URIRef, int]
) -> Violation:
    focus, path, message, severity, value = result
    described = [g for g in store.described_in(focus) if g in owners] if isinstance(focus, URIRef | BNode) else []
    owner = owners[min(described, key=order.__getitem__)] if described else None
    text = str(message) if message is not None else "violates a shape"
    if value is not None and value != focus:
        text = f"{text} (value: {_short(value)})"
    return Violation(
        file=owner.display if owner else None,
        line=owner.line_of(focus) if owner and focus is not None else None,
        focus=_short(focus),
        path=_short(path) if path is not None else "",
        message=text,
        severity=_short(severity).removeprefix("sh:") if severity is not None else "Violation",
    )


def _short(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, BNode):
        return "[a blank node]"
    if isinstance(node, URIRef):
        text = str(node)
        for prefix, namespace in PREFIXES.items():
            if text.startswith(namespace) and len(text) > len(namespace):
                return f"{prefix}:{text[len(namespace) :]}"
        return f"<{text}>"
    return node.n3()
