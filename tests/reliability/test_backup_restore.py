"""`border21 backup DIR` while the server runs and writes, and `border21 restore DIR`: the
restored store holds exactly the quads the store held when the backup was taken."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from rdflib import URIRef

from service.audit import read_entries
from service.build.pipeline import BuildReport
from tests.conftest import run_cli
from tests.reliability.conftest import EX, UPDATE, WRITE, LoggedServer, ServerFactory, all_quads, select

pytestmark = pytest.mark.slow

NOTES = f"{EX}notes"
MARK = URIRef(f"{EX}mark")


def write_some(server: LoggedServer, tag: str) -> None:
    """A named graph by the Graph Store, another by SPARQL Update, and the default graph."""
    body = f'<{EX}{tag}-note> <{MARK}> "{tag}"@en .\n_:b <{MARK}> <{EX}{tag}-note> .\n'.encode()
    headers = {**WRITE, "Content-Type": "text/turtle"}
    assert httpx.post(
        f"{server.url}/rdf-graph-store", params={"graph": NOTES}, content=body, headers=headers
    ).is_success
    update = (
        f"INSERT DATA {{ GRAPH <{EX}{tag}-graph> {{ <{EX}{tag}> <{MARK}> 1 }} }} ;\n"
        f"INSERT DATA {{ <{EX}{tag}-default> <{MARK}> 2 }}"
    )
    assert httpx.post(f"{server.url}/sparql", content=update.encode(), headers=UPDATE).status_code == 204


def scenario(server: LoggedServer) -> str:
    response = httpx.post(f"{server.url}/api/v1/scenarios", json={"at": "2021-01-01", "before": "2020-12-31"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_backup_while_serving_then_restore_gives_back_the_same_quads(
    own_store: Path, start_server: ServerFactory, tmp_path: Path
) -> None:
    server = start_server(own_store)
    write_some(server, "first")
    saved = scenario(server)

    backup = tmp_path / "backup"
    result = run_cli("backup", str(backup), "--store", str(own_store))
    assert result.returncode == 0, result.stderr
    assert (backup / "backup.json").is_file()
    server.stop()
    at_backup = all_quads(own_store)
    assert {URIRef(f"{EX}first"), URIRef(f"{EX}first-default"), URIRef(f"{EX}first-note")} <= {
        s for s, p, o, g in at_backup if p == MARK
    }

    # the store moves on: more writes, a graph deleted
    server = start_server(own_store)
    write_some(server, "second")
    assert httpx.delete(f"{server.url}/rdf-graph-store", params={"graph": NOTES}, headers=WRITE).status_code == 204
    server.stop()
    assert all_quads(own_store) != at_backup

    result = run_cli("restore", str(backup), "--store", str(own_store))
    assert result.returncode == 0, result.stderr
    assert all_quads(own_store) == at_backup

    # and into an empty directory, as on a new machine; the saved scenario comes back too
    fresh = tmp_path / "fresh-store"
    result = run_cli("restore", str(backup), "--store", str(fresh))
    assert result.returncode == 0, result.stderr
    assert all_quads(fresh) == at_backup
    server = start_server(fresh)
    assert httpx.get(f"{server.url}/api/v1/scenarios/{saved}").status_code == 200
    rows = select(server.url, f"SELECT ?s WHERE {{ ?s <{MARK}> 2 }}")
    assert rows == [{"s": f"{EX}first-default"}]  # the default graph came back; the later write did not

    (restored,) = [e for e in read_entries(own_store / "audit.log") if e["action"] == "restore"]
    assert restored["triples"] == len(at_backup)
    assert str(restored["who"]).startswith("local:")


def test_a_backup_taken_during_a_stream_of_writes_is_consistent(
    own_store: Path, start_server: ServerFactory, tmp_path: Path
) -> None:
    """Every write acknowledged before the backup started is in it, and each write is in it
    whole or not at all."""
    server = start_server(own_store)
    acknowledged: list[int] = []
    stop = threading.Event()

    def stream() -> None:
        with httpx.Client(timeout=30) as client:
            number = 0
            while not stop.is_set():
                update = (
                    f"INSERT DATA {{ GRAPH <{EX}stream> {{ <{EX}w{number}> <{EX}left> {number} }} }} ;\n"
                    f"INSERT DATA {{ GRAPH <{EX}stream> {{ <{EX}w{number}> <{EX}right> {number} }} }}"
                )
                if client.post(f"{server.url}/sparql", content=update.encode(), headers=UPDATE).status_code == 204:
                    acknowledged.append(number)
                number += 1

    writer = threading.Thread(target=stream)
    writer.start()
    try:
        while len(acknowledged) < 10:
            time.sleep(0.02)
        before_backup = set(acknowledged)
        result = run_cli("backup", str(tmp_path / "backup"), "--store", str(own_store))
    finally:
        stop.set()
        writer.join(timeout=30)
    assert result.returncode == 0, result.stderr
    server.stop()

    restored = tmp_path / "restored"
    assert run_cli("restore", str(tmp_path / "backup"), "--store", str(restored)).returncode == 0
    quads = all_quads(restored)
    left = {int(o) for s, p, o, g in quads if p == URIRef(f"{EX}left")}  # type: ignore[call-overload]
    right = {int(o) for s, p, o, g in quads if p == URIRef(f"{EX}right")}  # type: ignore[call-overload]
    assert before_backup <= left
    assert left == right


def test_restore_refuses_while_a_server_writes_the_store(
    own_store: Path, start_server: ServerFactory, tmp_path: Path
) -> None:
    start_server(own_store)
    assert run_cli("backup", str(tmp_path / "backup"), "--store", str(own_store)).returncode == 0
    result = run_cli("restore", str(tmp_path / "backup"), "--store", str(own_store))
    assert result.returncode == 3
    assert "stop it before restoring" in result.stderr


def test_backup_wants_a_new_or_empty_directory_and_restore_a_backup(own_store: Path, tmp_path: Path) -> None:
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("mine", encoding="utf-8")
    result = run_cli("backup", str(occupied), "--store", str(own_store))
    assert result.returncode == 1 and "not empty" in result.stderr
    assert [p.name for p in occupied.iterdir()] == ["keep.txt"]

    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli("backup", str(empty), "--store", str(own_store)).returncode == 0  # no server: the generation
    assert all_quads(own_store) == all_quads(_restored(empty, tmp_path / "again"))

    result = run_cli("restore", str(occupied), "--store", str(own_store))
    assert result.returncode == 1 and "not a border21 backup" in result.stderr


def _restored(backup: Path, store: Path) -> Path:
    result = run_cli("restore", str(backup), "--store", str(store))
    assert result.returncode == 0, result.stderr
    return store


@pytest.mark.java
def test_a_backup_after_a_rebuild_keeps_the_graphs_written_before_it(
    own_store: Path,
    start_server: ServerFactory,
    build_into: Callable[[Path, Path], BuildReport],
    valid_data: Path,
    tmp_path: Path,
) -> None:
    """A build published while no server runs leaves the written graphs in the generation it
    replaced, for the next server to carry over: the backup carries them over itself."""
    server = start_server(own_store)
    write_some(server, "kept")
    server.stop()
    build_into(own_store, valid_data)

    result = run_cli("backup", str(tmp_path / "backup"), "--store", str(own_store))
    assert result.returncode == 0, result.stderr
    restored = all_quads(_restored(tmp_path / "backup", tmp_path / "restored"))
    subjects = {s for s, p, o, g in restored if p == MARK}
    assert {URIRef(f"{EX}kept"), URIRef(f"{EX}kept-default"), URIRef(f"{EX}kept-note")} <= subjects
