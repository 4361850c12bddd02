"""The remote store: its one escaping function, how it binds values, how it reads a real
Virtuoso, and what it makes of an endpoint that fails (a small stub server)."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from service.config import Settings
from service.errors import InvalidQuery, NotFound, QueryTimeout, ReadOnly, ResultTooLarge, StoreUnavailable
from service.store.base import NTRIPLES, RESULTS_JSON, TRIG, TURTLE, QueryDataset, SelectResult
from service.store.remote import RemoteStore, UnsafeTerm, bind, query_form, sparql_term, values_block
from service.store.served import RemoteService
from tests.store.virtuoso import VIRTUOSO_DEFAULT_GRAPH, Virtuoso, remote_store, running_virtuoso

EX = rdflib.Namespace("https://example.org/")
G1, G2 = EX["g1"], EX["g2"]
SECRET = "s3cret-password"


# -- sparql_term --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "written"),
    [
        (EX["a?b=c&d=%20#frag"], "<https://example.org/a?b=c&d=%20#frag>"),
        (URIRef("urn:isbn:0451450523"), "<urn:isbn:0451450523>"),
        (Literal("plain"), '"plain"'),
        (Literal("typed", datatype=XSD.string), '"typed"'),
        (Literal("chat", lang="fr-BE"), '"chat"@fr-BE'),
        (Literal(5), f'"5"^^<{XSD.integer}>'),
        (Literal('q"uote', lang="en"), '"q\\"uote"@en'),
        (Literal("a\\b\nc\rd\te"), '"a\\\\b\\nc\\rd\\te"'),
        (Literal("} UNION { ?s ?p ?o } #"), '"} UNION { ?s ?p ?o } #"'),
        (Literal("\\u0022"), '"\\\\u0022"'),
        (Literal("Zürich 中文 😀"), '"Zürich 中文 😀"'),
        (Literal("x", datatype=EX["dt#1"]), '"x"^^<https://example.org/dt#1>'),
    ],
)
def test_sparql_term_writes_valid_escaped_syntax(term: Literal | URIRef, written: str) -> None:
    assert sparql_term(term) == written
    # The reference parser reads it back as the same term.
    solutions = ox.Store().query(f"SELECT ?x WHERE {{ VALUES ?x {{ {written} }} }}")
    assert isinstance(solutions, ox.QuerySolutions)
    [solution] = list(solutions)
    value = solution["x"]
    assert value is not None
    assert str(value.value) == str(term)


@pytest.mark.parametrize(
    "iri",
    [
        "https://example.org/a> } UNION { ?s ?p ?o } #",
        "https://example.org/a b",
        'https://example.org/"',
        "https://example.org/{x}",
        "https://example.org/a|b",
        "https://example.org/a^b",
        "https://example.org/a`b",
        "https://example.org/a\\u003E",
        "https://example.org/a\nb",
        "https://example.org/<",
        "relative/path",
        "",
    ],
)
def test_sparql_term_refuses_iris_that_could_break_out(iri: str) -> None:
    with pytest.raises(UnsafeTerm):
        sparql_term(URIRef(iri))
    with pytest.raises(UnsafeTerm):
        sparql_term(Literal("x", datatype=URIRef(iri)))


def test_sparql_term_refuses_blank_nodes_and_bad_language_tags() -> None:
    with pytest.raises(UnsafeTerm, match="blank node"):
        sparql_term(BNode("b0"))
    bad = Literal("x", lang="en")
    object.__setattr__(bad, "_language", 'en" } UNION { ?s ?p ?o } #')  # rdflib itself refuses it
    with pytest.raises(UnsafeTerm, match="language tag"):
        sparql_term(bad)
    with pytest.raises(UnsafeTerm, match="langString"):
        sparql_term(Literal("x", datatype=RDF.langString))


def test_values_block_checks_variable_names() -> None:
    assert values_block({"a": EX.a, "b": Literal("b")}) == f'VALUES (?a ?b) {{ (<{EX.a}> "b") }}'
    with pytest.raises(UnsafeTerm):
        values_block({"x) { } SELECT * WHERE { ?s ?p ?o } #": EX.a})


# -- bind -------------------------------------------------------------------------------------

DATA = [
    ox.Quad(ox.NamedNode(EX.a), ox.NamedNode(str(RDFS.label)), ox.Literal("A")),
    ox.Quad(ox.NamedNode(EX.b), ox.NamedNode(str(RDFS.label)), ox.Literal("B")),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }", 1),
        ("SELECT * { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }", 1),
        ("select ?s ?l where { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }", 1),
        (
            "SELECT ?s (EXISTS { ?s ?p 'x{' } AS ?x) ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
            1,
        ),
        ("# a comment with { braces\nSELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }", 1),
        (
            "PREFIX select: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?s ?l WHERE { ?s select:label ?l }",
            1,
        ),
        ("SELECT ?s ?l WHERE { { SELECT ?s ?l WHERE { ?s ?p ?l } } }", 1),
        ("SELECT ?s ?l WHERE { ?s ?p ?l FILTER(?l != '}') }", 1),
        ("SELECT ?l (COUNT(*) AS ?n) WHERE { ?s ?p ?l } GROUP BY ?l", 1),
        ("ASK { ?s ?p ?l }", True),
        ("ASK FROM <urn:x:none> WHERE { ?s ?p ?l }", False),
        ("CONSTRUCT { ?s <urn:x:p> ?l } WHERE { ?s ?p ?l }", 1),
        ("CONSTRUCT { ?s <urn:x:p> '{' } WHERE { ?s ?p ?l }", 1),
        ("CONSTRUCT WHERE { ?s ?p ?l }", 1),
        ("DESCRIBE ?s WHERE { ?s ?p ?l }", 1),
    ],
)
def test_bound_queries_parse_and_match_only_the_value(query: str, expected: object) -> None:
    store = ox.Store()
    store.extend(DATA)
    bound = bind(query, {"l": Literal("A")})
    answer = store.query(bound)
    if isinstance(answer, ox.QueryBoolean):
        assert bool(answer) is expected
    else:
        assert len(list(answer)) == expected


def test_describe_without_where_gets_one() -> None:
    bound = bind("DESCRIBE ?s", {"s": EX.a})
    assert bound == f"DESCRIBE ?s WHERE {{ VALUES (?s) {{ (<{EX.a}>) }} }}"
    store = ox.Store()
    store.extend(DATA)
    assert len(list(store.query(bound))) == 1  # type: ignore[arg-type]


def test_nothing_to_bind_leaves_the_query_alone() -> None:
    assert bind("SELECT * WHERE { ?s ?p ?o }", None) == "SELECT * WHERE { ?s ?p ?o }"
    assert bind("SELECT * WHERE { ?s ?p ?o }", {}) == "SELECT * WHERE { ?s ?p ?o }"


def test_query_form() -> None:
    assert query_form("PREFIX ask: <urn:x:> SELECT ?ask WHERE { ?s ask:construct ?ask }") == "select"
    assert query_form("# SELECT\nCONSTRUCT WHERE { ?s ?p ?o }") == "construct"
    assert query_form("SELEKT ?s WHERE { }") == "select"  # for the endpoint to say what is wrong
    with pytest.raises(InvalidQuery, match="update"):
        query_form("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }")
    with pytest.raises(InvalidQuery, match="update"):
        query_form("WITH <urn:x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")


# -- against Virtuoso -----------------------------------------------------------------------------


@pytest.fixture
def filled(virtuoso_store: RemoteStore) -> RemoteStore:
    virtuoso_store.add_triples(G1, [(EX.a, RDFS.label, Literal("Alpha", lang="en")), (EX.a, EX.n, Literal(1))])
    virtuoso_store.add_triples(G2, [(EX.b, RDFS.label, Literal("Beta", lang="en")), (EX.a, EX.knows, EX.b)])
    return virtuoso_store


@pytest.mark.slow
def test_virtuoso_says_where_a_query_is_wrong_without_echoing_it(filled: RemoteStore) -> None:
    with pytest.raises(InvalidQuery) as caught:
        filled.select("SELECT ?s\nWHERE {\n  ?s ?p ?o SELEKT\n}")
    message = str(caught.value)
    assert "line 3" in message
    assert "SPARQL query:" not in message and "PREFIX" not in message


@pytest.mark.slow
def test_updates_run_on_a_protocol_dataset(filled: RemoteStore) -> None:
    filled.update(
        f"INSERT {{ GRAPH <{EX.g3}> {{ ?s <{EX.seen}> true }} }} WHERE {{ ?s ?p ?o }}",
        QueryDataset(default_graphs=(G2,)),
    )
    rows = filled.select(f"SELECT ?s WHERE {{ GRAPH <{EX.g3}> {{ ?s ?p ?o }} }} ORDER BY ?s").rows
    assert [row["s"] for row in rows] == [EX.a, EX.b]


@pytest.mark.slow
def test_blank_nodes_come_back_as_plain_labels(virtuoso_store: RemoteStore) -> None:
    virtuoso_store.add_triples(G1, [(BNode(), EX.p, Literal("x"))])
    [row] = virtuoso_store.select(f"SELECT ?b WHERE {{ ?b <{EX.p}> 'x' }}").rows
    assert isinstance(row["b"], BNode) and not str(row["b"]).startswith("nodeID:")
    [(subject, _, _)] = virtuoso_store.construct(f"CONSTRUCT WHERE {{ ?b <{EX.p}> 'x' }}")
    assert isinstance(subject, BNode)


@pytest.mark.slow
def test_a_result_above_max_results_is_refused_not_cut(
    virtuoso: Virtuoso, virtuoso_system_graphs: frozenset[str], filled: RemoteStore
) -> None:
    small = remote_store(virtuoso, virtuoso_system_graphs, max_results=3)
    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g IN (<{G1}>, <{G2}>)) }}"
    with pytest.raises(ResultTooLarge):
        small.select(query)
    with pytest.raises(ResultTooLarge):
        small.execute(query, results_media_type=RESULTS_JSON, graph_media_type=None)
    with pytest.raises(ResultTooLarge):
        small.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g IN (<{G1}>, <{G2}>)) }}")
    assert len(small.select(query + " LIMIT 3")) == 3
    # The graph-store reads page through a graph, so they are not capped.
    assert small.triple_count() == 4
    assert len(rdflib.Graph().parse(data=small.graph_bytes(G1, NTRIPLES), format="nt")) == 2


@pytest.mark.slow
def test_the_endpoints_own_row_cap_is_too_large_and_pages_get_past_it(tmp_path: Path) -> None:
    """Virtuoso cuts a SELECT at its ResultSetMaxRows and says so in X-SPARQL-MaxRows."""
    with running_virtuoso(tmp_path, max_rows=5) as capped:
        store = RemoteStore(capped.sparql_url, capped.sparql_url, page_size=5)
        triples = [(EX[f"s{n}"], EX.p, Literal(n)) for n in range(12)]
        store.add_triples(G1, triples)
        with pytest.raises(ResultTooLarge):
            store.select(f"SELECT * WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")
        graph = rdflib.Graph().parse(data=store.graph_bytes(G1, NTRIPLES), format="nt")
        assert set(graph) == set(triples)


@pytest.mark.slow
def test_graph_store_writes_and_reads_the_default_graph_stand_in(virtuoso_store: RemoteStore) -> None:
    virtuoso_store.replace_graph(None, b"<https://example.org/d> <https://example.org/p> 'x' .", TURTLE)
    assert virtuoso_store.named_graphs() == []
    assert virtuoso_store.triple_count(VIRTUOSO_DEFAULT_GRAPH) == 1
    out = io.BytesIO()
    virtuoso_store.dump(out, TRIG)
    dataset = rdflib.Dataset()
    dataset.parse(data=out.getvalue(), format="trig")
    assert set(dataset.default_graph) == {(EX.d, EX.p, Literal("x"))}


@pytest.mark.slow
def test_system_graphs_are_hidden_and_never_written(
    virtuoso_store: RemoteStore, virtuoso_system_graphs: frozenset[str]
) -> None:
    assert virtuoso_system_graphs, "a fresh Virtuoso holds system graphs"
    system = URIRef(sorted(virtuoso_system_graphs)[0])
    assert system not in virtuoso_store.named_graphs()
    assert not virtuoso_store.has_graph(system)
    with pytest.raises(NotFound):
        virtuoso_store.graph_bytes(system, TURTLE)
    with pytest.raises(ReadOnly):
        virtuoso_store.replace_graph(system, b"", TURTLE)
    with pytest.raises(ReadOnly):
        virtuoso_store.add_triples(system, [(EX.a, EX.b, EX.c)])
    assert virtuoso_store.triple_count() == 0


@pytest.mark.slow
def test_digest_credentials(virtuoso: Virtuoso, filled: RemoteStore) -> None:
    url = virtuoso.sparql_url + "-auth"
    store = RemoteStore(url, url, user="dba", password=virtuoso.password, auth="digest")
    assert store.ask(f"ASK {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")
    wrong = RemoteStore(url, url, user="dba", password=SECRET, auth="digest")
    with pytest.raises(StoreUnavailable) as caught:
        wrong.ask("ASK { ?s ?p ?o }")
    assert_no_internals(str(caught.value), url)


def test_a_read_only_store_refuses_writes_before_sending_anything() -> None:
    store = RemoteStore("http://127.0.0.1:9/sparql")
    assert store.read_only
    with pytest.raises(ReadOnly, match="read-only"):
        store.update("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }")
    with pytest.raises(ReadOnly):
        store.add_triples(G1, [(EX.a, EX.b, EX.c)])
    with pytest.raises(ReadOnly):
        store.replace_graph(G1, b"<urn:x:a> <urn:x:b> <urn:x:c> .", NTRIPLES)


# -- an endpoint that fails -------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: bytes = b'{"head": {"vars": []}, "results": {"bindings": []}}'
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": RESULTS_JSON})
    delay: float = 0.0


class Stub:
    """An HTTP server that answers every request with `reply`."""

    def __init__(self) -> None:
        self.reply = Reply()
        self.requests: list[bytes] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                stub.requests.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                time.sleep(stub.reply.delay)
                try:
                    self.send_response(stub.reply.status)
                    for name, value in stub.reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(stub.reply.body)))
                    self.end_headers()
                    self.wfile.write(stub.reply.body)
                except OSError:
                    pass  # the client gave up

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub() -> Iterator[Stub]:
    server = Stub()
    yield server
    server.close()


def stub_store(stub: Stub, **options: object) -> RemoteStore:
    return RemoteStore(stub.url, stub.url, user="reader", password=SECRET, **options)  # type: ignore[arg-type]


def assert_no_internals(message: str, url: str) -> None:
    assert url not in message and "127.0.0.1" not in message
    assert SECRET not in message and "reader" not in message


def test_a_remote_400_is_an_invalid_query_in_the_remotes_words(stub: Stub) -> None:
    stub.reply = Reply(400, b"Parse error: line 1, column 3: unexpected SELEKT", {"Content-Type": "text/plain"})
    with pytest.raises(InvalidQuery, match="unexpected SELEKT"):
        stub_store(stub).select("SELEKT * WHERE { }")


def test_a_slow_remote_is_a_timeout(stub: Stub) -> None:
    stub.reply = Reply(delay=3.0)
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as caught:
        stub_store(stub, timeout=1).select("SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - started < 2.9
    assert_no_internals(str(caught.value), stub.url)


def test_virtuosos_anytime_partial_result_is_a_timeout(stub: Stub) -> None:
    stub.reply = Reply(headers={"Content-Type": RESULTS_JSON, "X-SQL-State": "S1TAT"})
    with pytest.raises(QueryTimeout):
        stub_store(stub).select("SELECT * WHERE { ?s ?p ?o }")


def test_virtuosos_row_cap_is_too_large(stub: Stub) -> None:
    stub.reply = Reply(headers={"Content-Type": RESULTS_JSON, "X-SPARQL-MaxRows": "10000"})
    with pytest.raises(ResultTooLarge):
        stub_store(stub).select("SELECT * WHERE { ?s ?p ?o }")


FIVE_ROWS = (
    b'{"head": {"vars": ["n"]}, "results": {"bindings": ['
    + b",".join(b'{"n": {"type": "literal", "value": "%d"}}' % n for n in range(5))
    + b"]}}"
)


def test_the_services_own_reads_are_not_capped_but_a_users_query_is(stub: Stub) -> None:
    """As on the embedded store: the service's reads (every link on a date) grow with the
    data, so only `execute`, a user's query, is held to max_results."""
    settings = Settings(backend="sparql", query_url=stub.url, update_url=stub.url, max_results=3)  # type: ignore[call-arg]
    service = RemoteService(settings)
    stub.reply = Reply(body=FIVE_ROWS)
    assert len(service.select("SELECT ?n WHERE { ?s ?p ?n }")) == 5
    with pytest.raises(ResultTooLarge):
        service.execute("SELECT ?n WHERE { ?s ?p ?n }", results_media_type=RESULTS_JSON, graph_media_type=None)
    with pytest.raises(ResultTooLarge):  # a plain remote store caps every read
        stub_store(stub, max_results=3).select("SELECT ?n WHERE { ?s ?p ?n }")
    # a result the remote cut is refused all the same: never a silently partial answer
    stub.reply = Reply(body=FIVE_ROWS, headers={"Content-Type": RESULTS_JSON, "X-SPARQL-MaxRows": "5"})
    with pytest.raises(ResultTooLarge):
        service.select("SELECT ?n WHERE { ?s ?p ?n }")


