"""Store fixtures: one real Virtuoso per test session, and `backend`, a fresh empty store on
each backend in turn (embedded Oxigraph, and the remote store over that Virtuoso)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.store.base import GraphStore
from service.store.oxigraph import OxigraphStore
from service.store.remote import RemoteStore
from tests.store.virtuoso import Virtuoso, empty_remote, remote_store


@pytest.fixture
def virtuoso_store(request: pytest.FixtureRequest) -> Iterator[RemoteStore]:
    server: Virtuoso = request.getfixturevalue("virtuoso")
    store = remote_store(server, request.getfixturevalue("virtuoso_system_graphs"))
    empty_remote(store)
    yield store
    empty_remote(store)


@pytest.fixture(params=["oxigraph", pytest.param("virtuoso", marks=pytest.mark.slow)])
def backend(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    """A fresh, empty store on each backend."""
    if request.param == "oxigraph":
        store = OxigraphStore.in_memory()
        yield store
        store.close()
        return
    yield request.getfixturevalue("virtuoso_store")
