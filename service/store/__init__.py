"""Store access. Only this package imports pyoxigraph or SPARQLWrapper."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from service.config import Settings
from service.errors import StoreUnavailable
from service.store.base import GraphStore, SelectResult, Term, Triple
from service.store.home import GenerationLease, StoreHome
from service.store.oxigraph import OxigraphStore

__all__ = [
    "GraphStore",
    "OpenStore",
    "SelectResult",
    "StoreHome",
    "StoreProvider",
    "Term",
    "Triple",
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
    """The current generation of a store home, opened, with the lease that keeps it alive."""

    def __init__(self, home: StoreHome, *, read_only: bool) -> None:
        self.generation = home.require_current()
        self.lease = GenerationLease(self.generation)
        try:
            self.store: GraphStore = OxigraphStore.open(self.generation, read_only=read_only)
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


class StoreProvider:
    """Hands the service the store of the current generation and follows the pointer when a
    build publishes a new one (checked at most once per `check_interval` seconds)."""

    def __init__(self, settings: Settings, *, check_interval: float = 1.0) -> None:
        self.home = StoreHome(settings.store)
        self.read_only = not settings.writable
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._open: OpenStore | None = None
        self._checked_at = 0.0

    def get(self) -> GraphStore:
        now = time.monotonic()
        with self._lock:
            if self._open is None or now - self._checked_at >= self.check_interval:
                self._checked_at = now
                self._follow_pointer()
            if self._open is None:
                raise StoreUnavailable("no store has been built yet: run `border21 build` first")
            return self._open.store

    @property
    def generation(self) -> Path | None:
        return None if self._open is None else self._open.generation

    def _follow_pointer(self) -> None:
        try:
            current = self.home.current()
        except StoreUnavailable:
            logger.warning("event=store_pointer_unreadable home=%s", self.home.path, exc_info=True)
            return
        if current is None or (self._open is not None and self._open.generation == current):
            return
        try:
            fresh = OpenStore(self.home, read_only=self.read_only)
        except StoreUnavailable:
            logger.error("event=store_reopen_failed generation=%s", current, exc_info=True)
            return
        previous, self._open = self._open, fresh
        logger.info("event=store_opened generation=%s read_only=%s", fresh.generation.name, self.read_only)
        if previous is not None:
            # Queries already running hold their own reference to the old store object, so
            # closing the lease only lets a later build prune it once they finish.
            previous.lease.release()

    def close(self) -> None:
        with self._lock:
            if self._open is not None:
                self._open.close()
                self._open = None
