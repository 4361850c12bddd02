"""The caches every planner request needs are filled in the background at start-up, so the first
request does not wait for the actor list, the labels or the search index."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service import catalog
from service.api import create_app
from service.config import Settings
from tests.api.conftest import copy_store

NETWORK = "/api/v1/network?actor=state/aa"


@pytest.fixture
def actor_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How often the actor list is read from the store."""
    reads: list[int] = []
    read = catalog.actors

    def counted(store):  # type: ignore[no-untyped-def]
        reads.append(1)
        return read(store)

    monkeypatch.setattr(catalog, "actors", counted)
    return reads


def test_start_up_reads_the_actor_list_before_any_request(
    built_store: Path, tmp_path: Path, actor_reads: list[int]
) -> None:
    store = copy_store(built_store, tmp_path / "store")
    with TestClient(create_app(Settings(store=store, warm_up=True))) as client:  # type: ignore[call-arg]
        deadline = time.monotonic() + 60
        while not actor_reads and time.monotonic() < deadline:
            time.sleep(0.05)
        assert actor_reads == [1], "the warm-up did not read the actor list"
        knowledge = client.app.state.knowledge  # type: ignore[attr-defined]
        while knowledge._knowledge is None and time.monotonic() < deadline:
            time.sleep(0.05)
        response = client.get(NETWORK)
        assert response.status_code == 200
        assert actor_reads == [1], "the first request read the actor list again"


def test_without_warm_up_the_first_request_reads_the_actor_list(
    built_store: Path, tmp_path: Path, actor_reads: list[int]
) -> None:
    store = copy_store(built_store, tmp_path / "store")
    with TestClient(create_app(Settings(store=store, warm_up=False))) as client:  # type: ignore[call-arg]
        time.sleep(0.5)
        assert actor_reads == []
        assert client.get(NETWORK).status_code == 200
        assert actor_reads == [1]
