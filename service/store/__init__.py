"""Store access. Only this package imports pyoxigraph or SPARQLWrapper."""

from __future__ import annotations

import logging
from pathlib import Path

from service.errors import StoreUnavailable
from service.store.base import GraphStore, SelectResult, Term, Triple
from service.store.home import GenerationLease, StoreHome, has_writer, mark_carried, record_previous
from service.store.oxigraph import OxigraphStore, carry_written_graphs

__all__ = [
    "GraphStore",
    "OpenStore",
    "SelectResult",
    "StoreHome",
    "Term",
    "Triple",
    "carry_over",
    "in_memory_store",
    "open_generation",
]

logger = logging.getLogger(__name__)


def in_memory_store() -> OxigraphStore:
    return OxigraphStore.in_memory()


def open_generation(path: Path, *, read_only: bool = False) -> OxigraphStore:
    """Open one generation directory (used by the build, which writes a fresh one)."""
    return OxigraphStore.open(path, read_only=read_only)


class OpenStore:
    """The current generation of a store home, opened, with the lease that keeps it alive.
    Read-only, it opens the newest snapshot when a writing server has made one: a generation
    being written must not be opened by a second process."""

    def __init__(self, home: StoreHome, *, read_only: bool) -> None:
        self.generation = home.require_current()
        snapshot = home.latest_snapshot(self.generation) if read_only else None
        path = snapshot or self.generation
        self.lease = GenerationLease(path)
        try:
            self.store: GraphStore = OxigraphStore.open(path, read_only=read_only)
        except StoreUnavailable:
            self.lease.release()
            raise

    def close(self) -> None:
        self.store.close()
        self.lease.release()

    def __enter__(self) -> GraphStore:
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.close()


def carry_over(home: StoreHome, target: OxigraphStore, generation: Path) -> int | None:
    """Before publishing `generation`, carry the graphs written into the current generation
    over into it. When a server is writing the current generation it does this itself when it
    adopts the new one (returns None); otherwise returns the number of quads carried."""
    previous = home.current()
    record_previous(generation, previous)
    if previous is None:
        mark_carried(generation)
        return 0
    if has_writer(previous):
        return None
    source = OxigraphStore.open(previous, read_only=True)
    try:
        carried = carry_written_graphs(source, target)
    finally:
        source.close()
    mark_carried(generation)
    return carried
