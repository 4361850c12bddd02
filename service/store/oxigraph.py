"""The embedded backend: Oxigraph, on disk or in memory."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import BinaryIO, TypeGuard, TypeVar

import pyoxigraph as ox
from rdflib import XSD
from rdflib.namespace import RDF
from rdflib.term import BNode, Literal, URIRef

from service.errors import InvalidQuery, NotAcceptable, NotFound, ResultTooLarge, StoreUnavailable, ValidationFailed
from service.namespaces import PREFIXES
from service.sparql_text import has_dataset_clause
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
    Bindings,
    QueryDataset,
    QueryResult,
    Scan,
    Scanned,
    SelectResult,
    Serialized,
    Term,
    Triple,
    built_graphs,
)
from service.store.results import serialize_boolean, serialize_select

logger = logging.getLogger(__name__)

T = TypeVar("T")

RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    RESULTS_JSON: ox.QueryResultsFormat.JSON,
    RESULTS_XML: ox.QueryResultsFormat.XML,
    RESULTS_CSV: ox.QueryResultsFormat.CSV,
    RESULTS_TSV: ox.QueryResultsFormat.TSV,
}
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    TURTLE: ox.RdfFormat.TURTLE,
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    NQUADS: ox.RdfFormat.N_QUADS,
    TRIG: ox.RdfFormat.TRIG,
    RDFXML: ox.RdfFormat.RDF_XML,
    JSONLD: ox.RdfFormat.JSON_LD,
}
DATASET_FORMATS = {NQUADS, TRIG}

_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)


def to_ox(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def from_ox(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _LANG_STRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported term {term!r}")


def _scanned(value: object, datatype: str | None) -> TypeGuard[ox.NamedNode | ox.Literal]:
    """An IRI when no datatype is asked for, else a literal of that datatype."""
    if datatype is None:
        return isinstance(value, ox.NamedNode)
    return isinstance(value, ox.Literal) and value.datatype.value == datatype


def _acceptable(media_type: str | None, supported: Mapping[str, object], what: str) -> str:
    if media_type is None or media_type not in supported:
        raise NotAcceptable(f"none of the accepted media types can represent {what}")
    return media_type


class OxigraphStore:
    """A `GraphStore` on an Oxigraph dataset. Queries see the union of the named graphs as
    their default graph; SPARQL `FROM` clauses override that."""

    def __init__(
        self, store: ox.Store, *, path: Path | None = None, read_only: bool = False, max_results: int | None = None
    ) -> None:
        self._store = store
        self.path = path
        self.read_only = read_only
        self.max_results = max_results

    @classmethod
    def in_memory(cls) -> OxigraphStore:
        return cls(ox.Store())

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False, max_results: int | None = None) -> OxigraphStore:
        try:
            store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as error:
            logger.error("event=store_open_failed path=%s read_only=%s", path, read_only, exc_info=True)
            raise StoreUnavailable(f"cannot open the store at {path}: it is missing, damaged or in use") from error
        return cls(store, path=path, read_only=read_only, max_results=max_results)

    def backup(self, target: Path) -> None:
        """Write an immutable checkpoint of the store to `target`, which must not exist."""
        self._store.flush()
        self._store.backup(str(target))

    # -- queries ---------------------------------------------------------------------------

    def _run(
        self, query: str, bindings: Bindings | None, dataset: QueryDataset | None = None
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(name): to_ox(value) for name, value in (bindings or {}).items()
        }
        options: dict[str, object] = {}
        if dataset:
            # The protocol's dataset replaces both the union default and any FROM clauses.
            options["default_graph"] = [ox.NamedNode(str(g)) for g in dataset.default_graphs] or ox.DefaultGraph()
            options["named_graphs"] = [ox.NamedNode(str(g)) for g in dataset.named_graphs]
        else:
            options["use_default_graph_as_union"] = not has_dataset_clause(query)
        try:
            return self._store.query(query, prefixes=PREFIXES, substitutions=substitutions or None, **options)  # type: ignore[arg-type]
        except SyntaxError as error:
            raise InvalidQuery(str(error)) from error
        except RuntimeError as error:
            raise InvalidQuery(f"the query cannot be evaluated: {error}") from error

    def query(self, query: str, bindings: Bindings | None = None) -> QueryResult:
        answer = self._run(query, bindings)
        if isinstance(answer, ox.QuerySolutions):
            return self._solutions(answer)
        if isinstance(answer, ox.QueryBoolean):
            return bool(answer)
        return self._triples(answer)

    def execute(
        self,
        query: str,
        *,
        results_media_type: str | None,
        graph_media_type: str | None,
        dataset: QueryDataset | None = None,
    ) -> Serialized:
        answer = self._run(query, None, dataset)
        if isinstance(answer, ox.QueryBoolean):
            media_type = _acceptable(results_media_type, RESULTS_FORMATS, "an ASK result")
            return Serialized("ask", media_type, serialize_boolean(bool(answer), media_type))
        if isinstance(answer, ox.QuerySolutions):
            media_type = _acceptable(results_media_type, RESULTS_FORMATS, "SELECT results")
            return Serialized("select", media_type, serialize_select(self._solutions(answer), media_type))
        media_type = _acceptable(graph_media_type, RDF_FORMATS, "a graph")
        triples = list(self._capped(answer))
        prefixes = PREFIXES if media_type == TURTLE else None
        body = ox.serialize(triples, format=RDF_FORMATS[media_type], prefixes=prefixes) or b""
        return Serialized("graph", media_type, body)

    def _capped(self, items: Iterable[T]) -> list[T]:
        try:
            kept = list(items if self.max_results is None else islice(items, self.max_results + 1))
        except RuntimeError as error:  # evaluation errors surface while iterating
            raise InvalidQuery(f"the query cannot be evaluated: {error}") from error
        if self.max_results is None:
            return kept
        if len(kept) > self.max_results:
            raise ResultTooLarge(
                f"the result has more than {self.max_results} rows or triples; narrow the query or add a LIMIT"
            )
        return kept

    def select(self, query: str, bindings: Bindings | None = None) -> SelectResult:
        solutions = self._run(query, bindings)
        if not isinstance(solutions, ox.QuerySolutions):
            raise InvalidQuery("expected a SELECT query")
        return self._solutions(solutions)

    def _solutions(self, solutions: ox.QuerySolutions) -> SelectResult:
        variables = [variable.value for variable in solutions.variables]
        rows = []
        for solution in self._capped(solutions):
            row: dict[str, Term | None] = {}
            for name in variables:
                value = solution[name]
                row[name] = None if value is None else from_ox(value)
            rows.append(row)
        return SelectResult(variables, rows)

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        answer = self._run(query, bindings)
        if not isinstance(answer, ox.QueryBoolean):
            raise InvalidQuery("expected an ASK query")
        return bool(answer)

    def construct(self, query: str, bindings: Bindings | None = None) -> list[Triple]:
        triples = self._run(query, bindings)
        if not isinstance(triples, ox.QueryTriples):
            raise InvalidQuery("expected a CONSTRUCT or DESCRIBE query")
        return self._triples(triples)

    def _triples(self, triples: ox.QueryTriples) -> list[Triple]:
        return [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in self._capped(triples)]  # type: ignore[misc]

    def update(self, update: str, dataset: QueryDataset | None = None) -> None:
        if dataset:
            raise InvalidQuery(
                "using-graph-uri and using-named-graph-uri are not supported by the embedded store; "
                "write USING or WITH in the update instead"
            )
        try:
            self._store.update(update, prefixes=PREFIXES)
        except SyntaxError as error:
            raise InvalidQuery(str(error)) from error
        except RuntimeError as error:  # an evaluation error: the transaction was rolled back
            raise InvalidQuery(f"the update was not applied: {error}") from error

    # -- graph store ---------------------------------------------------------------------

    def has_graph(self, graph: URIRef | None) -> bool:
        return graph is None or self._store.contains_named_graph(ox.NamedNode(str(graph)))

    def graph_bytes(self, graph: URIRef | None, media_type: str) -> bytes:
        if not self.has_graph(graph):
            raise NotFound(f"no graph named {graph}")
        name = ox.DefaultGraph() if graph is None else ox.NamedNode(str(graph))
        triples = (quad.triple for quad in self._store.quads_for_pattern(None, None, None, name))
        prefixes = PREFIXES if media_type == TURTLE else None
        return ox.serialize(triples, format=RDF_FORMATS[media_type], prefixes=prefixes) or b""

    def replace_graph(self, graph: URIRef | None, data: bytes, media_type: str) -> int:
        return self._write_graph(graph, data, media_type, replace=True)

    def add_to_graph(self, graph: URIRef | None, data: bytes, media_type: str) -> int:
        return self._write_graph(graph, data, media_type, replace=False)

    def drop_graph(self, graph: URIRef | None) -> None:
        if graph is None:
            self._store.clear_graph(ox.DefaultGraph())
            return
        if not self.has_graph(graph):
            raise NotFound(f"no graph named {graph}")
        self._store.remove_graph(ox.NamedNode(str(graph)))

    def _write_graph(self, graph: URIRef | None, data: bytes, media_type: str, *, replace: bool) -> int:
        """Parse first (a malformed upload writes nothing), then write in one transaction: the
        parsed triples, re-serialised by the engine as N-Triples, in one SPARQL update."""
        if media_type not in RDF_FORMATS or media_type in DATASET_FORMATS:
            raise ValidationFailed(f"cannot load {media_type} into a graph", [f"unsupported media type {media_type}"])
        try:
            triples = [quad.triple for quad in ox.parse(data, format=RDF_FORMATS[media_type])]
        except (SyntaxError, ValueError) as error:
            raise ValidationFailed("the upload is not valid RDF", [f"{media_type}: {error}"]) from error
        target = "DEFAULT" if graph is None else f"GRAPH {ox.NamedNode(str(graph))}"
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        inside = body.decode("utf-8") if graph is None else f"{ox.NamedNode(str(graph))} {{ {body.decode('utf-8')} }}"
        statements = [f"DROP SILENT {target}"] if replace else []
        statements.append(f"INSERT DATA {{ {'' if graph is None else 'GRAPH '}{inside} }}")
        self._store.update(" ;\n".join(statements))
        return len(triples)

    # -- loading ---------------------------------------------------------------------------

    def load_file(self, path: Path, graph: URIRef, media_type: str = TURTLE) -> None:
        """Add a file's triples to `graph` by the bulk loader (for a store nobody else reads
        yet). A syntax error raises ValidationFailed with the parser's message, which names the
        line; what was read before it may stay in the store."""
        try:
            self._store.bulk_load(path=str(path), format=RDF_FORMATS[media_type], to_graph=ox.NamedNode(str(graph)))
        except SyntaxError as error:
            raise ValidationFailed(f"{path.name} is not valid RDF", [str(error.msg or error)]) from error

    def add_triples(self, graph: URIRef, triples: Iterable[Triple]) -> int:
        name = ox.NamedNode(str(graph))
        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in triples]  # type: ignore[arg-type]
        self._store.extend(quads)
        return len(quads)

    # -- rules at build time, in pyoxigraph's own terms (millions of triples pass) ----------

    def construct_native(self, query: str) -> list[ox.Triple]:
        """A CONSTRUCT over the union of the graphs, uncapped, its triples not converted."""
        answer = self._run(query, None)
        if not isinstance(answer, ox.QueryTriples):
            raise InvalidQuery("expected a CONSTRUCT query")
        return list(answer)

    def holds_native(self, triple: ox.Triple) -> bool:
        """Whether some graph holds `triple`."""
        quads = self._store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
        return next(iter(quads), None) is not None

    def add_native(self, graph: URIRef, triples: Iterable[ox.Triple]) -> int:
        """Add by the bulk loader (new files, no transaction): for a store nobody else reads
        yet, a generation being built or a scratch store."""
        name = ox.NamedNode(str(graph))
        quads = [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
        self._store.bulk_extend(quads)
        return len(quads)

    def add_store(self, other: OxigraphStore) -> int:
        """Add every quad of `other` by the bulk loader (for a store nobody else reads yet).
        Returns how many."""
        self._store.bulk_extend(other._store.quads_for_pattern(None, None, None, None))
        return len(other._store)

    def remove_triples(self, triples: Iterable[Triple]) -> None:
        """Remove each triple from every graph that holds it."""
        for s, p, o in triples:
            for quad in list(self._store.quads_for_pattern(to_ox(s), to_ox(p), to_ox(o), None)):  # type: ignore[arg-type]
                self._store.remove(quad)

    def load_dataset(self, data: bytes, media_type: str = NQUADS) -> None:
        """Add a serialised dataset (N-Quads or TriG), keeping its graphs."""
        self._store.load(data, format=RDF_FORMATS[media_type])

    def drop_named_graph(self, graph: URIRef) -> None:
        self._store.remove_graph(ox.NamedNode(str(graph)))

    def graph_natives(self, graph: URIRef) -> set[ox.Triple]:
        """The triples of one named graph, in pyoxigraph's own terms."""
        return {quad.triple for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph)))}

    def change_graphs(self, changes: Iterable[tuple[URIRef, Iterable[ox.Triple], Iterable[ox.Triple]]]) -> int:
        """For each (graph, removed, added), remove and add those triples of the named graph:
        all in one transaction (one SPARQL update). Returns how many triples were named."""
        statements, count = [], 0
        for graph, removed, added in changes:
            for verb, triples in (("DELETE", list(removed)), ("INSERT", list(added))):
                if triples:
                    body = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
                    statements.append(f"{verb} DATA {{ GRAPH {ox.NamedNode(str(graph))} {{ {body} }} }}")
                    count += len(triples)
        if statements:
            self._store.update(" ;\n".join(statements))
        return count

    def holds_written(self) -> bool:
        """Whether any graph a build did not write (see `built_graphs`), or the default graph,
        holds a triple."""
        if next(iter(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
            return True
        return bool(self._written_graphs())

    def _written_graphs(self) -> list[ox.NamedNode]:
        """The named graphs a build did not write: those written through the service."""
        built = built_graphs(self)
        return [g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode) and URIRef(g.value) not in built]

    def scan(self, scans: list[Scan]) -> Scanned:
        scanned = Scanned()
        for scan in scans:
            scanned.add(self._scan(scan))
        return scanned

    def _scan(self, scan: Scan) -> Iterator[tuple[str, str]]:
        wanted = ox.NamedNode(str(scan.object)) if scan.object is not None else None
        datatype = str(scan.datatype) if scan.datatype is not None else None
        for quad in self._store.quads_for_pattern(None, ox.NamedNode(str(scan.predicate)), wanted, None):
            subject, value = quad.subject, quad.object
            if isinstance(subject, ox.NamedNode) and _scanned(value, datatype):
                yield subject.value, value.value

    def contains(self, triple: Triple) -> bool:
        s, p, o = (to_ox(term) for term in triple)
        return next(iter(self._store.quads_for_pattern(s, p, o, None)), None) is not None  # type: ignore[arg-type]

    # -- reading a build's sources in pieces -------------------------------------------------

    def described_in(self, node: Term) -> list[URIRef]:
        """The graphs that type `node`, else the graphs where it is a subject."""
        subject = to_ox(node)
        if isinstance(subject, ox.Literal):
            return []
        for predicate in (ox.NamedNode(str(RDF.type)), None):
            graphs = {q.graph_name for q in self._store.quads_for_pattern(subject, predicate, None, None)}
            if graphs:
                return sorted(URIRef(g.value) for g in graphs if isinstance(g, ox.NamedNode))
        return []

    def description_chunks(
        self, graphs: Iterable[URIRef], size: int, *, context: Iterable[URIRef], everywhere: Iterable[URIRef]
    ) -> Iterator[tuple[frozenset[str], bytes]]:
        """The subjects of `graphs`, in chunks of about `size` triples, each as N-Triples: the
        triples (in `graphs`) of the chunk's subjects, the `context` triples of every node
        those triples name (a blank node's whole description), and every `everywhere`
        triple. Yields each chunk's subjects (in N-Triples form) with the chunk."""
        names = [ox.NamedNode(str(graph)) for graph in graphs]
        inside = set(names)
        context_predicates = [ox.NamedNode(str(p)) for p in context]
        shared: set[ox.Triple] = set()
        for predicate in everywhere:
            shared.update(self._in(names, ox.NamedNode(str(predicate)), None))
        chunk: list[ox.Triple] = []
        subjects: set[ox.NamedNode | ox.BlankNode] = set()
        seen: set[ox.NamedNode | ox.BlankNode] = set()
        for name in names:
            for quad in self._store.quads_for_pattern(None, None, None, name):
                subject = quad.subject
                if subject in seen or not isinstance(subject, ox.NamedNode | ox.BlankNode):
                    continue
                seen.add(subject)
                subjects.add(subject)
                chunk.extend(self._in(inside, None, None, subject=subject))
                if len(chunk) >= size:
                    yield self._chunk(subjects, chunk, inside, context_predicates, shared)
                    chunk, subjects = [], set()
        if subjects:
            yield self._chunk(subjects, chunk, inside, context_predicates, shared)

    def _in(
        self,
        graphs: Iterable[ox.NamedNode],
        predicate: ox.NamedNode | None,
        obj: ox.NamedNode | None,
        *,
        subject: ox.NamedNode | ox.BlankNode | None = None,
    ) -> Iterator[ox.Triple]:
        wanted = graphs if isinstance(graphs, set) else set(graphs)
        for quad in self._store.quads_for_pattern(subject, predicate, obj, None):
            if quad.graph_name in wanted:
                yield quad.triple

    def _chunk(
        self,
        subjects: set[ox.NamedNode | ox.BlankNode],
        triples: list[ox.Triple],
        graphs: set[ox.NamedNode],
        context: list[ox.NamedNode],
        shared: set[ox.Triple],
    ) -> tuple[frozenset[str], bytes]:
        described = set(triples) | shared
        pending = [t.object for t in triples if isinstance(t.object, ox.NamedNode | ox.BlankNode)]
        visited: set[object] = set(subjects)
        while pending:
            node = pending.pop()
            if node in visited:
                continue
            visited.add(node)
            if isinstance(node, ox.BlankNode):
                for triple in self._in(graphs, None, None, subject=node):
                    described.add(triple)
                    if isinstance(triple.object, ox.NamedNode | ox.BlankNode):
                        pending.append(triple.object)
                continue
            for predicate in context:
                described.update(self._in(graphs, predicate, None, subject=node))
        body = ox.serialize(described, format=ox.RdfFormat.N_TRIPLES) or b""
        return frozenset(str(subject) for subject in subjects), body

    def write_ntriples(self, path: Path, graphs: Iterable[URIRef]) -> None:
        """Write the triples of `graphs` to `path` as N-Triples (a triple held by two graphs
        appears twice)."""
        names = [ox.NamedNode(str(graph)) for graph in graphs]
        with path.open("wb") as out:
            for name in names:
                quads = self._store.quads_for_pattern(None, None, None, name)
                ox.serialize((quad.triple for quad in quads), out, format=ox.RdfFormat.N_TRIPLES)

    # -- inspection and export -------------------------------------------------------------

    def named_graphs(self) -> list[URIRef]:
        return sorted(URIRef(graph.value) for graph in self._store.named_graphs() if isinstance(graph, ox.NamedNode))

    def triple_count(self, graph: URIRef | None = None) -> int:
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph))))

    def dump(self, out: BinaryIO, media_type: str) -> None:
        rdf_format = RDF_FORMATS[media_type]
        if media_type in DATASET_FORMATS:
            self._store.dump(out, format=rdf_format, prefixes=PREFIXES if media_type == TRIG else None)
            return
        union = self._store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
        assert isinstance(union, ox.QueryTriples)
        ox.serialize(union, out, format=rdf_format, prefixes=PREFIXES if media_type == TURTLE else None)

    def dump_bytes(self, media_type: str) -> bytes:
        out = io.BytesIO()
        self.dump(out, media_type)
        return out.getvalue()

    def flush(self) -> None:
        if not self.read_only:
            self._store.flush()

    def optimize(self) -> None:
        self._store.optimize()

    def close(self) -> None:
        """Flush and let go of the store; closing again does nothing."""
        if not hasattr(self, "_store"):
            return
        self.flush()
        del self._store


def carry_written_graphs(source: OxigraphStore, target: OxigraphStore) -> int:
    """Make `target`'s written graphs (every graph a build did not write, and the default
    graph) those of `source`. Returns the number of quads carried."""
    for graph in target._written_graphs():
        target._store.remove_graph(graph)
    target._store.clear_graph(ox.DefaultGraph())
    source_built = built_graphs(source)
    carried = [
        quad
        for quad in source._store.quads_for_pattern(None, None, None, None)
        if isinstance(quad.graph_name, ox.DefaultGraph)
        or (isinstance(quad.graph_name, ox.NamedNode) and URIRef(quad.graph_name.value) not in source_built)
    ]
    target._store.extend(carried)
    return len(carried)
