"""The remote backend: a `GraphStore` over any SPARQL 1.1 Query and Update endpoint.

It speaks only the SPARQL 1.1 Protocol and portable SPARQL 1.1 Update, through SPARQLWrapper,
and assumes of the endpoint what Virtuoso does by default: a query without FROM (and without
default-graph-uri) sees the union of all graphs as its default graph. On an endpoint whose
default graph is its own separate graph, such queries see only that graph; the graph-store
methods here name their graphs explicitly and do not depend on it.

Values are bound, never pasted: `sparql_term` validates and escapes one rdflib term for
SPARQL syntax, and `bind` joins the values into the query as a VALUES block, the first
element of the query's WHERE clause (see `bind` for why not a trailing VALUES clause).

Virtuoso, the remote store the tests run against, differs from SPARQL 1.1 in ways this class
smooths over where it is cheap:
- its blank nodes come back as `nodeID://b10001` in JSON and `_:b10001` in N-Triples: both
  are read as the blank node `b10001`;
- it keeps "x"^^xsd:string apart from "x": values are always written as "x", and read back
  as the simple literal;
- it refuses blank nodes in INSERT DATA: data with blank nodes is written with
  INSERT { ... } WHERE { }, which mints them anew, as INSERT DATA would;
- it cuts a result at its ResultSetMaxRows and says so in an X-SPARQL-MaxRows header (read as
  ResultTooLarge), and returns the partial result of a query that ran out of time with
  X-SQL-State S1TAT (read as QueryTimeout). A CONSTRUCT result is cut without a word, so the
  endpoint's ResultSetMaxRows must be above `max_results`;
- it has no default graph of its own: give `default_graph` an IRI to stand for it.

And where it is not cheap, it is left as Virtuoso does it: its union default graph (and
GRAPH ?g) takes in its own system graphs (virtrdf#, ldp#, the URIQA graph); `hidden_graphs`
keeps them out of named_graphs, triple_count and dump only. Virtuoso's pragmas to exclude
them (`define input:default-graph-exclude`) make GRAPH <iri> match nothing at all in 7.2.
"""

from __future__ import annotations

import ast
import contextlib
import logging
import math
import re
import threading
import uuid
import warnings
from collections.abc import Collection, Iterable, Iterator, Sequence
from email.message import Message
from http.client import HTTPException
from pathlib import Path
from typing import BinaryIO, cast
from typing import Literal as Choice
from urllib.error import HTTPError, URLError

import rdflib
from rdflib.namespace import RDF, XSD
from rdflib.term import BNode, Literal, URIRef
from SPARQLWrapper import BASIC, DIGEST, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from service.errors import (
    Border21Error,
    InvalidQuery,
    NotAcceptable,
    NotFound,
    QueryTimeout,
    ReadOnly,
    ResultTooLarge,
    StoreUnavailable,
    ValidationFailed,
)
from service.namespaces import PREFIXES
from service.store.base import (
    JSONLD,
    NQUADS,
    NTRIPLES,
    RDFXML,
    RESULTS_JSON,
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
)
from service.store.results import (
    RESULTS_MEDIA_TYPES,
    ResultsSyntaxError,
    parse_select,
    serialize_boolean,
    serialize_select,
    sparql_string,
)

logger = logging.getLogger(__name__)

# rdflib's names of the RDF formats the store reads and writes.
RDFLIB_FORMATS: dict[str, str] = {
    TURTLE: "turtle",
    NTRIPLES: "nt",
    NQUADS: "nquads",
    TRIG: "trig",
    RDFXML: "xml",
    JSONLD: "json-ld",
}
DATASET_FORMATS = {NQUADS, TRIG}
# What an endpoint may answer a CONSTRUCT or DESCRIBE with, and how to read it.
GRAPH_ANSWERS: dict[str, str] = {
    NTRIPLES: "nt",
    "text/plain": "nt",
    TURTLE: "turtle",
    RDFXML: "xml",
    JSONLD: "json-ld",
}
ACCEPT_RESULTS = f"{RESULTS_JSON}, {RESULTS_XML};q=0.9"
ACCEPT_GRAPH = f"{NTRIPLES}, text/plain;q=0.9, {TURTLE};q=0.8, {RDFXML};q=0.5"

_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)
_VIRTUOSO_BNODE = "nodeID://"


class UnsafeTerm(InvalidQuery):
    """A term that cannot be written safely in SPARQL syntax."""


# -- terms ------------------------------------------------------------------------------------

