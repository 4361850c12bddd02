"""The embedded backend: Oxigraph, on disk or in memory."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import XSD
from rdflib.namespace import RDF
from rdflib.term import BNode, Literal, URIRef

from service.errors import InvalidQuery, StoreUnavailable
from service.namespaces import PREFIXES
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
    QueryResult,
    SelectResult,
    Term,
    Triple,
)

logger = logging.getLogger(__name__)

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


# Strings, IRIs and comments, whose text must not be mistaken for keywords, or a FROM keyword.
_TOKENS = re.compile(
    "|".join(
        (
            r'"""(?:[^"\\]|\\.|"(?!""))*"""',  # long strings
            r"'''(?:[^'\\]|\\.|'(?!''))*'''",
            r'"(?:[^"\\\n]|\\.)*"',  # short strings
            r"'(?:[^'\\\n]|\\.)*'",
            r'<[^<>"{}|^`\\\x00-\x20]*>',  # IRIs
            r"\#[^\n]*",  # comments
            r"(?<![\w:?$])(?P<from>FROM)(?![\w:])",
        )
    ),
    re.IGNORECASE,
)


def has_dataset_clause(query: str) -> bool:
    """Whether the query names its own dataset (FROM / FROM NAMED), which then replaces the
    union default graph."""
    return any(match.group("from") for match in _TOKENS.finditer(query))


class OxigraphStore:
    """A `GraphStore` on an Oxigraph dataset. Queries see the union of the named graphs as
    their default graph; SPARQL `FROM` clauses override that."""

    def __init__(self, store: ox.Store, *, path: Path | None = None, read_only: bool = False) -> None:
        self._store = store
        self.path = path
        self.read_only = read_only

    @classmethod
    def in_memory(cls) -> OxigraphStore:
        return cls(ox.Store())

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> OxigraphStore:
        try:
            store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as error:
            logger.error("event=store_open_failed path=%s read_only=%s", path, read_only, exc_info=True)
            raise StoreUnavailable(f"cannot open the store at {path}: it is missing, damaged or in use") from error
        return cls(store, path=path, read_only=read_only)

    # -- queries ---------------------------------------------------------------------------

    def _run(self, query: str, bindings: Bindings | None) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(name): to_ox(value) for name, value in (bindings or {}).items()
        }
        try:
            return self._store.query(
                query,
                prefixes=PREFIXES,
                use_default_graph_as_union=not has_dataset_clause(query),
                substitutions=substitutions or None,
            )
        except SyntaxError as error:
            raise InvalidQuery(str(error)) from error

    def query(self, query: str, bindings: Bindings | None = None) -> QueryResult:
        answer = self._run(query, bindings)
        if isinstance(answer, ox.QuerySolutions):
            return self._solutions(answer)
        if isinstance(answer, ox.QueryBoolean):
            return bool(answer)
        return self._triples(answer)

    def serialize_query(self, query: str, media_type: str) -> tuple[str, bytes]:
        answer = self._run(query, None)
        if isinstance(answer, ox.QuerySolutions | ox.QueryBoolean):
            if media_type not in RESULTS_FORMATS:
                raise InvalidQuery(f"SELECT and ASK results cannot be written as {media_type}")
            form = "select" if isinstance(answer, ox.QuerySolutions) else "ask"
            return form, answer.serialize(format=RESULTS_FORMATS[media_type]) or b""
        if media_type not in RDF_FORMATS:
            raise InvalidQuery(f"CONSTRUCT and DESCRIBE results cannot be written as {media_type}")
        prefixes = PREFIXES if media_type == TURTLE else None
        return "graph", ox.serialize(answer, format=RDF_FORMATS[media_type], prefixes=prefixes) or b""

    def select(self, query: str, bindings: Bindings | None = None) -> SelectResult:
        solutions = self._run(query, bindings)
        if not isinstance(solutions, ox.QuerySolutions):
            raise InvalidQuery("expected a SELECT query")
        return self._solutions(solutions)

    @staticmethod
    def _solutions(solutions: ox.QuerySolutions) -> SelectResult:
        variables = [variable.value for variable in solutions.variables]
        rows = []
        for solution in solutions:
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

    @staticmethod
    def _triples(triples: ox.QueryTriples) -> list[Triple]:
        return [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in triples]  # type: ignore[misc]

    def update(self, update: str) -> None:
        try:
            self._store.update(update, prefixes=PREFIXES)
        except SyntaxError as error:
            raise InvalidQuery(str(error)) from error

    # -- loading ---------------------------------------------------------------------------

    def load_file(self, path: Path, graph: URIRef, media_type: str = TURTLE) -> None:
        self._store.bulk_load(path=str(path), format=RDF_FORMATS[media_type], to_graph=ox.NamedNode(str(graph)))

    def add_triples(self, graph: URIRef, triples: Iterable[Triple]) -> int:
        name = ox.NamedNode(str(graph))
        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in triples]  # type: ignore[arg-type]
        self._store.extend(quads)
        return len(quads)

    def contains(self, triple: Triple) -> bool:
        s, p, o = (to_ox(term) for term in triple)
        return next(iter(self._store.quads_for_pattern(s, p, o, None)), None) is not None  # type: ignore[arg-type]

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

    def flush(self) -> None:
        if not self.read_only:
            self._store.flush()

    def optimize(self) -> None:
        self._store.optimize()

    def close(self) -> None:
        self.flush()
        del self._store
