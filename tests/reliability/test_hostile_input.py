"""Hostile input is refused cleanly, on both backends: never a 500, never data it should not
give, never a write it should not make.

- SPARQL injection through every parameter of every REST route the OpenAPI description lists;
- bodies over `BORDER21_MAX_BODY_BYTES` (413) on every route that takes one;
- malformed Turtle, N-Triples, JSON-LD and RDF/XML uploads (400, nothing written);
- XML external entities and remote JSON-LD contexts (never fetched);
- path traversal in /id/... and the static files, sent byte for byte to a real server;
- absurd paging values; bytes that are not UTF-8.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import TOKENS, AppFactory
from tests.reliability.conftest import EX, UPDATE, WRITE, ServerFactory

CANARY = "CANARY-7f3a9c"
CANARY_GRAPH = f"{EX}canary-graph"
HOSTILE = [
    '" } UNION { GRAPH ?g { ?s ?p ?o } } #',
    "> } UNION { GRAPH ?g { ?s ?p ?o } } #",
    "x' } ; DROP ALL ; #",
    f"state/aa> ?p ?o }} UNION {{ GRAPH <{CANARY_GRAPH}> {{ ?s ?p ?o }} }} #",
    "https://w3id.org/border21/id/state/aa> . ?s ?p ?o . <x",
    '")) } } ; CLEAR ALL ; SELECT * WHERE { ?s ?p ?o #',
    "?s",
    "\\u0022 ) || true || ( \\u0022",
    "../../../../etc/passwd",
    "state/aa\u202e\u0000",
    "x" * 3000,
]
# Values that make a valid request, for the parameters a route needs
VALID = {
    "kind": "state",
    "slug": "aa",
    "scheme": "cooperation-functions",
    "from": "state/aa",
    "to": "state/bb",
    "function": "surrender",
    "actor": "state/aa",
    "identifier": "0123456789abcdef",
    "first": "0123456789abcdef",
    "second": "0123456789abcdef",
}
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def quads(client: TestClient) -> int:
    response = client.get("/sparql", params={"query": COUNT_ALL}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def plant_canary(client: TestClient) -> None:
    """A triple no REST answer has any business returning."""
    body = f'<{EX}canary> <http://www.w3.org/2000/01/rdf-schema#comment> "{CANARY}" .'.encode()
    headers = {**WRITE, "Content-Type": "text/turtle"}
    assert client.put("/rdf-graph-store", params={"graph": CANARY_GRAPH}, content=body, headers=headers).is_success


def rest_parameters(openapi: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """Each GET route under /api/v1 with each of its parameters (and all its parameters)."""
    for path, operations in sorted(openapi["paths"].items()):
        get = operations.get("get")
        if not path.startswith("/api/v1/") or get is None:
            continue
        parameters = get.get("parameters", [])
        for parameter in parameters:
            yield path, parameter, parameters


def request_for(
    path: str, parameters: list[dict[str, Any]], hostile: dict[str, Any] | None
) -> tuple[str, dict[str, str]]:
    """The URL and query of a request giving every required parameter a valid value, and
    `hostile`'s parameter its hostile value."""
    values: dict[str, str] = {}
    for parameter in parameters:
        if parameter.get("required") or parameter["in"] == "path":
            values[parameter["name"]] = VALID[parameter["name"]]
    if hostile is not None:
        values[hostile["name"]] = hostile["value"]
    url = path
    query = {}
    for parameter in parameters:
        name = parameter["name"]
        if name not in values:
            continue
        if parameter["in"] == "path":
            url = url.replace(f"{{{name}}}", quote(values[name], safe=""))
        else:
            query[name] = values[name]
    return url, query


def size(body: Any) -> int:
    """How much data an answer holds: the items of a list, the rows of a result."""
    if isinstance(body, dict):
        if "total" in body:
            return int(body["total"])
        if "items" in body:
            return len(body["items"])
        if "results" in body:
            return len(body["results"]["bindings"])
        return sum(size(value) for value in body.values() if isinstance(value, list | dict)) + 1
    if isinstance(body, list):
        return len(body)
    return 1


def answer_size(response: Any) -> int:
    if response.headers.get("content-type", "").startswith("application/json"):
        return size(response.json())
    return len(response.text.splitlines())