# IRIREF ::= '<' ([^<>"{}|^`\]-[#x00-#x20])* '>'; and absolute, so no BASE can move it.
_IRI_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20]')
_IRI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# LANGTAG ::= '@' [a-zA-Z]+ ('-' [a-zA-Z0-9]+)*
_LANGTAG = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")


def sparql_iri(iri: str) -> str:
    """`<iri>`, after checking it holds none of the characters IRIREF forbids."""
    if _IRI_FORBIDDEN.search(iri) or not _IRI_SCHEME.match(iri):
        raise UnsafeTerm(f"not an absolute IRI that SPARQL can carry: {iri[:200]!r}")
    return f"<{iri}>"


def sparql_term(term: Term) -> str:
    """One rdflib term in SPARQL (and N-Triples) syntax, validated and escaped: IRIs against
    IRIREF, literals as a quoted string with ECHAR escapes, a valid language tag or a valid
    datatype IRI. Blank nodes are refused: a query cannot name one."""
    if isinstance(term, URIRef):
        return sparql_iri(str(term))
    if isinstance(term, BNode):
        raise UnsafeTerm("a blank node cannot be bound: SPARQL has no syntax to name an existing one")
    if not isinstance(term, Literal):
        raise UnsafeTerm(f"not an RDF term: {type(term).__name__}")
    text = sparql_string(str(term))
    if term.language:
        if not _LANGTAG.fullmatch(term.language):
            raise UnsafeTerm(f"not a language tag: {term.language[:50]!r}")
        return f"{text}@{term.language}"
    datatype = None if term.datatype is None else str(term.datatype)
    if datatype is None or datatype == _XSD_STRING:
        return text
    if datatype == _LANG_STRING:
        raise UnsafeTerm("an rdf:langString literal needs a language tag")
    return f"{text}^^{sparql_iri(datatype)}"


def values_block(bindings: Bindings) -> str:
    """`VALUES (?a ?b) { (t1 t2) }` for one solution, every name and term checked."""
    names = []
    for name in bindings:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise UnsafeTerm(f"not a variable name: {name[:50]!r}")
        names.append(f"?{name}")
    terms = [sparql_term(value) for value in bindings.values()]
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


# -- query text -------------------------------------------------------------------------------

# The tokens that matter for finding a query's form and its WHERE clause; strings, IRIs and
# comments are matched whole so that nothing inside them is mistaken for one.
_TOKENS = re.compile(
    "|".join(
        (
            r'"""(?:[^"\\]|\\.|"(?!""))*"""',
            r"'''(?:[^'\\]|\\.|'(?!''))*'''",
            r'"(?:[^"\\\n\r]|\\.)*"',
            r"'(?:[^'\\\n\r]|\\.)*'",
            r'<[^<>"{}|^`\\\x00-\x20]*>',
            r"\#[^\n\r]*",
            r"(?<![\w:?$])(?P<keyword>SELECT|ASK|CONSTRUCT|DESCRIBE|WHERE|INSERT|DELETE|LOAD|CLEAR|CREATE|DROP"
            r"|COPY|MOVE|ADD|WITH)(?![\w:])",
            r"(?P<bracket>[{}()])",
        )
    ),
    re.IGNORECASE,
)
QUERY_FORMS = ("select", "ask", "construct", "describe")


def _significant(query: str) -> Iterator[tuple[str, int, int]]:
    """Keywords (lower case) and brackets with their spans."""
    for match in _TOKENS.finditer(query):
        if match.group("keyword"):
            yield match.group("keyword").lower(), match.start(), match.end()
        elif match.group("bracket"):
            yield match.group("bracket"), match.start(), match.end()


def query_form(query: str) -> str:
    """select, ask, construct or describe. An update is refused here (Virtuoso would run one
    sent as a query); text with no form at all is taken for a SELECT, so that the endpoint
    says what is wrong with it and where."""
    for token, _, _ in _significant(query):
        if token in QUERY_FORMS:
            return token
        if token not in "{}()" and token != "where":
            raise InvalidQuery("expected a SELECT, ASK, CONSTRUCT or DESCRIBE query, not an update")
    return "select"


def _matching(tokens: Sequence[tuple[str, int, int]], start: int) -> int:
    """The index of the `}` that closes the `{` at tokens[start]."""
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index][0] == "{":
            depth += 1
        elif tokens[index][0] == "}":
            depth -= 1
            if depth == 0:
                return index
    raise InvalidQuery("unbalanced braces in the query")


