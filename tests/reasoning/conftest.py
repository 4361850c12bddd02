"""The reasoning tests use the invented-world fixtures of tests/conftest.py, and generated data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.build.pipeline import build
from service.generate import generate
from service.resources import ontology_dir
from service.store import OpenStore, StoreHome
from service.store.base import GraphStore


@pytest.fixture(scope="session")
def generated_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    """Generated data of 12,000 triples (organisations extending agreements to their members,
    agencies, channels), built once and opened read-only."""
    root = tmp_path_factory.mktemp("generated")
    generate(root / "data", 12_000, seed=4)
    build(StoreHome(root / "store"), ontology_dir(), root / "data")
    with OpenStore(StoreHome(root / "store"), read_only=True) as store:
        yield store
