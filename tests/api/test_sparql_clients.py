"""Researchers' own tools, pointed at a real server's /sparql: SPARQLWrapper and rdflib's
SPARQLStore / SPARQLUpdateStore."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import JSON, N3, POST, POSTDIRECTLY, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, Unauthorized

from tests.api.conftest import TOKEN, TOKENS, copy_store
from tests.conftest import Server

pytestmark = pytest.mark.slow

B21 = "https://w3id.org/border21/ontology#"
STATE_AA = URIRef("https://w3id.org/border21/id/state/aa")
NOTE = (
    "INSERT DATA { GRAPH <https://example.org/notes> "
    "{ <https://example.org/n1> <http://www.w3.org/2000/01/rdf-schema#label> 'note'@en } }"
)


@pytest.fixture(scope="module")
def server(built_store: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    store = copy_store(built_store, tmp_path_factory.mktemp("clients") / "store")
    running = Server(store, {"BORDER21_TOKENS": TOKENS})
    running.wait_until_up()
    yield running
    running.stop()


def wrapper(server: Server) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setTimeout(30)
    return client


def test_sparqlwrapper_select(server: Server) -> None:
    client = wrapper(server)
    client.setQuery(f"SELECT ?code WHERE {{ ?s <{B21}isoCode> ?code }} ORDER BY ?code")
    client.setReturnFormat(JSON)
    bindings = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index,call-overload]
    assert [b["code"]["value"] for b in bindings] == ["AA", "BB"]


def test_sparqlwrapper_select_by_post(server: Server) -> None:
    client = wrapper(server)
    client.setMethod(POST)
    client.setQuery("SELECT ?s WHERE { ?s a b21:State }")
    client.setReturnFormat(JSON)
    assert len(client.queryAndConvert()["results"]["bindings"]) == 2  # type: ignore[index,call-overload]


def test_sparqlwrapper_ask(server: Server) -> None:
    client = wrapper(server)
    client.setQuery("ASK { ?s a b21:State }")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is True  # type: ignore[index,call-overload]


@pytest.mark.parametrize("form", ["CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o . FILTER (?s = <%s>) }", "DESCRIBE <%s>"])
def test_sparqlwrapper_graph_queries(server: Server, form: str) -> None:
    client = wrapper(server)
    client.setQuery(form % STATE_AA)
    client.setReturnFormat(N3)
    graph = rdflib.Graph().parse(data=client.queryAndConvert(), format="turtle")  # type: ignore[arg-type]
    assert (STATE_AA, URIRef(f"{B21}isoCode"), Literal("AA")) in graph


def test_sparqlwrapper_reports_a_malformed_query(server: Server) -> None:
    client = wrapper(server)
    client.setQuery("SELECT ?s WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed):
        client.query()


def test_sparqlwrapper_update_with_and_without_a_token(server: Server) -> None:
    client = wrapper(server)
    client.setMethod(POST)
    client.setRequestMethod(POSTDIRECTLY)
    client.setQuery(NOTE)
    with pytest.raises(Unauthorized):
        client.query()
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    client.query()
    check = wrapper(server)
    check.setQuery("ASK { GRAPH <https://example.org/notes> { <https://example.org/n1> ?p ?o } }")
    check.setReturnFormat(JSON)
    assert check.queryAndConvert()["boolean"] is True  # type: ignore[index,call-overload]


def test_rdflib_sparqlstore_runs_every_query_form(server: Server) -> None:
    graph = rdflib.Graph(store=SPARQLStore(f"{server.url}/sparql"))
    rows = list(graph.query(f"SELECT ?code WHERE {{ ?s <{B21}isoCode> ?code }} ORDER BY ?code"))
    assert [str(row.code) for row in rows] == ["AA", "BB"]  # type: ignore[union-attr]
    assert graph.query(f"ASK {{ <{STATE_AA}> ?p ?o }}").askAnswer is True
    constructed = graph.query(f"CONSTRUCT {{ <{STATE_AA}> ?p ?o }} WHERE {{ <{STATE_AA}> ?p ?o }}").graph
    assert constructed is not None and (STATE_AA, URIRef(f"{B21}isoCode"), Literal("AA")) in constructed
    described = graph.query(f"DESCRIBE <{STATE_AA}>").graph
    assert described is not None and len(described) > 0
    assert (STATE_AA, URIRef(f"{B21}isoCode"), Literal("AA")) in graph


def test_rdflib_sparqlupdatestore_writes_with_a_token(server: Server) -> None:
    store = SPARQLUpdateStore(
        f"{server.url}/sparql",
        f"{server.url}/sparql",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    notes = rdflib.Graph(store=store, identifier=URIRef("https://example.org/rdflib-notes"))
    notes.add((URIRef("https://example.org/n9"), URIRef(f"{B21}acronym"), Literal("N9")))
    reader = rdflib.Graph(store=SPARQLStore(f"{server.url}/sparql"))
    assert reader.query("ASK { GRAPH <https://example.org/rdflib-notes> { ?s ?p 'N9' } }").askAnswer is True
