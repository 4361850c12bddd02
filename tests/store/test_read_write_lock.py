"""The lock that keeps the service's reads of a remote store apart from its own writes."""

from __future__ import annotations

import threading
import time
from email.message import Message

import pytest

from service.config import Settings
from service.store.remote import ReadWriteLock
from service.store.served import RemoteService

WAIT = 5.0


def started(target: object) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)  # type: ignore[arg-type]
    thread.start()
    return thread


def test_readers_share_the_lock() -> None:
    lock = ReadWriteLock()
    inside = threading.Barrier(3, timeout=WAIT)

    def read() -> None:
        with lock.reading():
            inside.wait()  # all three inside at once, or the barrier breaks

    threads = [started(read) for _ in range(2)]
    read()
    for thread in threads:
        thread.join(WAIT)


def test_a_write_waits_for_the_reads_and_the_reads_after_it_wait_for_the_write() -> None:
    lock = ReadWriteLock()
    events: list[str] = []
    first_read_in, release_first = threading.Event(), threading.Event()

    def first_read() -> None:
        with lock.reading():
            first_read_in.set()
            release_first.wait(WAIT)
            events.append("first read done")

    def write() -> None:
        with lock.writing():
            events.append("write")

    def later_read() -> None:
        with lock.reading():
            events.append("later read")

    reader = started(first_read)
    assert first_read_in.wait(WAIT)
    writer = started(write)
    time.sleep(0.2)  # the writer is waiting for the first read
    later = started(later_read)
    time.sleep(0.2)  # the later read queues behind the waiting writer
    assert events == []
    release_first.set()
    for thread in (reader, writer, later):
        thread.join(WAIT)
    assert events == ["first read done", "write", "later read"]


def test_no_read_runs_while_a_write_does() -> None:
    lock = ReadWriteLock()
    writing = threading.Event()
    seen_during_write: list[bool] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            with lock.reading():
                seen_during_write.append(writing.is_set())

    readers = [started(read) for _ in range(3)]
    for _ in range(20):
        with lock.writing():
            writing.set()
            time.sleep(0.005)
            writing.clear()
    stop.set()
    for thread in readers:
        thread.join(WAIT)
    assert seen_during_write and not any(seen_during_write)


def test_the_holder_takes_the_lock_again() -> None:
    lock = ReadWriteLock()
    with lock.writing(), lock.writing(), lock.reading():  # a write that reads (drop checks the graph)
        pass
    with lock.reading(), lock.reading():  # a dump that reads page by page
        pass
    done = threading.Event()

    def write() -> None:
        with lock.writing():
            done.set()

    started(write)
    assert done.wait(WAIT)  # and it was given back in full


def test_a_reader_cannot_start_writing() -> None:
    lock = ReadWriteLock()
    with lock.reading(), pytest.raises(RuntimeError, match="cannot start writing"), lock.writing():
        pass


def test_the_remote_service_holds_its_reads_while_one_of_its_writes_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A read asked for while a write is at the remote is sent only after the write returns."""
    settings = Settings(  # type: ignore[call-arg]
        backend="sparql", query_url="http://127.0.0.1:9/sparql", update_url="http://127.0.0.1:9/sparql"
    )
    store = RemoteService(settings)
    sent: list[str] = []
    write_at_remote, finish_write = threading.Event(), threading.Event()

    class Exchange:
        """Stands for SPARQLWrapper: records when each request reaches the remote."""

        queryType = "SELECT"

        def addParameter(self, name: str, value: str) -> None: ...

        def setQuery(self, text: str) -> None: ...

        def query(self) -> Exchange:
            if self.queryType != "SELECT":
                sent.append("write sent")
                write_at_remote.set()
                finish_write.wait(WAIT)
                sent.append("write answered")
                self.body, self.headers = b"", Message()
            else:
                sent.append("read sent")
                self.body, self.headers = b'{"head": {"vars": []}, "boolean": true}', Message()
                self.headers["Content-Type"] = "application/sparql-results+json"
            return self

        @property
        def response(self) -> Exchange:
            return self

        def read(self) -> bytes:
            return self.body

        def info(self) -> Message:
            return self.headers

    monkeypatch.setattr(store, "_wrapper", lambda **_: Exchange())
    writer = started(
        lambda: store.update("INSERT DATA { <urn:x:s> <urn:x:p> 1 } ; INSERT DATA { <urn:x:s> <urn:x:q> 1 }")
    )
    assert write_at_remote.wait(WAIT)
    reader = started(lambda: store.ask("ASK { ?s ?p ?o }"))
    time.sleep(0.2)
    assert sent == ["write sent"]  # the read waits
    finish_write.set()
    writer.join(WAIT)
    reader.join(WAIT)
    assert sent == ["write sent", "write answered", "read sent"]
    assert store.version == 1