@pytest.mark.slow
def test_sparql_injection_through_every_rest_parameter(make_app: AppFactory) -> None:
    with TestClient(make_app(tokens=TOKENS)) as client:
        plant_canary(client)
        before = quads(client)
        tried = 0
        for path, parameter, parameters in rest_parameters(client.app.openapi()):  # type: ignore[attr-defined]
            url, query = request_for(path, parameters, None)
            baseline = client.get(url, params=query)
            assert baseline.status_code < 500, (path, baseline.text)
            assert CANARY not in baseline.text
            for value in HOSTILE:
                url, query = request_for(path, parameters, {**parameter, "value": value})
                response = client.get(url, params=query)
                where = f"{path} {parameter['name']}={value!r}: {response.status_code} {response.text[:300]}"
                assert response.status_code < 500, where
                assert CANARY not in response.text, where
                if response.status_code == 200 and baseline.status_code == 200:
                    assert answer_size(response) <= answer_size(baseline), where
                tried += 1
        assert tried > 100  # the walk really covered the REST routes
        assert quads(client) == before


# -- bodies ----------------------------------------------------------------------------------

LIMIT = 2000


def body_routes(openapi: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """Every operation that takes a body, with a media type it takes."""
    for path, operations in sorted(openapi["paths"].items()):
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content")
            if content:
                yield method.upper(), path, next(iter(content))
    yield "PUT", "/rdf-graph-store", "text/turtle"  # its bodies are read by hand, not described
    yield "POST", "/rdf-graph-store", "text/turtle"


def test_a_body_over_the_limit_is_413_on_every_route_that_takes_one(make_app: AppFactory) -> None:
    with TestClient(make_app(tokens=TOKENS, max_body_bytes=LIMIT)) as client:
        before = quads(client)
        routes = list(body_routes(client.app.openapi()))  # type: ignore[attr-defined]
        assert {path for _, path, _ in routes} >= {"/sparql", "/rdf-graph-store", "/api/v1/scenarios"}
        big = b"# " + b"x" * (2 * LIMIT) + b"\n"
        for method, path, media_type in routes:
            params = {"graph": f"{EX}big"} if path == "/rdf-graph-store" else {}
            headers = {**WRITE, "Content-Type": media_type}
            declared = client.request(method, path, params=params, content=big, headers=headers)
            assert declared.status_code == 413, (method, path, declared.text)
            chunked = client.request(
                method, path, params=params, content=iter([big[:LIMIT], big[LIMIT:]]), headers=headers
            )
            assert chunked.status_code == 413, (method, path, "chunked", chunked.text)
        assert quads(client) == before


# -- uploads ---------------------------------------------------------------------------------

MALFORMED = [
    ("text/turtle", b"<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> .\n"),
    ("text/turtle", b'@prefix ex: <urn:x:> .\nex:a ex:b "unterminated .\n'),
    ("application/n-triples", b"<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> <urn:c>\n"),
    ("application/ld+json", b'{"@id": "urn:a", "urn:b": [{"@value": "x"}'),
    ("application/ld+json", b'{"@context": 5, "@id": "urn:a"}'),
    (
        "application/rdf+xml",
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="urn:a"><b xmlns="urn:">x</rdf:Description></rdf:RDF>',
    ),
]
# RDF/XML cut off before its root element closes: Oxigraph's parser takes it as complete
TRUNCATED_XML = b"<?xml version='1.0'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"


@pytest.mark.parametrize(("media_type", "body"), [*MALFORMED, ("application/rdf+xml", TRUNCATED_XML)])
@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_a_malformed_upload_is_400_and_writes_nothing(
    make_app: AppFactory, method: str, media_type: str, body: bytes, request: pytest.FixtureRequest
) -> None:
    with TestClient(make_app(tokens=TOKENS)) as client:
        before = quads(client)
        graph = f"{EX}malformed"
        headers = {**WRITE, "Content-Type": media_type}
        response = client.request(method, "/rdf-graph-store", params={"graph": graph}, content=body, headers=headers)
        assert response.status_code == 400, response.text
        assert client.head("/rdf-graph-store", params={"graph": graph}).status_code == 404
        assert quads(client) == before


def test_xml_external_entities_are_not_resolved(make_app: AppFactory, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-91c2", encoding="utf-8")
    uploads = [
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
        '<rdf:Description rdf:about="urn:x:s"><rdfs:label>&xxe;</rdfs:label></rdf:Description></rdf:RDF>',
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY % remote SYSTEM "{secret.as_uri()}"> %remote;]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
    ]
    with TestClient(make_app(tokens=TOKENS)) as client:
        for number, upload in enumerate(uploads):
            graph = f"{EX}xml-{number}"
            headers = {**WRITE, "Content-Type": "application/rdf+xml"}
            response = client.put("/rdf-graph-store", params={"graph": graph}, content=upload.encode(), headers=headers)
            assert response.status_code in (201, 204, 400), response.text
            assert "SECRET-91c2" not in response.text
            dump = client.get("/sparql", params={"query": "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"})
            assert "SECRET-91c2" not in dump.text


ENTITY_BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcde", "bcdef", strict=True))
    + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
    '<rdf:Description rdf:about="urn:x:s"><rdfs:label>&f;</rdfs:label></rdf:Description></rdf:RDF>'
)