@pytest.mark.parametrize("status", [401, 403, 404, 500, 502, 503])
def test_remote_failures_are_unavailable_without_internals(stub: Stub, status: int) -> None:
    stub.reply = Reply(status, f"boom at {stub.url} for reader:{SECRET}".encode(), {"Content-Type": "text/plain"})
    with pytest.raises(StoreUnavailable) as caught:
        stub_store(stub).select("SELECT * WHERE { ?s ?p ?o }")
    assert_no_internals(str(caught.value), stub.url)


def test_an_unreadable_answer_is_unavailable(stub: Stub) -> None:
    stub.reply = Reply(body=b"<html>proxy error</html>", headers={"Content-Type": "text/html"})
    with pytest.raises(StoreUnavailable, match="could not be read"):
        stub_store(stub).select("SELECT * WHERE { ?s ?p ?o }")


def test_an_unreachable_remote_is_unavailable_without_internals() -> None:
    url = "http://127.0.0.1:9/sparql"  # the discard port: nothing listens
    with pytest.raises(StoreUnavailable) as caught:
        RemoteStore(url, user="reader", password=SECRET).select("SELECT * WHERE { ?s ?p ?o }")
    assert_no_internals(str(caught.value), url)
    assert SECRET not in repr(RemoteStore(url, user="reader", password=SECRET))


