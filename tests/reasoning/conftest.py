"""A store built from the invented world of tests/fixtures/data/world: a union of three
states, one of which leaves it on 31 December 2020 for a bilateral agreement."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.build.pipeline import build
from service.config import Settings
from service.resources import ontology_dir
from service.store import OpenStore, StoreHome
from service.store.base import GraphStore
from tests.conftest import FIXTURES

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