def test_entity_expansion_cannot_grow_an_upload_past_the_body_limit(make_app: AppFactory) -> None:
    limit = 100_000
    with TestClient(make_app(tokens=TOKENS, max_body_bytes=limit)) as client:
        headers = {**WRITE, "Content-Type": "application/rdf+xml"}
        graph = {"graph": f"{EX}entities"}
        response = client.put("/rdf-graph-store", params=graph, content=ENTITY_BOMB.encode(), headers=headers)
        assert response.status_code in (201, 204, 400), response.text
        if response.status_code != 400:
            dump = client.get("/rdf-graph-store", params=graph, headers={"Accept": "application/n-triples"})
            assert len(dump.content) < limit


class ContextServer:
    """A local HTTP server serving a JSON-LD context, counting who fetched it."""

    def __init__(self) -> None:
        fetched = self.fetched = []  # type: ignore[var-annotated]

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fetched.append(self.path)
                body = json.dumps({"@context": {"name": f"{EX}fetched-name"}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/context.jsonld"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_remote_json_ld_contexts_are_never_fetched(
    make_app: AppFactory, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A JSON-LD upload naming its context by URL would have the server fetch it: from the
    network (a request forged for the uploader) or from its own disk (`file:`)."""
    local = tmp_path / "context.jsonld"
    local.write_text(json.dumps({"@context": {"name": f"{EX}read-from-disk"}}), encoding="utf-8")
    remote = ContextServer()
    try:
        with TestClient(make_app(tokens=TOKENS)) as client:
            for context in (remote.url, local.as_uri(), [remote.url], {"@import": remote.url}):
                upload = json.dumps({"@context": context, "@id": f"{EX}s", "name": "x"}).encode()
                headers = {**WRITE, "Content-Type": "application/ld+json"}
                client.put("/rdf-graph-store", params={"graph": f"{EX}jsonld"}, content=upload, headers=headers)
                dump = client.get("/sparql", params={"query": "SELECT ?p WHERE { GRAPH ?g { ?s ?p ?o } }"})
                assert "read-from-disk" not in dump.text
                assert "fetched-name" not in dump.text
        assert remote.fetched == []
    finally:
        remote.close()


# -- paths -----------------------------------------------------------------------------------

TRAVERSALS = [
    "/id/../../../../etc/passwd",
    "/id/state/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/id/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/id/state/%2e%2e%2f%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/static/border21/../../../../../../etc/passwd",
    "/static/border21/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/border21/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/border21/..%252f..%252f..%252fetc%252fpasswd",
    "/static/border21/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "/static/border21/....//....//....//etc/passwd",
    "/static/border21/..\\..\\..\\..\\etc\\passwd",
    "/static/border21/../../api/__init__.py",
    "/static/border21/%2e%2e/%2e%2e/api/__init__.py",
    "/static/vendor/yasgui/../../../../../../pyproject.toml",
    "/static/vendor/yasgui/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
    "/static/border21//etc/passwd",
    "/static/border21/%00../../etc/passwd",
]


def raw_get(port: int, target: str) -> tuple[int, bytes]:
    """GET exactly this request target, bytes as given: no client tidies the dots away."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        connection.sendall(request.encode("latin-1"))
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    status_line = received.split(b"\r\n", 1)[0]
    return int(status_line.split()[1]), received


@pytest.mark.slow
def test_path_traversal_in_resource_iris_and_static_files(own_store: Path, start_server: ServerFactory) -> None:
    server = start_server(own_store, tokens=None)
    assert raw_get(server.port, "/static/border21/favicon.svg")[0] == 200  # the static files are served
    for target in TRAVERSALS:
        status, received = raw_get(server.port, target)
        assert status in (400, 404, 405), (target, status)
        assert b"root:" not in received, target
        assert b"create_app" not in received, target
        assert b"[project]" not in received, target


# -- paging ----------------------------------------------------------------------------------

# the last: ten in Arabic-Indic digits, which Python's int() would take
ABSURD = ["-1", "0", "-0", "1e3", "NaN", "inf", "0x10", "", " ", str(2**63), str(10**30), "5" * 400, "\u0661\u0660"]


@pytest.mark.slow
def test_absurd_paging_values(make_app: AppFactory) -> None:
    with TestClient(make_app(will_write=False)) as client:
        walked = 0
        for path, parameter, parameters in rest_parameters(client.app.openapi()):  # type: ignore[attr-defined]
            if parameter["name"] not in ("limit", "offset"):
                continue
            maximum = parameter["schema"].get("maximum")
            for value in ABSURD:
                url, query = request_for(path, parameters, {**parameter, "value": value})
                response = client.get(url, params=query)
                where = f"{path} {parameter['name']}={value!r}: {response.status_code} {response.text[:200]}"
                assert response.status_code in (200, 400, 422), where
                if response.status_code == 200 and parameter["name"] == "limit" and maximum:
                    body = response.json() if "json" in response.headers.get("content-type", "") else None
                    if isinstance(body, dict) and "items" in body:
                        assert len(body["items"]) <= maximum, where
                walked += 1
        assert walked > 50


# -- encodings -------------------------------------------------------------------------------


def test_bytes_that_are_not_utf8_are_refused_cleanly(make_app: AppFactory) -> None:
    with TestClient(make_app(tokens=TOKENS)) as client:
        before = quads(client)
        latin = b"\xe9t\xe9 \xff\xfe"
        reads = [
            client.get("/api/v1/actors?q=%ff%fe%c3"),
            client.get("/api/v1/search?q=%e9t%e9"),
            client.get("/api/v1/resources/state/%ff%fe"),
            client.get("/id/state/%c3%28"),
            client.get("/sparql?query=%ff%fe"),
            client.get("/sparql", headers=[(b"Accept", b"application/sparql-results+json; q=\xe9")]),
            client.post(
                "/sparql",
                content=b"SELECT * WHERE { ?s ?p '" + latin + b"' }",
                headers={"Content-Type": "application/sparql-query"},
            ),
            client.post(
                "/sparql", content=b"query=%ff%fe", headers={"Content-Type": "application/x-www-form-urlencoded"}
            ),
            client.post(
                "/sparql", content=b"query=" + latin, headers={"Content-Type": "application/x-www-form-urlencoded"}
            ),
            client.post(
                "/api/v1/scenarios", content=b'{"at": "' + latin + b'"}', headers={"Content-Type": "application/json"}
            ),
        ]
        for response in reads:
            assert response.status_code < 500, (response.request.url, response.text)
        writes = [
            client.post("/sparql", content=b"INSERT DATA { <urn:a> <urn:b> '" + latin + b"' }", headers=UPDATE),
        ]
        for media_type in ("text/turtle", "application/n-triples", "application/ld+json"):
            body = (
                b'{"@id": "urn:a", "urn:b": "' + latin + b'"}'
                if "json" in media_type
                else b'<urn:a> <urn:b> "' + latin + b'" .'
            )
            writes.append(
                client.put(
                    "/rdf-graph-store",
                    params={"graph": f"{EX}latin"},
                    content=body,
                    headers={**WRITE, "Content-Type": media_type},
                )
            )
        for response in writes:
            assert response.status_code == 400, (response.request.url, response.text)
        assert quads(client) == before


def test_a_form_encoded_update_that_is_not_utf8_is_refused(make_app: AppFactory) -> None:
    with TestClient(make_app(tokens=TOKENS)) as client:
        before = quads(client)
        response = client.post(
            "/sparql",
            content=b"update=INSERT+DATA+%7B+GRAPH+%3Curn%3Ag%3E+%7B+%3Curn%3Aa%3E+%3Curn%3Ab%3E+%27%ff%27+%7D+%7D",
            headers={**WRITE, "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 400
        assert quads(client) == before
