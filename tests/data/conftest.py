"""Fixtures for the curated dataset: the real ontology and data/ built once per session.

`built_curated_store` is the store home (a path) of that build; `curated_store` is the store opened
read-only on it (a GraphStore whose `.select(query, bindings)` binds variables through the engine)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service import resources
from service.build import pipeline
from service.store import GraphStore, OpenStore, StoreHome


@pytest.fixture(scope="session")
def built_curated_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The curated dataset built once per session; returns the store home's path."""
    home = Path(tmp_path_factory.mktemp("curated")) / "store"
    pipeline.build(StoreHome(home), resources.ontology_dir(), resources.data_dir())
    return home


@pytest.fixture(scope="session")
def curated_store(built_curated_store: Path) -> Iterator[GraphStore]:
    """The curated build opened read-only."""
    with OpenStore(StoreHome(built_curated_store), read_only=True) as opened:
        yield opened
