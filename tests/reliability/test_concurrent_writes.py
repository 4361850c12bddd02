"""Many clients write at once, through SPARQL Update and the Graph Store, to a real server:
every acknowledged write is there afterwards, and no reader ever sees half of one.

Each write adds a pair of triples, `?s :left ?n` and `?s :right ?n`, in one request: by
SPARQL Update as two operations (so the request, not just one operation, must be atomic) or
by a Graph Store POST. Readers keep asking for any subject with one of the pair and not the
other while the writes go on.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pytest
from rdflib import Literal, URIRef

from service.audit import read_entries
from service.config import Settings
from service.errors import Border21Error
from service.store.served import ServedStore
from tests.api.conftest import TOKENS, RemoteFixture
from tests.reliability.conftest import EX, UPDATE, WRITE, ServerFactory, all_quads, select

pytestmark = pytest.mark.slow

WRITERS = 12
WRITES_EACH = 9
READERS = 4
LEFT, RIGHT = URIRef(EX + "left"), URIRef(EX + "right")

HALF_SEEN = f"""
SELECT ?s WHERE {{
  {{ GRAPH ?g {{ ?s <{LEFT}> ?n }} FILTER NOT EXISTS {{ GRAPH ?g {{ ?s <{RIGHT}> ?n }} }} }}
  UNION
  {{ GRAPH ?g {{ ?s <{RIGHT}> ?n }} FILTER NOT EXISTS {{ GRAPH ?g {{ ?s <{LEFT}> ?n }} }} }}
}}"""
RESULTS = {"Accept": "application/sparql-results+json"}
PAIRS = f"SELECT ?g ?s WHERE {{ GRAPH ?g {{ ?s <{LEFT}> ?n . ?s <{RIGHT}> ?n }} }}"


def write_pair(client: httpx.Client, url: str, writer: int, number: int) -> tuple[str, str, int]:
    """One write of a pair; returns its graph, its subject and the status it got."""
    subject = f"{EX}s-{writer}-{number}"
    way = number % 3
    if way == 2:
        graph = f"{EX}graph-store-{writer}"
        body = f"<{subject}> <{LEFT}> {number} .\n<{subject}> <{RIGHT}> {number} .\n"
        response = client.post(
            f"{url}/rdf-graph-store",
            params={"graph": graph},
            content=body.encode(),
            headers={**WRITE, "Content-Type": "text/turtle"},
        )
        return graph, subject, response.status_code
    graph = f"{EX}update-{writer}"
    update = (
        f"INSERT DATA {{ GRAPH <{graph}> {{ <{subject}> <{LEFT}> {number} }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{graph}> {{ <{subject}> <{RIGHT}> {number} }} }}"
    )
    if way == 0:
        response = client.post(f"{url}/sparql", content=update.encode(), headers=UPDATE)
    else:
        response = client.post(f"{url}/sparql", data={"update": update}, headers=WRITE)
    return graph, subject, response.status_code


@pytest.mark.parametrize("backend", ["oxigraph", "virtuoso"])
def test_every_acknowledged_write_is_there_and_none_is_seen_half_done(
    backend: str, own_store: Path, start_server: ServerFactory, request: pytest.FixtureRequest
) -> None:
    """On Virtuoso, which reads without a snapshot and commits the operations of a request one
    by one, it is the service that keeps its readers from seeing a write half done."""
    env = {"BORDER21_QUERY_WORKERS": "3"}
    if backend == "virtuoso":
        remote: RemoteFixture = request.getfixturevalue("remote_fixture")
        remote.load(will_write=True)
        settings = remote.settings()
        env = {
            "BORDER21_BACKEND": "sparql",
            "BORDER21_QUERY_URL": str(settings.query_url),
            "BORDER21_UPDATE_URL": str(settings.update_url),
            "BORDER21_REMOTE_DEFAULT_GRAPH": str(settings.remote_default_graph),
            "BORDER21_REMOTE_HIDDEN_GRAPHS": json.dumps(settings.remote_hidden_graphs),
        }
    server = start_server(own_store, env)
    acknowledged: set[tuple[str, str]] = set()
    refused: list[int] = []
    half_seen: list[object] = []
    failed_reads: list[str] = []
    reads = [0]
    writing = threading.Event()
    writing.set()
    lock = threading.Lock()

    def writer(index: int) -> None:
        with httpx.Client(timeout=60) as client:
            for number in range(WRITES_EACH):
                graph, subject, status = write_pair(client, server.url, index, number)
                with lock:
                    if status in (201, 204):
                        acknowledged.add((graph, subject))
                    else:
                        refused.append(status)

    def reader() -> None:
        with httpx.Client(timeout=60) as client:
            while writing.is_set():
                response = client.get(f"{server.url}/sparql", params={"query": HALF_SEEN}, headers=RESULTS)
                with lock:
                    reads[0] += 1
                    if response.status_code != 200:
                        failed_reads.append(response.text)
                    elif response.json()["results"]["bindings"]:
                        half_seen.append(response.json()["results"]["bindings"])

    readers = [threading.Thread(target=reader) for _ in range(READERS)]
    writers = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in [*readers, *writers]:
        thread.start()
    for thread in writers:
        thread.join(timeout=300)
    writing.clear()
    for thread in readers:
        thread.join(timeout=60)

    assert refused == []
    assert len(acknowledged) == WRITERS * WRITES_EACH
    assert half_seen == []
    assert failed_reads == []
    assert reads[0] >= READERS  # the readers really read while the writes went on
    assert {(row["g"], row["s"]) for row in select(server.url, PAIRS)} == acknowledged

    server.stop()
    if backend == "oxigraph":
        on_disk = all_quads(own_store)
        for graph, subject in acknowledged:
            number = Literal(int(subject.rsplit("-", 1)[1]))
            assert (URIRef(subject), LEFT, number, URIRef(graph)) in on_disk
            assert (URIRef(subject), RIGHT, number, URIRef(graph)) in on_disk

    # the audit log has one entry per write: who, which graph, two triples
    entries = read_entries(own_store / "audit.log")
    assert len(entries) == len(acknowledged)
    assert {entry["who"] for entry in entries} == {"partner"}
    assert all(len(entry["changes"]) == 1 and next(iter(entry["changes"].values())) == 2 for entry in entries)  # type: ignore[arg-type]
    assert {next(iter(entry["changes"])) for entry in entries} == {graph for graph, _ in acknowledged}  # type: ignore[arg-type, call-overload]


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . VALUES ?k { 1 2 3 4 5 6 7 8 9 10 11 12 } }"


def test_a_read_waiting_for_a_worker_keeps_its_snapshot_through_later_writes(own_store: Path) -> None:
    """A read is given the newest snapshot, then may wait for a worker while writes make newer
    ones and remove the old: the one it was given must stay until it has been read."""
    settings = Settings(store=own_store, tokens=TOKENS, query_workers=1)  # type: ignore[arg-type]
    store = ServedStore(settings)
    try:

        def insert(n: int) -> None:
            store.update(f"INSERT DATA {{ GRAPH <{EX}waiting> {{ <{EX}s{n}> <{LEFT}> {n} }} }}")

        insert(1)
        outcomes: dict[str, object] = {}

        def read(name: str, query: str) -> None:
            try:
                outcomes[name] = store.select(query).rows
            except Border21Error as error:
                outcomes[name] = error

        slow = threading.Thread(target=read, args=("slow", SLOW))
        slow.start()  # the only worker opens the first snapshot and is busy with it
        time.sleep(0.5)
        insert(2)  # a second snapshot, nobody has it open
        waiting = threading.Thread(target=read, args=("waiting", f"SELECT ?s WHERE {{ ?s <{LEFT}> ?n }}"))
        waiting.start()  # given the second snapshot; waits for the worker
        time.sleep(0.3)
        insert(3)  # a third: the second must not be removed, the waiting read still needs it
        slow.join(timeout=60)
        waiting.join(timeout=60)

        assert not isinstance(outcomes["slow"], Exception)
        assert not isinstance(outcomes["waiting"], Exception), outcomes["waiting"]
        assert len(outcomes["waiting"]) >= 2  # type: ignore[arg-type]
        assert len(store.select(f"SELECT ?s WHERE {{ ?s <{LEFT}> ?n }}").rows) == 3  # the worker is sound
    finally:
        store.close()