def test_requests_carry_the_bindings_and_dataset_as_the_protocol_says(stub: Stub) -> None:
    from urllib.parse import parse_qs

    store = stub_store(stub)
    answer = store.execute(
        "SELECT * WHERE { ?s ?p ?o }",
        results_media_type=RESULTS_JSON,
        graph_media_type=None,
        dataset=QueryDataset(default_graphs=(G1,), named_graphs=(G2,)),
    )
    assert answer.form == "select"
    store.update("CLEAR SILENT GRAPH <urn:x:g>", QueryDataset(default_graphs=(G1,), named_graphs=(G2,)))
    query, update = (parse_qs(body.decode()) for body in stub.requests)
    assert query["default-graph-uri"] == [str(G1)] and query["named-graph-uri"] == [str(G2)]
    assert query["query"][0].endswith("SELECT * WHERE { ?s ?p ?o }")
    assert update["using-graph-uri"] == [str(G1)] and update["using-named-graph-uri"] == [str(G2)]
    assert "output" not in query and "format" not in query


def test_select_parses_what_the_remote_sends(stub: Stub) -> None:
    stub.reply = Reply(
        body=b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "bnode", "value": "nodeID://b7"}}]}}'
    )
    assert stub_store(stub).select("SELECT ?s WHERE { ?s ?p ?o }") == SelectResult(["s"], [{"s": BNode("b7")}])


