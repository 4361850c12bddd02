"""Shared fixtures: the project's source directories and small stores built from fixtures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.build.pipeline import BuildReport, build
from service.config import Settings
from service.resources import data_dir, ontology_dir
from service.store import OpenStore, StoreHome
from service.store.base import GraphStore
from service.store.remote import RemoteStore
from tests.store.virtuoso import Virtuoso, running_virtuoso

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
VALID_DATA = FIXTURES / "data" / "valid"
BORDER21 = str(Path(sys.executable).with_name("border21"))


@pytest.fixture(scope="session")
def ontology() -> Path:
    return ontology_dir()


@pytest.fixture
def valid_data(tmp_path: Path) -> Path:
    """A private copy of the valid fixture, free to edit."""
    target = tmp_path / "data"
    shutil.copytree(VALID_DATA, target)
    return target


@pytest.fixture
def build_into(ontology: Path) -> Callable[[Path, Path], BuildReport]:
    def _build(store: Path, data: Path) -> BuildReport:
        return build(StoreHome(store), ontology, data)

    return _build


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory, ontology: Path) -> Path:
    """A store built once from the valid fixture, shared read-only by many tests."""
    store = tmp_path_factory.mktemp("built") / "store"
    build(StoreHome(store), ontology, VALID_DATA)
    return store


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `border21` command as a user would."""
    return subprocess.run(
        [BORDER21, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=300,
        check=False,
    )


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A real `border21 serve` process on a loopback port."""

    def __init__(self, store: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [BORDER21, "serve", "--store", str(store), "--port", str(self.port)],
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_until_up(self, timeout: float = 30.0) -> None:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stderr.read() if self.process.stderr else ''}")
            try:
                httpx.get(f"{self.url}/healthz", timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise TimeoutError("server did not start")

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", timeout=10.0)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def _serve(store: Path, env: dict[str, str] | None = None) -> Server:
        server = Server(store, env)
        started.append(server)
        server.wait_until_up()
        return server

    yield _serve
    for server in started:
        server.stop()


# -- a real Virtuoso, shared by every test that needs the remote backend ---------------------


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_system_graphs(virtuoso: Virtuoso) -> frozenset[str]:
    """The graphs a fresh Virtuoso database holds before any test writes: never touched."""
    probe = RemoteStore(virtuoso.sparql_url)
    return frozenset(str(graph) for graph in probe.named_graphs())


# -- an invented world for derived cooperation, scenarios and the REST facade -------------------

WORLD = FIXTURES / "data" / "world"


@pytest.fixture(scope="session")
def world_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("world") / "store"
    build(StoreHome(store), ontology_dir(), WORLD)
    return store


@pytest.fixture
def world(world_store_path: Path) -> Iterator[GraphStore]:
    with OpenStore(StoreHome(world_store_path), read_only=True) as store:
        yield store


@pytest.fixture(scope="module")
def world_api(world_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    import shutil

    store = tmp_path_factory.mktemp("world-api") / "store"
    shutil.copytree(world_store_path, store, symlinks=True)
    with TestClient(create_app(Settings(store=store))) as client:
        yield client


# -- the curated dataset of data/, built once per session -----------------------------------------


@pytest.fixture(scope="session")
def built_curated_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The curated dataset built once per session; returns the store home's path."""
    home = Path(tmp_path_factory.mktemp("curated")) / "store"
    build(StoreHome(home), ontology_dir(), data_dir())
    return home


@pytest.fixture(scope="session")
def curated_store(built_curated_store: Path) -> Iterator[GraphStore]:
    """The curated build opened read-only."""
    with OpenStore(StoreHome(built_curated_store), read_only=True) as opened:
        yield opened
