"""The store interface on the embedded Oxigraph backend."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal
from rdflib.namespace import RDFS, XSD

from service.errors import InvalidQuery, NotAcceptable, StoreUnavailable
from service.store import GraphStore, in_memory_store, open_generation
from service.store.base import JSONLD, NQUADS, NTRIPLES, RDFXML, RESULTS_CSV, RESULTS_JSON, TRIG, TURTLE

EX = rdflib.Namespace("https://example.org/")
G1, G2 = EX["g1"], EX["g2"]


@pytest.fixture
def store() -> GraphStore:
    store = in_memory_store()
    store.add_triples(G1, [(EX.a, RDFS.label, Literal("Alpha", lang="en")), (EX.a, EX.n, Literal(1))])
    store.add_triples(G2, [(EX.b, RDFS.label, Literal('Beta "quoted"', lang="en")), (EX.a, EX.knows, EX.b)])
    return store


def test_the_default_graph_is_the_union_of_named_graphs(store: GraphStore) -> None:
    rows = store.select("SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s").rows
    assert [row["s"] for row in rows] == [EX.a, EX.b]


def test_from_overrides_the_union(store: GraphStore) -> None:
    rows = store.select(f"SELECT ?s FROM <{G2}> WHERE {{ ?s rdfs:label ?l }}").rows
    assert [row["s"] for row in rows] == [EX.b]


def test_bindings_are_bound_by_the_engine_not_pasted(store: GraphStore) -> None:
    hostile = Literal('Alpha"@en } UNION { ?s ?p ?o } #', lang="en")
    assert store.select("SELECT ?s ?label WHERE { ?s rdfs:label ?label }", {"label": hostile}).rows == []
    rows = store.select("SELECT ?s ?label WHERE { ?s rdfs:label ?label }", {"label": Literal("Alpha", lang="en")}).rows
    assert [row["s"] for row in rows] == [EX.a]


def test_terms_round_trip_with_datatypes_and_languages(store: GraphStore) -> None:
    row = store.select("SELECT ?n ?l WHERE { ?s <https://example.org/n> ?n ; rdfs:label ?l }").rows[0]
    assert row["n"] == Literal(1, datatype=XSD.integer)
    assert row["l"] == Literal("Alpha", lang="en")


def test_ask_construct_and_update(store: GraphStore) -> None:
    assert store.ask("ASK { ?x <https://example.org/knows> ?y }")
    assert store.construct(
        "CONSTRUCT { ?y <https://example.org/knownBy> ?x } WHERE { ?x <https://example.org/knows> ?y }"
    ) == [(EX.b, EX.knownBy, EX.a)]
    store.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX.c}> rdfs:label 'Gamma' }} }}")
    assert store.triple_count(G1) == 3
    assert store.named_graphs() == [G1, G2]


def test_a_malformed_query_says_where(store: GraphStore) -> None:
    with pytest.raises(InvalidQuery, match="1:"):
        store.select("SELEKT ?s WHERE { ?s ?p ?o }")


@pytest.mark.parametrize(("media_type", "rdflib_format"), [(TRIG, "trig"), (NQUADS, "nquads")])
def test_dataset_dumps_keep_graphs(store: GraphStore, media_type: str, rdflib_format: str) -> None:
    out = io.BytesIO()
    store.dump(out, media_type)
    dataset = rdflib.Dataset()
    dataset.parse(data=out.getvalue(), format=rdflib_format)
    assert len(dataset.graph(G1)) == 2
    assert len(dataset.graph(G2)) == 2


@pytest.mark.parametrize(
    ("media_type", "rdflib_format"), [(TURTLE, "turtle"), (NTRIPLES, "nt"), (JSONLD, "json-ld"), (RDFXML, "xml")]
)
def test_graph_dumps_hold_the_union(store: GraphStore, media_type: str, rdflib_format: str) -> None:
    out = io.BytesIO()
    store.dump(out, media_type)
    graph = rdflib.Graph().parse(data=out.getvalue(), format=rdflib_format)
    assert len(graph) == 4
    assert (EX.b, RDFS.label, Literal('Beta "quoted"', lang="en")) in graph


def test_serialized_results_are_standard_formats(store: GraphStore) -> None:
    outcome = store.execute(
        "SELECT ?s WHERE { ?s rdfs:label ?l } ORDER BY ?s", results_media_type=RESULTS_JSON, graph_media_type=TURTLE
    )
    assert outcome.form == "select" and outcome.media_type == RESULTS_JSON
    assert b'"head"' in outcome.body and str(EX.a).encode() in outcome.body
    outcome = store.execute("ASK { ?s ?p ?o }", results_media_type=RESULTS_CSV, graph_media_type=None)
    assert (outcome.form, outcome.body.strip()) == ("ask", b"true")
    with pytest.raises(NotAcceptable):
        store.execute("SELECT * WHERE { ?s ?p ?o }", results_media_type=None, graph_media_type=TURTLE)


def test_opening_a_missing_store_read_only_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="cannot open the store"):
        open_generation(tmp_path / "nothing", read_only=True)
