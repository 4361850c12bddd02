"""The server killed with SIGKILL in the middle of a stream of writes starts again cleanly,
and every write it acknowledged is there."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.reliability.conftest import EX, UPDATE, WRITE, ServerFactory, select

pytestmark = pytest.mark.slow

ROUNDS = 4
WRITERS = 4
GRAPH = f"{EX}crash"
MARK = f"{EX}written"
WRITTEN = f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s <{MARK}> ?n }} }}"


def stream_writes(url: str, round_: int, writer: int, acknowledged: set[str], stop: threading.Event) -> None:
    """Write until the server dies, alternating SPARQL Update and Graph Store POST; remember
    the subjects of the writes that were acknowledged."""
    number = 0
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            subject = f"{EX}r{round_}-w{writer}-{number}"
            try:
                if number % 2:
                    response = client.post(
                        f"{url}/rdf-graph-store",
                        params={"graph": f"{GRAPH}-{writer}"},
                        content=f"<{subject}> <{MARK}> {number} .".encode(),
                        headers={**WRITE, "Content-Type": "text/turtle"},
                    )
                else:
                    update = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{subject}> <{MARK}> {number} }} }}"
                    response = client.post(f"{url}/sparql", content=update.encode(), headers=UPDATE)
            except httpx.TransportError:
                return  # the server is gone: this write was not acknowledged
            if response.status_code in (201, 204):
                acknowledged.add(subject)
            number += 1


def test_acknowledged_writes_survive_sigkill(own_store: Path, start_server: ServerFactory) -> None:
    acknowledged: set[str] = set()
    for round_ in range(ROUNDS):
        server = start_server(own_store)
        before = len(acknowledged)
        stop = threading.Event()
        writers = [
            threading.Thread(target=stream_writes, args=(server.url, round_, w, acknowledged, stop))
            for w in range(WRITERS)
        ]
        for thread in writers:
            thread.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < before + 20 + 7 * round_ and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()  # in the middle of the stream: some writes are in flight
        stop.set()
        for thread in writers:
            thread.join(timeout=30)
        assert len(acknowledged) > before, "writes were acknowledged before the kill"

    server = start_server(own_store)  # starts cleanly after the last kill
    present = {row["s"] for row in select(server.url, WRITTEN)}
    assert acknowledged <= present
    assert "unhandled_error" not in server.log_text()


def test_a_snapshot_cut_short_by_a_crash_does_not_stop_the_restart(
    own_store: Path, start_server: ServerFactory
) -> None:
    """Killed while checkpointing, the server leaves `<generation>.<n>.tmp` behind (RocksDB
    makes a checkpoint there, then renames it): the next start must step past it."""
    server = start_server(own_store)
    update = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}before> <{MARK}> 1 }} }}"
    assert httpx.post(f"{server.url}/sparql", content=update.encode(), headers=UPDATE).status_code == 204
    server.kill()
    snapshots = own_store / "snapshots"
    newest = max(p for p in snapshots.iterdir() if p.is_dir())
    generation, sequence = newest.name.rsplit(".", 1)
    half_made = snapshots / f"{generation}.{int(sequence) + 1:09d}.tmp"
    half_made.mkdir()
    (half_made / "MANIFEST-000001").write_bytes(b"cut short")

    server = start_server(own_store)
    update = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}after> <{MARK}> 2 }} }}"
    assert httpx.post(f"{server.url}/sparql", content=update.encode(), headers=UPDATE).status_code == 204
    assert {row["s"] for row in select(server.url, WRITTEN)} == {f"{EX}before", f"{EX}after"}
    assert not half_made.exists()
