"""The one door to a store: a small typed interface every backend implements.

Terms crossing it are rdflib terms (`URIRef`, `BNode`, `Literal`), so nothing above this
package depends on a particular engine. Parameters are bound to query variables by the
engine (`bindings`), never pasted into the query text; a SELECT query projects every
variable it lets callers bind (SPARQL SEP-0007 substitution, as Oxigraph implements it).
The default graph of a query is the union of all named graphs unless the query says
otherwise.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from rdflib.term import BNode, Literal, URIRef

Term = URIRef | BNode | Literal
Triple = tuple[URIRef | BNode, URIRef, Term]
Quad = tuple[URIRef | BNode, URIRef, Term, URIRef | None]
Bindings = Mapping[str, Term]

# Media types of the RDF serialisations a store reads and writes.
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
NQUADS = "application/n-quads"
TRIG = "application/trig"
RDFXML = "application/rdf+xml"
JSONLD = "application/ld+json"


@dataclass(frozen=True)
class SelectResult:
    variables: list[str]
    rows: list[dict[str, Term | None]] = field(default_factory=list)

    def __iter__(self) -> Iterator[dict[str, Term | None]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


QueryResult = SelectResult | bool | list[Triple]


@dataclass(frozen=True)
class Scan:
    """One property to read whole: the (subject, object) pairs of `predicate` in any graph
    whose subject is an IRI and whose object is `object` (when given), an IRI (when neither is
    given), or a literal of `datatype` (its lexical form)."""

    predicate: URIRef
    object: URIRef | None = None
    datatype: URIRef | None = None


@dataclass
class Scanned:
    """What scans found, compactly: millions of pairs cross a process boundary as arrays of
    numbers into one table of strings (IRIs and lexical forms), not as terms. `pairs[i]` holds
    scan i's distinct pairs flat, subject and object alternating."""

    strings: list[str] = field(default_factory=list)
    pairs: list[array[int]] = field(default_factory=list)
    _numbers: dict[str, int] = field(default_factory=dict, repr=False)

    def number(self, value: str) -> int:
        found = self._numbers.get(value)
        if found is None:
            found = self._numbers[value] = len(self.strings)
            self.strings.append(value)
        return found

    def add(self, found: Iterable[tuple[str, str]]) -> None:
        """Add one scan's pairs, each once."""
        number = self.number
        flat = array("I")
        for pair in {(number(subject), number(value)) for subject, value in found}:
            flat.extend(pair)
        self.pairs.append(flat)

    def __getstate__(self) -> dict[str, object]:  # the lookup table is not sent
        return {"strings": self.strings, "pairs": self.pairs, "_numbers": {}}


@dataclass(frozen=True)
class QueryDataset:
    """The RDF dataset a query runs on, as the SPARQL protocol's default-graph-uri and
    named-graph-uri (or an update's using-graph-uri and using-named-graph-uri) give it. Empty
    means: as the query says, else the union of all graphs as default graph."""

    default_graphs: tuple[URIRef, ...] = ()
    named_graphs: tuple[URIRef, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


@dataclass(frozen=True)
class Serialized:
    """A query result written in a media type: `form` is select, ask or graph."""

    form: str
    media_type: str
    body: bytes


# Media types of SPARQL query results.
RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
RESULTS_CSV = "text/csv"
RESULTS_TSV = "text/tab-separated-values"


@runtime_checkable
class GraphStore(Protocol):
    """What the rest of the service may ask of a store."""

    def select(self, query: str, bindings: Bindings | None = None) -> SelectResult: ...

    def ask(self, query: str, bindings: Bindings | None = None) -> bool: ...

    def construct(self, query: str, bindings: Bindings | None = None) -> list[Triple]: ...

    def query(self, query: str, bindings: Bindings | None = None) -> QueryResult:
        """Run any query form: SELECT gives a SelectResult, ASK a bool, CONSTRUCT and
        DESCRIBE a list of triples."""
        ...

    def execute(
        self,
        query: str,
        *,
        results_media_type: str | None,
        graph_media_type: str | None,
        dataset: QueryDataset | None = None,
    ) -> Serialized:
        """Run a query for the SPARQL protocol: SELECT and ASK results written as
        `results_media_type`, CONSTRUCT and DESCRIBE results as `graph_media_type`. Raises
        NotAcceptable when the one needed is None, InvalidQuery, QueryTimeout, ResultTooLarge."""
        ...

    def update(self, update: str, dataset: QueryDataset | None = None) -> None:
        """Apply a SPARQL Update atomically: all of it or nothing."""
        ...

    # -- SPARQL 1.1 Graph Store HTTP Protocol; `graph=None` is the store's default graph ----

    def has_graph(self, graph: URIRef | None) -> bool: ...

    def graph_bytes(self, graph: URIRef | None, media_type: str) -> bytes:
        """The triples of one graph; raises NotFound for a named graph that does not exist."""
        ...

    def replace_graph(self, graph: URIRef | None, data: bytes, media_type: str) -> int:
        """Parse `data` and make it the whole content of the graph, atomically. Raises
        ValidationFailed (nothing written) when it does not parse. Returns the triple count."""
        ...

    def add_to_graph(self, graph: URIRef | None, data: bytes, media_type: str) -> int:
        """Parse `data` and add it to the graph, atomically, as replace_graph."""
        ...

    def drop_graph(self, graph: URIRef | None) -> None:
        """Remove a named graph (NotFound if absent) or empty the default graph."""
        ...

    def load_file(self, path: Path, graph: URIRef, media_type: str = TURTLE) -> None:
        """Add the triples of an RDF file to a named graph."""
        ...

    def add_triples(self, graph: URIRef, triples: Iterable[Triple]) -> int:
        """Add triples to a named graph; return how many were given."""
        ...

    def scan(self, scans: list[Scan]) -> Scanned:
        """The pairs of each scan, in one read: what an in-memory index is built from when a
        join per question would cost seconds."""
        ...

    def contains(self, triple: Triple) -> bool:
        """Whether the triple is in any graph."""
        ...

    def named_graphs(self) -> list[URIRef]: ...

    def triple_count(self, graph: URIRef | None = None) -> int:
        """Triples in one named graph, or quads in all graphs."""
        ...

    def dump(self, out: BinaryIO, media_type: str) -> None:
        """Serialise the whole dataset (TriG, N-Quads) or the union of its graphs (Turtle, JSON-LD)."""
        ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


_BUILT_GRAPHS = "SELECT DISTINCT ?provenance ?graph WHERE { GRAPH ?provenance { ?graph prov:wasGeneratedBy ?build } }"


def built_graphs(store: GraphStore) -> set[URIRef]:
    """The named graphs a build wrote (the curated ones), as its provenance graph lists them."""
    provenance = URIRef("https://w3id.org/border21/graph/provenance")
    rows = store.select(_BUILT_GRAPHS, {"provenance": provenance}).rows
    return {row["graph"] for row in rows if isinstance(row["graph"], URIRef)}
