"""Who may write: every write route refuses a missing or wrong token (walked from the OpenAPI
description), tokens never reach a log, a partner's token is revoked alone, and every write
is recorded in an append-only audit log."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from service.audit import read_entries
from tests.api.conftest import OTHER_TOKEN, TOKEN, TOKENS, AppFactory
from tests.reliability.conftest import EX, UPDATE, WRITE, ServerFactory

WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")
REFUSED = (401, 403)
WRONG_CREDENTIALS: list[dict[str, str]] = [
    {},
    {"Authorization": "Bearer "},
    {"Authorization": "Bearer not-a-token-of-this-service"},
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Bearer {TOKEN[:-1]}"},
    {"Authorization": f"Basic {base64.b64encode(f'partner:{TOKEN}'.encode()).decode()}"},
    {"Authorization": f"Token {TOKEN}"},
    {"X-Api-Key": TOKEN},
]
# Routes that take a POST but only read, documented as such: open to everyone.
# - POST /sparql with a query: the SPARQL protocol's query by POST (long queries do not fit a
#   URL); the same route refuses an update without a token, which is tried below.
# - POST /api/v1/scenarios: computes a what-if over a copy of the data in memory; the graph is
#   never written, only the request is saved, under its content hash, so that it can be shared
#   by id. Needing a token would shut the planners out of their main question.
READS_BY_POST = {("POST", "/api/v1/scenarios")}
UPDATE_TEXT = f"INSERT DATA {{ GRAPH <{EX}intruder> {{ <{EX}a> <{EX}b> <{EX}c> }} }}"
SCENARIO = {"at": "2021-01-01", "before": "2020-12-31"}
UPDATE_TYPE = {"Content-Type": "application/sparql-update"}


def fingerprint(client: TestClient) -> tuple[frozenset[tuple[str, ...]], frozenset[bytes]]:
    """Every quad in a named graph, and the default graph."""
    rows = client.get(
        "/sparql",
        params={"query": "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"]
    named = frozenset(tuple(json.dumps(row[v], sort_keys=True) for v in "gspo") for row in rows)
    default = client.get("/rdf-graph-store", params={"default": ""}, headers={"Accept": "application/n-triples"})
    return named, frozenset(default.content.splitlines())


def attempt(client: TestClient, method: str, path: str, credentials: dict[str, str]) -> httpx.Response:
    """A write to `path` that would change the store if it were let through."""
    url = path.replace("{", "").replace("}", "")  # a concrete path for templated routes
    if path == "/sparql":
        return client.request(method, url, content=UPDATE_TEXT.encode(), headers={**credentials, **UPDATE_TYPE})
    if path == "/rdf-graph-store":
        body = f"<{EX}a> <{EX}b> <{EX}c> .".encode()
        headers = {**credentials, "Content-Type": "text/turtle"}
        return client.request(method, url, params={"graph": f"{EX}intruder"}, content=body, headers=headers)
    if path == "/api/v1/scenarios":
        return client.request(method, url, json=SCENARIO, headers=credentials)
    return client.request(method, url, json={"update": UPDATE_TEXT}, headers=credentials)


@pytest.mark.slow
def test_every_write_route_refuses_a_missing_or_wrong_token(make_app: AppFactory) -> None:
    with TestClient(make_app(tokens=TOKENS)) as client:
        before = fingerprint(client)
        openapi: dict[str, Any] = client.app.openapi()  # type: ignore[attr-defined]
        documented_writes = 0
        for path, operations in sorted(openapi["paths"].items()):
            for method in WRITE_METHODS:
                documented = method.lower() in operations
                for credentials in WRONG_CREDENTIALS:
                    response = attempt(client, method, path, credentials)
                    where = f"{method} {path} {credentials}: {response.status_code} {response.text[:200]}"
                    if (method, path) in READS_BY_POST:
                        assert response.status_code == 201, where
                    elif documented:
                        assert response.status_code in REFUSED, where
                    else:
                        assert response.status_code in (*REFUSED, 404, 405), where
                documented_writes += documented
        assert documented_writes >= 5  # POST /sparql, the Graph Store's PUT, POST, DELETE, scenarios
        # a query by POST is a read, open to all
        query = client.post(
            "/sparql", content=b"ASK { ?s ?p ?o }", headers={"Content-Type": "application/sparql-query"}
        )
        assert query.status_code == 200
        assert fingerprint(client) == before
        # and the right token does write: the refusals were about the token, not the request
        assert attempt(client, "POST", "/sparql", WRITE).status_code == 204
        assert fingerprint(client) != before


# -- tokens in logs ------------------------------------------------------------------------------


@pytest.mark.slow
def test_tokens_never_appear_in_the_logs(own_store: Path, start_server: ServerFactory) -> None:
    server = start_server(own_store, {"BORDER21_LOG_LEVEL": "DEBUG"})
    near_miss = TOKEN + "-wrong"
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.post("/sparql", content=UPDATE_TEXT.encode(), headers=UPDATE).status_code == 204
        assert client.post("/sparql", data={"update": UPDATE_TEXT}, headers=WRITE).status_code == 204
        body = f"<{EX}a> <{EX}b> <{EX}c> .".encode()
        put = client.put(
            "/rdf-graph-store",
            params={"graph": f"{EX}logged"},
            content=body,
            headers={**WRITE, "Content-Type": "text/turtle"},
        )
        assert put.status_code == 201
        other = {"Authorization": f"Bearer {OTHER_TOKEN}", "Content-Type": "application/sparql-update"}
        assert client.post("/sparql", content=UPDATE_TEXT.encode(), headers=other).status_code == 204
        wrong = {"Authorization": f"Bearer {near_miss}", "Content-Type": "application/sparql-update"}
        assert client.post("/sparql", content=UPDATE_TEXT.encode(), headers=wrong).status_code == 403
        bad_update = client.post("/sparql", content=b"INSERT DATA { oops", headers=UPDATE)
        assert bad_update.status_code == 400
        # a client that puts its token in the query string: the request log has only the path
        client.get("/sparql", params={"query": "ASK {}", "access_token": TOKEN})
    server.stop()
    logged = server.log_text() + (own_store / "audit.log").read_text(encoding="utf-8")
    assert "event=request" in logged and "event=update" in logged  # the logs were written
    for secret in (TOKEN, OTHER_TOKEN, near_miss, TOKEN[:12]):
        assert secret not in logged


# -- named tokens --------------------------------------------------------------------------------


@pytest.mark.slow
def test_one_partners_token_is_revoked_alone(own_store: Path, start_server: ServerFactory) -> None:
    def update(url: str, token: str, n: int) -> int:
        text = f"INSERT DATA {{ GRAPH <{EX}partners> {{ <{EX}w{n}> <{EX}by> {n} }} }}"
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/sparql-update"}
        return httpx.post(f"{url}/sparql", content=text.encode(), headers=headers, timeout=30).status_code

    server = start_server(own_store)  # partner and auditor
    assert update(server.url, TOKEN, 1) == 204
    assert update(server.url, OTHER_TOKEN, 2) == 204
    server.stop()

    server = start_server(own_store, tokens=f"auditor:{OTHER_TOKEN}")  # the partner's pair removed
    assert update(server.url, TOKEN, 3) == 403
    assert update(server.url, OTHER_TOKEN, 4) == 204
    server.stop()

    who = [entry["who"] for entry in read_entries(own_store / "audit.log")]
    assert who == ["partner", "auditor", "auditor"]


# -- the audit log ------------------------------------------------------------------------------


def test_the_audit_log_records_each_write_and_only_grows(make_app: AppFactory, tmp_path: Path) -> None:
    log = tmp_path / "audit" / "writes.log"
    log.parent.mkdir()
    log.write_text('{"earlier": "a line written before the service started"}\n', encoding="utf-8")
    graph = f"{EX}audited"
    update = f"INSERT DATA {{ GRAPH <{EX}updated> {{ <{EX}a> <{EX}b> 1, 2, 3 }} }}"
    with TestClient(make_app(tokens=TOKENS, audit_log=log)) as client:
        started = dt.datetime.now(dt.UTC)
        turtle = f"<{EX}a> <{EX}b> 1, 2 .".encode()
        headers = {**WRITE, "Content-Type": "text/turtle"}
        assert client.put("/rdf-graph-store", params={"graph": graph}, content=turtle, headers=headers).is_success
        after_first = log.read_bytes()
        assert client.post("/sparql", content=update.encode(), headers=UPDATE).status_code == 204
        assert client.delete("/rdf-graph-store", params={"graph": graph}, headers=WRITE).status_code == 204
        # refused writes are not writes: nothing recorded
        assert (
            client.post("/sparql", content=update.encode(), headers={**UPDATE, "Authorization": "Bearer x"}).status_code
            == 403
        )
        assert client.post("/sparql", content=b"INSERT DATA { broken", headers=UPDATE).status_code == 400

    assert log.read_bytes().startswith(after_first)  # earlier lines stay as they were
    earlier, put, updated, deleted = read_entries(log)
    assert earlier == {"earlier": "a line written before the service started"}
    for entry in (put, updated, deleted):
        assert entry["who"] == "partner"
        at = dt.datetime.fromisoformat(str(entry["at"]).replace("Z", "+00:00"))
        assert started - dt.timedelta(seconds=1) <= at <= dt.datetime.now(dt.UTC)
        assert entry["request_id"]
    assert (put["action"], put["graph"], put["triples"], put["changes"]) == ("graph-put", graph, 2, {graph: 2})
    assert updated["action"] == "sparql-update"
    assert updated["changes"] == {f"{EX}updated": 3} and updated["triples"] == 3
    assert updated["sha256"] == hashlib.sha256(update.encode()).hexdigest()
    assert (deleted["action"], deleted["graph"], deleted["changes"]) == ("graph-delete", graph, {graph: -2})
    assert TOKEN not in log.read_text(encoding="utf-8")
