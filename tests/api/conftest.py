"""Apps and servers over stores built from the valid fixture."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.config import Settings

TOKEN = "partner-secret-0123456789"
OTHER_TOKEN = "auditor-secret-9876543210"
TOKENS = f"partner:{TOKEN},auditor:{OTHER_TOKEN}"
WRITE = {"Authorization": f"Bearer {TOKEN}"}


def copy_store(built: Path, target: Path) -> Path:
    shutil.copytree(built, target, symlinks=True)
    return target


@pytest.fixture(scope="module")
def reader(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A read-only service (no tokens) on a shared store."""
    store = copy_store(built_store, tmp_path_factory.mktemp("reader") / "store")
    with TestClient(create_app(Settings(store=store))) as client:
        yield client


@pytest.fixture
def writer_store(built_store: Path, tmp_path: Path) -> Path:
    return copy_store(built_store, tmp_path / "store")


@pytest.fixture
def writer(writer_store: Path) -> Iterator[TestClient]:
    """A writable service on a private copy of the store."""
    with TestClient(create_app(Settings(store=writer_store, tokens=TOKENS))) as client:  # type: ignore[arg-type]
        yield client
