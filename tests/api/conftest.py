"""Apps over stores built from the valid fixture, on each backend: the embedded Oxigraph store,
and a real Virtuoso reached as a remote SPARQL store."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api import create_app
from service.build.publish_remote import upload_build
from service.config import Settings
from service.store import OpenStore, StoreHome
from service.store.remote import RemoteStore
from tests.store.virtuoso import VIRTUOSO_DEFAULT_GRAPH, Virtuoso, empty_remote, remote_store

TOKEN = "partner-secret-0123456789"
OTHER_TOKEN = "auditor-secret-9876543210"
TOKENS = f"partner:{TOKEN},auditor:{OTHER_TOKEN}"
WRITE = {"Authorization": f"Bearer {TOKEN}"}
BACKENDS = ["oxigraph", pytest.param("virtuoso", marks=pytest.mark.slow)]


def copy_store(built: Path, target: Path) -> Path:
    shutil.copytree(built, target, symlinks=True)
    return target


class RemoteFixture:
    """The valid fixture loaded into the session's Virtuoso, reloaded only after a test wrote."""

    def __init__(self, virtuoso: Virtuoso, system_graphs: frozenset[str], built: Path) -> None:
        self.virtuoso = virtuoso
        self.system_graphs = system_graphs
        self.built = built
        self.clean = False

    def store(self) -> RemoteStore:
        return remote_store(self.virtuoso, self.system_graphs)

    def load(self, *, will_write: bool) -> None:
        if not self.clean:
            remote = self.store()
            empty_remote(remote)
            with OpenStore(StoreHome(self.built), read_only=True) as local:
                upload_build(remote, local)
        self.clean = not will_write

    def settings(self, **extra: object) -> Settings:
        return Settings(  # type: ignore[call-arg]
            backend="sparql",
            query_url=self.virtuoso.sparql_url,
            update_url=self.virtuoso.sparql_url,
            remote_default_graph=str(VIRTUOSO_DEFAULT_GRAPH),
            remote_hidden_graphs=sorted(self.system_graphs),
            **extra,
        )


@pytest.fixture(scope="session")
def remote_fixture(virtuoso: Virtuoso, virtuoso_system_graphs: frozenset[str], built_store: Path) -> RemoteFixture:
    return RemoteFixture(virtuoso, virtuoso_system_graphs, built_store)


AppFactory = Callable[..., FastAPI]


@pytest.fixture(params=BACKENDS)
def make_app(request: pytest.FixtureRequest, built_store: Path, tmp_path: Path) -> AppFactory:
    """Builds an app over a fresh copy of the fixture on one backend; settings may be added."""

    def factory(*, will_write: bool = True, **extra: object) -> FastAPI:
        if request.param == "virtuoso":
            remote: RemoteFixture = request.getfixturevalue("remote_fixture")
            remote.load(will_write=will_write)
            return create_app(remote.settings(**extra))
        store = tmp_path / "store"
        if not store.exists():
            copy_store(built_store, store)
        return create_app(Settings(store=store, **extra))  # type: ignore[arg-type]

    factory.backend = request.param  # type: ignore[attr-defined]
    return factory


@pytest.fixture
def reader(make_app: AppFactory) -> Iterator[TestClient]:
    """A read-only service (no tokens)."""
    with TestClient(make_app(will_write=False)) as client:
        yield client


@pytest.fixture
def writer(make_app: AppFactory) -> Iterator[TestClient]:
    """A writable service on its own copy of the data."""
    with TestClient(make_app(tokens=TOKENS)) as client:
        yield client


@pytest.fixture
def writer_store(built_store: Path, tmp_path: Path) -> Path:
    """An embedded store directory of its own, for tests about the embedded store's files."""
    return copy_store(built_store, tmp_path / "own-store")
