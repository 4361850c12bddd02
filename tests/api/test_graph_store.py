"""The SPARQL 1.1 Graph Store HTTP Protocol at /rdf-graph-store."""

from __future__ import annotations

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from service.namespaces import GRAPH
from tests.api.conftest import WRITE

NOTES = "https://example.org/notes"
TURTLE = b'@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n<https://example.org/n1> rdfs:label "one"@en .\n'
MORE = b'<https://example.org/n2> <http://www.w3.org/2000/01/rdf-schema#label> "two"@en .\n'
UPLOADS = [
    ("text/turtle", TURTLE),
    ("application/n-triples", b'<https://example.org/n1> <http://www.w3.org/2000/01/rdf-schema#label> "one"@en .\n'),
    (
        "application/ld+json",
        b'{"@id": "https://example.org/n1", '
        b'"http://www.w3.org/2000/01/rdf-schema#label": {"@value": "one", "@language": "en"}}',
    ),
    (
        "application/rdf+xml",
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"><rdf:Description rdf:about="https://example.org/n1">'
        b'<rdfs:label xml:lang="en">one</rdfs:label></rdf:Description></rdf:RDF>',
    ),
]


def graph_of(client: TestClient, params: dict[str, str]) -> rdflib.Graph:
    response = client.get("/rdf-graph-store", params=params, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.text
    return rdflib.Graph().parse(data=response.content, format="nt")


def put(client: TestClient, body: bytes, media_type: str = "text/turtle", **params: str) -> int:
    params = params or {"graph": NOTES}
    headers = {**WRITE, "Content-Type": media_type}
    return client.put("/rdf-graph-store", params=params, content=body, headers=headers).status_code


@pytest.mark.parametrize(("media_type", "body"), UPLOADS)
def test_put_creates_then_replaces_a_graph(writer: TestClient, media_type: str, body: bytes) -> None:
    assert put(writer, body, media_type) == 201
    assert set(graph_of(writer, {"graph": NOTES})) == {
        (URIRef("https://example.org/n1"), RDFS.label, Literal("one", lang="en"))
    }
    assert put(writer, MORE, "application/n-triples") == 204
    assert set(graph_of(writer, {"graph": NOTES}).subjects()) == {URIRef("https://example.org/n2")}


def test_post_adds_to_a_graph(writer: TestClient) -> None:
    put(writer, TURTLE)
    response = writer.post(
        "/rdf-graph-store",
        params={"graph": NOTES},
        content=MORE,
        headers={**WRITE, "Content-Type": "application/n-triples"},
    )
    assert response.status_code == 204
    assert len(graph_of(writer, {"graph": NOTES})) == 2


def test_delete_then_get_is_404(writer: TestClient) -> None:
    put(writer, TURTLE)
    assert writer.delete("/rdf-graph-store", params={"graph": NOTES}, headers=WRITE).status_code == 204
    assert writer.get("/rdf-graph-store", params={"graph": NOTES}).status_code == 404
    assert writer.delete("/rdf-graph-store", params={"graph": NOTES}, headers=WRITE).status_code == 404


def test_head_says_whether_a_graph_exists(writer: TestClient) -> None:
    assert writer.head("/rdf-graph-store", params={"graph": NOTES}).status_code == 404
    put(writer, TURTLE)
    response = writer.head("/rdf-graph-store", params={"graph": NOTES})
    assert response.status_code == 200 and response.content == b""


def test_curated_graphs_are_readable(writer: TestClient) -> None:
    graph = graph_of(writer, {"graph": str(GRAPH["data/actors"])})
    assert (URIRef("https://w3id.org/border21/id/state/aa"), RDFS.label, Literal("Alphaland", lang="en")) in graph


def test_the_default_graph(writer: TestClient) -> None:
    assert len(graph_of(writer, {"default": ""})) == 0
    assert put(writer, TURTLE, default="") == 204
    assert len(graph_of(writer, {"default": ""})) == 1
    query = "ASK { <https://example.org/n1> rdfs:label 'one'@en }"
    assert writer.get("/sparql", params={"query": query}).json()["boolean"] is True
    assert writer.delete("/rdf-graph-store", params={"default": ""}, headers=WRITE).status_code == 204
    assert len(graph_of(writer, {"default": ""})) == 0


@pytest.mark.parametrize(
    ("media_type", "body"),
    [
        ("text/turtle", b"<https://example.org/n1> rdfs:label 'unbound prefix' ."),
        ("text/turtle", b"<https://example.org/n1> <http://p> "),
        ("application/ld+json", b'{"@id": '),
        ("application/rdf+xml", b"<rdf:RDF><unclosed>"),
        ("application/n-triples", b"not n-triples at all\n"),
    ],
)
def test_a_malformed_upload_is_400_and_writes_nothing(writer: TestClient, media_type: str, body: bytes) -> None:
    put(writer, TURTLE)
    response = writer.put(
        "/rdf-graph-store", params={"graph": NOTES}, content=body, headers={**WRITE, "Content-Type": media_type}
    )
    assert response.status_code == 400
    assert "not valid RDF" in response.json()["detail"]
    assert len(graph_of(writer, {"graph": NOTES})) == 1


def test_writes_without_a_valid_token_change_nothing(writer: TestClient) -> None:
    put(writer, TURTLE)
    for headers, status in (({}, 401), ({"Authorization": "Bearer not-the-token-0000"}, 403)):
        for method in ("put", "post"):
            response = getattr(writer, method)(
                "/rdf-graph-store",
                params={"graph": NOTES},
                content=MORE,
                headers={**headers, "Content-Type": "application/n-triples"},
            )
            assert response.status_code == status
        assert writer.delete("/rdf-graph-store", params={"graph": NOTES}, headers=headers).status_code == status
    assert len(graph_of(writer, {"graph": NOTES})) == 1


@pytest.mark.parametrize(
    "params", [{}, {"graph": NOTES, "default": ""}, {"graph": "relative/iri"}, {"graph": "https://example.org/a b"}]
)
def test_the_target_must_be_one_absolute_iri_or_default(writer: TestClient, params: dict[str, str]) -> None:
    assert writer.get("/rdf-graph-store", params=params).status_code == 400


def test_an_unsupported_upload_type_is_415(writer: TestClient) -> None:
    response = writer.put(
        "/rdf-graph-store", params={"graph": NOTES}, content=b"a,b", headers={**WRITE, "Content-Type": "text/csv"}
    )
    assert response.status_code == 415
