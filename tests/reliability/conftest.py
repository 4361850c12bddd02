"""Real servers for the reliability and security tests, with their logs kept in a file (a
server under load writes more log than a pipe holds), and the store's every quad read back."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import rdflib

from service.store import OpenStore, StoreHome
from service.store.base import NQUADS
from tests.api.conftest import TOKEN, TOKENS, copy_store, make_app, remote_fixture
from tests.conftest import BORDER21, free_port

__all__ = ["make_app", "remote_fixture"]  # the apps over both backends that the API tests use

WRITE = {"Authorization": f"Bearer {TOKEN}"}
UPDATE = {**WRITE, "Content-Type": "application/sparql-update"}
EX = "urn:x-border21-test:"


class LoggedServer:
    """A real `border21 serve` on a loopback port, its standard error written to `log`."""

    def __init__(self, store: Path, log: Path, env: dict[str, str] | None = None) -> None:
        self.store = store
        self.log = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with log.open("ab") as sink:
            self.process = subprocess.Popen(
                [BORDER21, "serve", "--store", str(store), "--port", str(self.port)],
                env={**os.environ, **(env or {})},
                stdout=subprocess.DEVNULL,
                stderr=sink,
            )

    def wait_until_ready(self, timeout: float = 60.0) -> None:
        """Until /readyz says the store is open (which also starts its query workers)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.log_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=5.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"the server did not become ready:\n{self.log_text()[-3000:]}")

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no cleanup."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


ServerFactory = Callable[..., LoggedServer]


@pytest.fixture
def own_store(built_store: Path, tmp_path: Path) -> Path:
    """A copy of the valid fixture's store, free to write."""
    return copy_store(built_store, tmp_path / "store")


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[ServerFactory]:
    """Starts servers (writable with the test tokens unless told otherwise) and stops them."""
    started: list[LoggedServer] = []

    def _start(store: Path, env: dict[str, str] | None = None, *, tokens: str | None = TOKENS) -> LoggedServer:
        settings = {"BORDER21_TOKENS": tokens} if tokens else {}
        server = LoggedServer(store, tmp_path / f"server-{len(started)}.log", {**settings, **(env or {})})
        started.append(server)
        server.wait_until_ready()
        return server

    yield _start
    for server in started:
        server.stop()


Quad = tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node, rdflib.term.Node | None]


def all_quads(store: Path) -> set[Quad]:
    """Every quad of a store no server is writing, parsed back with rdflib; blank nodes keep
    the store's labels (skolemised), so two stores compare equal only if those match too."""
    with OpenStore(StoreHome(store), read_only=True) as opened:
        data = opened.dump_bytes(NQUADS)  # type: ignore[attr-defined]
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format="nquads", skolemize=True)
    return set(dataset.quads())


def select(base_url: str, query: str, client: httpx.Client | None = None) -> list[dict[str, str]]:
    """The rows of a SELECT, each variable's value as a string."""
    send = client.get if client is not None else httpx.get
    response = send(
        f"{base_url}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]