@pytest.mark.slow
def test_paging_gets_past_virtuosos_sorted_row_limit(
    virtuoso: Virtuoso, virtuoso_system_graphs: frozenset[str], virtuoso_store: RemoteStore
) -> None:
    """Virtuoso refuses ORDER BY ... LIMIT n OFFSET k with n + k above 10000 (SR353)."""
    triples = [(EX[f"s{n:05d}"], EX.p, Literal(n)) for n in range(10_050)]
    store = remote_store(virtuoso, virtuoso_system_graphs, page_size=4_000)
    assert store.add_triples(G1, triples) == len(triples)
    graph = rdflib.Graph().parse(data=store.graph_bytes(G1, NTRIPLES), format="nt")
    assert len(graph) == len(triples) and set(graph) == set(triples)


@pytest.mark.slow
@pytest.mark.parametrize("replace", [True, False])
def test_a_large_upload_is_staged_then_moved_into_place(virtuoso_store: RemoteStore, replace: bool) -> None:
    """Virtuoso cannot take thousands of triples in one update request (SQ199)."""
    virtuoso_store.add_triples(G1, [(EX.old, EX.p, Literal("old"))])
    data = "".join(f"<https://example.org/s{n}> <https://example.org/p> {n} .\n" for n in range(3_500)).encode()
    write = virtuoso_store.replace_graph if replace else virtuoso_store.add_to_graph
    assert write(G1, data, TURTLE) == 3_500
    assert virtuoso_store.triple_count(G1) == 3_500 + (0 if replace else 1)
    assert virtuoso_store.named_graphs() == [G1]  # no staging graph left behind


def test_a_small_upload_is_one_request(stub: Stub) -> None:
    data = "".join(f"<https://example.org/s{n}> <https://example.org/p> {n} .\n" for n in range(500)).encode()
    stub_store(stub).replace_graph(G1, data, TURTLE)
    [request] = stub.requests
    assert b"DROP+SILENT+GRAPH" in request and b"INSERT+DATA" in request


def test_virtuosos_run_time_query_errors_are_invalid_queries(stub: Stub) -> None:
    body = (
        b"Virtuoso 22023 Error SR353: Sorted TOP clause specifies more then 10002 rows to sort.\n\nSPARQL query:\n..."
    )
    stub.reply = Reply(500, body, {"Content-Type": "text/plain"})
    with pytest.raises(InvalidQuery, match="SR353") as caught:
        stub_store(stub).select("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 10 OFFSET 20000")
    assert "SPARQL query" not in str(caught.value)