def bind(query: str, bindings: Bindings | None) -> str:
    """The query with its bindings as a VALUES block opening its WHERE clause.

    SPARQL 1.1 also allows a trailing VALUES clause, but Virtuoso 7 accepts one only after a
    SELECT, and it is joined after grouping and after the WHERE clause's filters ran, so a
    filter or an aggregate would not see the value. A VALUES block opening the WHERE clause
    is joined with the whole clause, its filters included, which is what the embedded store's
    substitution does; a filter inside a nested group still cannot see it."""
    if not bindings:
        return query
    values = values_block(bindings)
    tokens = list(_significant(query))
    form = next((i for i, (token, _, _) in enumerate(tokens) if token in QUERY_FORMS), None)
    if form is None:
        raise InvalidQuery("expected a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    position = form + 1
    if tokens[form][0] == "construct":
        opening = next((i for i in range(position, len(tokens)) if tokens[i][0] in ("{", "where")), None)
        if opening is not None and tokens[opening][0] == "where":
            # CONSTRUCT WHERE { T } is CONSTRUCT { T } WHERE { T }; only the long form takes VALUES.
            group = next(i for i in range(opening, len(tokens)) if tokens[i][0] == "{")
            close = _matching(tokens, group)
            template = query[tokens[group][2] : tokens[close][1]]
            keyword_end = tokens[form][2]
            return (
                f"{query[:keyword_end]} {{{template}}}{query[keyword_end : tokens[group][2]]} {values} "
                f"{query[tokens[group][2] :]}"
            )
        if opening is not None:
            position = _matching(tokens, opening) + 1
    depth = 0
    for index in range(position, len(tokens)):
        token = tokens[index][0]
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif token == "{" and depth == 0:
            at = tokens[index][2]
            return f"{query[:at]} {values} {query[at:]}"
    if tokens[form][0] == "describe":
        return f"{query} WHERE {{ {values} }}"
    raise InvalidQuery("the query has no WHERE clause to bind values in")


def _prologue() -> str:
    # On the query's first line, so the endpoint's line numbers in errors stay the user's.
    return "".join(f"PREFIX {name}: {sparql_iri(iri)} " for name, iri in PREFIXES.items())


# -- the store --------------------------------------------------------------------------------


class ReadWriteLock:
    """Many readers at once or one writer alone; a waiting writer goes before readers that
    come after it. A thread that holds the lock either way may take it again (a write that
    reads, a dump that pages)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writer: int | None = None
        self._writers_waiting = 0
        self._held = threading.local()

    def _holds(self) -> bool:
        return getattr(self._held, "reading", False) or self._writer == threading.get_ident()

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        if self._holds():
            yield
            return
        with self._changed:
            self._changed.wait_for(lambda: self._writer is None and self._writers_waiting == 0)
            self._readers += 1
        self._held.reading = True
        try:
            yield
        finally:
            self._held.reading = False
            with self._changed:
                self._readers -= 1
                self._changed.notify_all()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        if self._writer == threading.get_ident():
            yield
            return
        if self._holds():
            raise RuntimeError("a thread that reads cannot start writing")
        with self._changed:
            self._writers_waiting += 1
            try:
                self._changed.wait_for(lambda: self._writer is None and self._readers == 0)
            finally:
                self._writers_waiting -= 1
                self._changed.notify_all()  # readers held back by this waiting writer
            self._writer = threading.get_ident()
        try:
            yield
        finally:
            with self._changed:
                self._writer = None
                self._changed.notify_all()


class RemoteStore:
    """A `GraphStore` on a SPARQL 1.1 endpoint.

    `execute` (a user's query) refuses more than `max_results` rows or triples; so do
    `query`, `select`, `ask` and `construct` while `cap_reads` is set.

    Reads through this store never run while one of its writes does. A remote such as
    Virtuoso reads without a snapshot (read committed, row by row): one query could see the
    first triples of a write and not the rest, and a multi-operation update or a staged upload
    is several commits there. Writes by other clients of the remote are not covered.

    `update_url` None makes the store read-only. `default_graph` names the graph that stands
    for the store's default graph in the graph-store methods (Virtuoso has none of its own);
    None uses the endpoint's default graph through the DEFAULT keyword. `hidden_graphs` are
    the endpoint's own graphs (Virtuoso's system graphs): left out of named_graphs,
    triple_count and dump, and never written. Credentials go by HTTP basic or digest auth.
    """

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        user: str | None = None,
        password: str | None = None,
        auth: Choice["basic", "digest"] = "basic",
        timeout: float = 30.0,
        max_results: int = 100_000,
        default_graph: URIRef | None = None,
        hidden_graphs: Collection[str] = (),
        page_size: int = 10_000,
        batch_size: int = 1_000,
    ) -> None:
        self._query_url = query_url
        self._update_url = update_url
        self._credentials = (user, password) if user and password is not None else None
        self._auth = DIGEST if auth == "digest" else BASIC
        self.timeout = timeout
        self.max_results = max_results
        self.default_graph = default_graph
        self.hidden_graphs = frozenset(str(graph) for graph in hidden_graphs)
        self.page_size = page_size
        self.batch_size = batch_size
        self._prefixes = _prologue()
        self.cap_reads = True
        self.access = ReadWriteLock()

    def __repr__(self) -> str:
        # Never the URL or the credentials: a repr ends up in logs and tracebacks.
        return f"RemoteStore(read_only={self.read_only})"

    @property
    def read_only(self) -> bool:
        return self._update_url is None

    # -- HTTP ------------------------------------------------------------------------------

    def _wrapper(self, *, accept: str | None) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self._query_url, updateEndpoint=self._update_url)
        wrapper.setOnlyConneg(True)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        # SPARQLWrapper takes whole seconds and treats 0 as "no timeout".
        wrapper.setTimeout(max(1, math.ceil(self.timeout)))
        if self._credentials is not None:
            wrapper.setCredentials(*self._credentials)
            # Digest makes SPARQLWrapper install a process-wide urllib opener for this URL.
            wrapper.setHTTPAuth(self._auth)
        if accept is not None:
            wrapper.addCustomHttpHeader("Accept", accept)
        return wrapper

    def _send(
        self,
        text: str,
        *,
        update: bool,
        accept: str | None,
        parameters: Iterable[tuple[str, str]],
        whole: bool = True,
    ) -> tuple[bytes, Message]:
        wrapper = self._wrapper(accept=accept)
        for name, value in parameters:
            wrapper.addParameter(name, value)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SPARQLWrapper warns of query forms it cannot name
            wrapper.setQuery(self._prefixes + text)
        # SPARQLWrapper guesses query or update from the first keyword; the caller knows.
        wrapper.queryType = "INSERT" if update else "SELECT"
        try:
            with self.access.writing() if update else self.access.reading():
                response = wrapper.query().response
                body: bytes = response.read()
                headers: Message = response.info()
        except QueryBadFormed as error:
            logger.info("event=remote_rejected_query", exc_info=True)
            raise InvalidQuery(_remote_message(error)) from error
        except URITooLong as error:
            raise InvalidQuery("the query is too long for the remote store") from error
        except (Unauthorized, EndPointNotFound) as error:
            logger.error("event=remote_refused error=%s", type(error).__name__, exc_info=True)
            raise StoreUnavailable("the remote store refused the request: check its URL and credentials") from error
        except EndPointInternalError as error:
            message = _remote_message(error)
            if _TIMEOUT_WORDS.search(message):
                raise QueryTimeout(f"the remote store stopped the query: {message}") from error
            if _VIRTUOSO_QUERY_ERROR.match(message):
                # Virtuoso answers 500 to queries it compiled but cannot run (SR353: ORDER BY
                # past 10000 rows; SQ199: a request too large to compile).
                raise InvalidQuery(message) from error
            logger.error("event=remote_failed", exc_info=True)
            raise StoreUnavailable("the remote store failed to answer") from error
        except HTTPError as error:
            logger.error("event=remote_failed status=%s", error.code, exc_info=True)
            if error.code == 403:
                raise StoreUnavailable("the remote store refused the request: check its credentials") from error
            raise StoreUnavailable("the remote store failed to answer") from error
        except TimeoutError as error:
            raise self._timeout() from error
        except URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise self._timeout() from error
            logger.error("event=remote_unreachable", exc_info=True)
            raise StoreUnavailable("the remote store cannot be reached") from error
        except (HTTPException, OSError, ValueError, SPARQLWrapperException) as error:
            logger.error("event=remote_unreachable", exc_info=True)
            raise StoreUnavailable("the remote store cannot be reached") from error
        if (headers.get("X-SQL-State") or "").strip() == "S1TAT":
            # Virtuoso's "anytime" answer: a partial result of a query that ran out of time.
            raise self._timeout()
        if whole and headers.get("X-SPARQL-MaxRows"):
            # Virtuoso cut the result at its ResultSetMaxRows: never pass a cut result on.
            raise self._too_large()
        return body, headers

    def _timeout(self) -> QueryTimeout:
        return QueryTimeout(f"the query ran longer than {self.timeout:g} s")

    def _too_large(self) -> ResultTooLarge:
        return ResultTooLarge(
            f"the result has more than {self.max_results} rows or triples; narrow the query or add a LIMIT"
        )

    # -- queries ---------------------------------------------------------------------------

    def _ask_remote(
        self,
        query: str,
        bindings: Bindings | None,
        dataset: QueryDataset | None,
        *,
        capped: bool = True,
        whole: bool = True,
    ) -> QueryResult:
        """`capped`: refuse more than `max_results` rows or triples. `whole`: refuse a result
        the remote says it cut (a page asked for with LIMIT may end exactly at its cap)."""
        form = query_form(query)
        text = bind(query, bindings)
        parameters = [("default-graph-uri", str(g)) for g in (dataset.default_graphs if dataset else ())]
        parameters += [("named-graph-uri", str(g)) for g in (dataset.named_graphs if dataset else ())]
        if form in ("select", "ask"):
            body, headers = self._send(text, update=False, accept=ACCEPT_RESULTS, parameters=parameters, whole=whole)
            answer = self._read_results(body, headers)
            if isinstance(answer, bool) != (form == "ask"):
                raise StoreUnavailable("the remote store answered with another kind of result")
            if capped and isinstance(answer, SelectResult) and len(answer) > self.max_results:
                raise self._too_large()
            return answer
        body, headers = self._send(text, update=False, accept=ACCEPT_GRAPH, parameters=parameters, whole=whole)
        triples = self._read_graph(body, headers)
        if capped and len(triples) > self.max_results:
            raise self._too_large()
        return triples

    @staticmethod
    def _read_results(body: bytes, headers: Message) -> SelectResult | bool:
        media_type = headers.get_content_type()
        try:
            answer = parse_select(body, media_type if media_type in (RESULTS_JSON, RESULTS_XML) else RESULTS_JSON)
        except ResultsSyntaxError as error:
            logger.error("event=remote_unreadable media_type=%s", media_type, exc_info=True)
            raise StoreUnavailable("the remote store's answer could not be read") from error
        if isinstance(answer, bool):
            return answer
        rows = [{name: _from_remote(value) for name, value in row.items()} for row in answer.rows]
        return SelectResult(answer.variables, rows)

    @staticmethod
    def _read_graph(body: bytes, headers: Message) -> list[Triple]:
        media_type = headers.get_content_type()
        graph = rdflib.Graph()
        try:
            graph.parse(data=body, format=GRAPH_ANSWERS.get(media_type, "nt"))
        except Exception as error:  # rdflib's parsers raise many kinds
            logger.error("event=remote_unreadable media_type=%s", media_type, exc_info=True)
            raise StoreUnavailable("the remote store's answer could not be read") from error
        return [(s, p, cast(Term, _from_remote(o))) for s, p, o in _triples_of(graph)]

    def query(self, query: str, bindings: Bindings | None = None) -> QueryResult:
        return self._ask_remote(query, bindings, None, capped=self.cap_reads)

    def select(self, query: str, bindings: Bindings | None = None) -> SelectResult:
        if query_form(query) != "select":
            raise InvalidQuery("expected a SELECT query")
        answer = self._ask_remote(query, bindings, None, capped=self.cap_reads)
        assert isinstance(answer, SelectResult)
        return answer

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        if query_form(query) != "ask":
            raise InvalidQuery("expected an ASK query")
        answer = self._ask_remote(query, bindings, None, capped=self.cap_reads)
        assert isinstance(answer, bool)
        return answer

    def construct(self, query: str, bindings: Bindings | None = None) -> list[Triple]:
        if query_form(query) not in ("construct", "describe"):
            raise InvalidQuery("expected a CONSTRUCT or DESCRIBE query")
        answer = self._ask_remote(query, bindings, None, capped=self.cap_reads)
        assert isinstance(answer, list)
        return answer

    def execute(
        self,
        query: str,
        *,
        results_media_type: str | None,
        graph_media_type: str | None,
        dataset: QueryDataset | None = None,
    ) -> Serialized:
        form = query_form(query)
        # Refuse before asking the remote: the media type does not depend on the answer.
        if form in ("select", "ask"):
            media_type = _acceptable(results_media_type, RESULTS_MEDIA_TYPES, f"{form.upper()} results")
        else:
            media_type = _acceptable(graph_media_type, RDFLIB_FORMATS, "a graph")
        answer = self._ask_remote(query, None, dataset)
        if isinstance(answer, bool):
            return Serialized("ask", media_type, serialize_boolean(answer, media_type))
        if isinstance(answer, SelectResult):
            return Serialized("select", media_type, serialize_select(answer, media_type))
        return Serialized("graph", media_type, _write_graph(answer, media_type))

    def update(self, update: str, dataset: QueryDataset | None = None) -> None:
        parameters = [("using-graph-uri", str(g)) for g in (dataset.default_graphs if dataset else ())]
        parameters += [("using-named-graph-uri", str(g)) for g in (dataset.named_graphs if dataset else ())]
        self._update(update, parameters)

    def _update(self, text: str, parameters: Iterable[tuple[str, str]] = ()) -> None:
        if self.read_only:
            raise ReadOnly("the remote store is read-only: no SPARQL update endpoint is configured")
        self._send(text, update=True, accept=None, parameters=parameters)

    # -- graph store -----------------------------------------------------------------------

    def _target(self, graph: URIRef | None) -> str | None:
        """The IRI that holds `graph` (the stand-in for the default graph), None for DEFAULT."""
        if graph is None:
            return None if self.default_graph is None else str(self.default_graph)
        if str(graph) in self.hidden_graphs:
            raise ReadOnly(f"the graph {graph} belongs to the remote store itself")
        return str(graph)

    def has_graph(self, graph: URIRef | None) -> bool:
        if graph is None:
            return True
        if str(graph) in self.hidden_graphs:
            return False
        return self.ask("ASK WHERE { GRAPH ?graph { ?s ?p ?o } }", {"graph": graph})

    def graph_bytes(self, graph: URIRef | None, media_type: str) -> bytes:
        with self.access.reading():
            if not self.has_graph(graph):
                raise NotFound(f"no graph named {graph}")
            return _write_graph(list(self._graph_triples(self._target(graph))), media_type)

    def _graph_triples(self, graph: str | None) -> Iterator[Triple]:
        """Every triple of one graph, a page at a time, until a page comes back empty: an
        endpoint's row cap (Virtuoso's ResultSetMaxRows) then only makes the pages smaller.
        The order is set in a subquery and the page cut outside it, since Virtuoso refuses an
        ORDER BY whose LIMIT plus OFFSET passes 10000 rows (SR353)."""
        pattern = "?s ?p ?o" if graph is None else f"GRAPH {sparql_iri(graph)} {{ ?s ?p ?o }}"
        offset = 0
        while True:
            page_query = (
                f"SELECT ?s ?p ?o WHERE {{ {{ SELECT ?s ?p ?o WHERE {{ {pattern} }} ORDER BY ?s ?p ?o }} }} "
                f"LIMIT {self.page_size} OFFSET {offset}"
            )
            page = self._ask_remote(page_query, None, None, capped=False, whole=False)
            assert isinstance(page, SelectResult)
            if not page.rows:
                return
            for row in page.rows:
                yield row["s"], row["p"], row["o"]  # type: ignore[misc]
            offset += len(page.rows)

    def replace_graph(self, graph: URIRef | None, data: bytes, media_type: str) -> int:
        return self._upload(graph, data, media_type, replace=True)

    def add_to_graph(self, graph: URIRef | None, data: bytes, media_type: str) -> int:
        return self._upload(graph, data, media_type, replace=False)

    def _upload(self, graph: URIRef | None, data: bytes, media_type: str, *, replace: bool) -> int:
        """Parse first, so a malformed upload writes nothing. An upload of at most
        `batch_size` triples is one update request (the drop, for a replace, and the insert),
        which the endpoint applies as one. A larger one goes in batches into a staging graph
        and then into place with one MOVE (replace) or ADD request: Virtuoso compiles a
        request into one code vector of at most 32 KB (SQ199), a few thousand triples. While
        it is staged, other clients of the remote see the staged triples in its union default
        graph (reads through this store wait)."""
        target = self._target(graph)
        triples = _parse_upload(data, media_type)
        try:
            inserts = _inserts(target, triples, batch_size=None)
        except UnsafeTerm as error:
            raise ValidationFailed("the upload holds a term SPARQL cannot carry", [str(error)]) from error
        with self.access.writing():  # the parse above need not hold readers back
            if len(triples) <= self.batch_size:
                statements = ([_drop(target)] if replace else []) + inserts
                if statements:
                    self._update(" ;\n".join(statements))
                return len(triples)
            staging = f"urn:x-border21:staging:{uuid.uuid4()}"
            try:
                for statement in _inserts(staging, triples, batch_size=self.batch_size):
                    self._update(statement)
                into = "DEFAULT" if target is None else f"GRAPH {sparql_iri(target)}"
                if replace:
                    self._update(f"MOVE SILENT GRAPH {sparql_iri(staging)} TO {into}")
                else:
                    self._update(f"ADD SILENT GRAPH {sparql_iri(staging)} TO {into} ;\n{_drop(staging)}")
            except Border21Error:
                with contextlib.suppress(Border21Error):
                    self._update(_drop(staging))
                raise
            return len(triples)

    def drop_graph(self, graph: URIRef | None) -> None:
        with self.access.writing():
            if graph is not None and not self.has_graph(graph):
                raise NotFound(f"no graph named {graph}")
            self._update(_drop(self._target(graph)))

    def load_file(self, path: Path, graph: URIRef, media_type: str = TURTLE) -> None:
        self.add_triples(graph, _parse_upload(path.read_bytes(), media_type))

    def add_triples(self, graph: URIRef, triples: Iterable[Triple]) -> int:
        """Add triples in batches of `batch_size`, one update request each; the triples with
        blank nodes go together in one request, so each blank node stays one node."""
        with self.access.writing():
            target = self._target(graph)
            given = list(triples)
            for statement in _inserts(target, given, batch_size=self.batch_size):
                self._update(statement)
            return len(given)

    def contains(self, triple: Triple) -> bool:
        subject, predicate, obj = triple
        # The default graph and every named graph, whether or not the default is their union.
        return self.ask(
            "ASK WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }", {"s": subject, "p": predicate, "o": obj}
        )

    def scan(self, scans: list[Scan]) -> Scanned:
        scanned = Scanned()
        with self.access.reading():  # one state for every scan
            for scan in scans:
                scanned.add(self._scan(scan))
        return scanned

    def _scan(self, scan: Scan) -> set[tuple[str, str]]:
        bindings: dict[str, Term] = {"p": scan.predicate}
        if scan.object is not None:
            bindings["o"] = scan.object
        query = "SELECT DISTINCT ?p ?o ?s WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        answer = self._ask_remote(query, bindings, None, capped=False)
        assert isinstance(answer, SelectResult)
        pairs = set()
        for row in answer.rows:
            subject, value = row["s"], row["o"]
            if not isinstance(subject, URIRef):
                continue
            if scan.datatype is None:
                wanted_kind = isinstance(value, URIRef)
            else:
                wanted_kind = isinstance(value, Literal) and value.datatype == scan.datatype
            if wanted_kind:
                pairs.add((str(subject), str(value)))
        return pairs

    # -- inspection and export -------------------------------------------------------------

    def _graphs(self) -> list[URIRef]:
        rows = self._rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        graphs = {row["g"] for row in rows if isinstance(row["g"], URIRef)}
        return sorted(g for g in graphs if str(g) not in self.hidden_graphs)

    def named_graphs(self) -> list[URIRef]:
        return [g for g in self._graphs() if g != self.default_graph]

    def triple_count(self, graph: URIRef | None = None) -> int:
        if graph is not None:
            if str(graph) in self.hidden_graphs:
                return 0
            rows = self._rows("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } }", {"graph": graph})
            return int(rows[0]["n"] or 0)
        rows = self._rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return sum(int(row["n"] or 0) for row in rows if str(row["g"]) not in self.hidden_graphs)

    def _rows(self, query: str, bindings: Bindings | None = None) -> list[dict[str, Term | None]]:
        """The rows of one of the store's own bookkeeping queries, which max_results does not cap."""
        answer = self._ask_remote(query, bindings, None, capped=False, whole=False)
        assert isinstance(answer, SelectResult)
        return answer.rows

    def dump(self, out: BinaryIO, media_type: str) -> None:
        with self.access.reading():
            if media_type not in RDFLIB_FORMATS:
                raise NotAcceptable(f"the dataset cannot be written as {media_type}")
            graphs = self._graphs()
            if media_type in DATASET_FORMATS:
                dataset = rdflib.Dataset()
                _bind_prefixes(dataset)
                for graph in graphs:
                    into = dataset.default_graph if graph == self.default_graph else dataset.graph(graph)
                    for triple in self._graph_triples(str(graph)):
                        into.add(triple)
                out.write(dataset.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8"))
                return
            union = rdflib.Graph()
            for graph in graphs:
                for triple in self._graph_triples(str(graph)):
                    union.add(triple)
            out.write(_write_graph(_triples_of(union), media_type))

    def flush(self) -> None:
        """Nothing to do: every update is applied when its request returns."""

    def close(self) -> None:
        """Nothing to do: no connection outlives a request."""


# -- helpers ----------------------------------------------------------------------------------

# Errors in what was asked, not in the store: data exceptions (SQLSTATE class 22), syntax
# (37000) and the SPARQL compiler's and runtime's own codes.
_VIRTUOSO_QUERY_ERROR = re.compile(r"Virtuoso (22\w{3}|37000) Error|Virtuoso \w+ Error (SR|SQ|SP)\d+:")
_TIMEOUT_WORDS = re.compile(r"S1T00|S1TAT|timed? ?out|timeout|estimated execution time", re.IGNORECASE)


def _remote_message(error: SPARQLWrapperException) -> str:
    """The endpoint's own words from a SPARQLWrapper error, without the query it echoes."""
    text = str(error)
    _, marker, tail = text.partition("Response:\n")
    body = ""
    if marker:
        try:
            raw = ast.literal_eval(tail.strip())
            body = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        except (ValueError, SyntaxError):
            body = ""
    body = body.split("\n\nSPARQL query:", 1)[0]  # Virtuoso echoes the whole query
    body = " ".join(body.split())
    return body[:1000] or "the remote store refused the query"


def _from_remote(term: Term | None) -> Term | None:
    if isinstance(term, BNode) and str(term).startswith(_VIRTUOSO_BNODE):
        return BNode(str(term)[len(_VIRTUOSO_BNODE) :])
    return term


def _acceptable(media_type: str | None, supported: Collection[str], what: str) -> str:
    if media_type is None or media_type not in supported:
        raise NotAcceptable(f"none of the accepted media types can represent {what}")
    return media_type


def _bind_prefixes(graph: rdflib.Graph) -> None:
    for name, iri in PREFIXES.items():
        graph.bind(name, iri, override=True, replace=True)


def _write_graph(triples: Iterable[Triple], media_type: str) -> bytes:
    """Triples in an RDF format; N-Quads and TriG hold them in the default graph."""
    graph = rdflib.Graph()
    for triple in triples:
        graph.add(triple)
    if media_type in (TURTLE, TRIG):
        _bind_prefixes(graph)
    # A graph's triples as N-Quads are N-Triples, and as TriG are Turtle.
    rdflib_format = {NQUADS: "nt", TRIG: "turtle"}.get(media_type, RDFLIB_FORMATS[media_type])
    return graph.serialize(format=rdflib_format, encoding="utf-8")


def _parse_upload(data: bytes, media_type: str) -> list[Triple]:
    if media_type not in RDFLIB_FORMATS or media_type in DATASET_FORMATS:
        raise ValidationFailed(f"cannot load {media_type} into a graph", [f"unsupported media type {media_type}"])
    graph = rdflib.Graph()
    try:
        graph.parse(data=data, format=RDFLIB_FORMATS[media_type])
    except Exception as error:  # rdflib's parsers raise many kinds, all meaning "not valid RDF"
        raise ValidationFailed("the upload is not valid RDF", [f"{media_type}: {error}"]) from error
    return _triples_of(graph)


def _triples_of(graph: rdflib.Graph) -> list[Triple]:
    return cast(list[Triple], list(graph))


def _drop(target: str | None) -> str:
    return "DROP SILENT DEFAULT" if target is None else f"DROP SILENT GRAPH {sparql_iri(target)}"


def _inserts(target: str | None, triples: Sequence[Triple], *, batch_size: int | None) -> list[str]:
    """Update statements that add `triples` to the target graph: INSERT DATA for the triples
    without blank nodes (in batches), one INSERT { } WHERE { } for those with blank nodes."""
    plain = [t for t in triples if not any(isinstance(term, BNode) for term in t)]
    blank = [t for t in triples if any(isinstance(term, BNode) for term in t)]
    size = batch_size or max(len(plain), 1)
    statements = [
        f"INSERT DATA {{ {_in_graph(target, _triples_text(plain[i : i + size], {}))} }}"
        for i in range(0, len(plain), size)
    ]
    if blank:
        labels: dict[BNode, str] = {}
        statements.append(f"INSERT {{ {_in_graph(target, _triples_text(blank, labels))} }} WHERE {{ }}")
    return statements


def _in_graph(target: str | None, body: str) -> str:
    return body if target is None else f"GRAPH {sparql_iri(target)} {{ {body} }}"


def _triples_text(triples: Iterable[Triple], labels: dict[BNode, str]) -> str:
    def term(value: Term) -> str:
        if isinstance(value, BNode):
            return "_:b" + labels.setdefault(value, str(len(labels)))
        return sparql_term(value)

    return "\n".join(f"{term(s)} {term(p)} {term(o)} ." for s, p, o in triples)
