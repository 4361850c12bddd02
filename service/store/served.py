"""The embedded store as the running service uses it.

- Reads run in a pool of worker processes (see `worker.py`), so a query whose time is up is
  really stopped. Workers read a store directory nobody writes: the current generation when
  the service is read-only, else the newest snapshot (a RocksDB checkpoint, immutable) of it.
- Writes (only when write tokens are configured) run in this process on the current
  generation opened for writing, one at a time; each is one transaction, followed by a fresh
  snapshot before it is acknowledged, so the next read sees it.
- When a build publishes a new generation the service adopts it: it carries the graphs
  written through the service over into it (the build replaced only the curated graphs),
  then reads and writes there.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, XSD
from rdflib.term import URIRef

from service.config import Settings
from service.errors import ReadOnly, StoreUnavailable
from service.namespaces import DERIVED_GRAPH, PROVENANCE_GRAPH
from service.store.base import Bindings, QueryDataset, QueryResult, Scan, Scanned, SelectResult, Serialized, Triple
from service.store.home import (
    StoreHome,
    has_writer,
    is_carried,
    mark_carried,
    previous_of,
    remove_unless_in_use,
)
from service.store.oxigraph import OxigraphStore, carry_written_graphs
from service.store.remote import RemoteStore
from service.store.worker import Task, WorkerPool

logger = logging.getLogger(__name__)

T = TypeVar("T")


_DERIVED = ox.NamedNode(str(DERIVED_GRAPH))
_MODIFIED = ox.NamedNode(str(DCTERMS.modified))


def _is_mark(triple: ox.Triple) -> bool:
    """Whether `triple` is the derived graph's mark that it reflects the written graphs."""
    return triple.subject == _DERIVED and triple.predicate == _MODIFIED


def _mark() -> ox.Triple:
    """The mark, dated now."""
    now = ox.Literal(datetime.now(UTC).isoformat(), datatype=ox.NamedNode(str(XSD.dateTime)))
    return ox.Triple(_DERIVED, _MODIFIED, now)


class ServedStore:
    def __init__(self, settings: Settings, *, check_interval: float = 1.0) -> None:
        self.home = StoreHome(settings.store)
        self.writable = settings.writable
        self.max_results = settings.max_results
        self.check_interval = check_interval
        self.pool = WorkerPool(settings.query_workers, settings.query_timeout)
        self._lock = threading.RLock()
        self._generation: Path | None = None
        self._writer: OxigraphStore | None = None
        self._read_path: Path | None = None
        self._checked_at = 0.0
        self._reading: Counter[Path] = Counter()  # reads handed to a worker, by store directory
        self._reading_lock = threading.Lock()
        self.version = 0  # grows with every adoption and write: a key for caches

    # -- following the build ---------------------------------------------------------------

    @property
    def generation(self) -> Path | None:
        return self._generation

    def _ensure(self) -> Path:
        """The directory reads should use now, adopting a newly published generation."""
        now = time.monotonic()
        with self._lock:
            if self._generation is None or now - self._checked_at >= self.check_interval:
                self._checked_at = now
                current = self.home.current()
                if current is not None and current != self._generation:
                    self._adopt(current)
            if self._read_path is None:
                raise StoreUnavailable("no store has been built yet: run `border21 build` first")
            return self._read_path

    def _adopt(self, generation: Path) -> None:
        if not self.writable:
            self._generation, self._read_path = generation, generation
            self.version += 1
            logger.info("event=store_adopted generation=%s read_only=true", generation.name)
            return
        writer = OxigraphStore.open(generation)
        try:
            source = self._writer
            if source is not None:
                carried = carry_written_graphs(source, writer)
            elif not is_carried(generation) and (previous := previous_of(generation)) is not None:
                carried = self._carry_from_disk(previous, writer)
            else:
                carried = 0
            mark_carried(generation)
        except Exception:
            writer.close()
            raise
        if self._writer is not None:
            self._writer.close()
        self._writer, self._generation = writer, generation
        self._snapshot()
        logger.info("event=store_adopted generation=%s carried_quads=%d", generation.name, carried)

    @staticmethod
    def _carry_from_disk(previous: Path, writer: OxigraphStore) -> int:
        if has_writer(previous):
            raise StoreUnavailable("another process is writing the previous store generation")
        source = OxigraphStore.open(previous, read_only=True)
        try:
            return carry_written_graphs(source, writer)
        finally:
            source.close()

    def _snapshot(self) -> None:
        """Checkpoint the writer for the readers, then drop snapshots nobody reads any more."""
        assert self._writer is not None and self._generation is not None
        self.home.snapshots().mkdir(parents=True, exist_ok=True)
        target = self.home.snapshots() / f"{self._generation.name}.{self._next_sequence():09d}"
        self._writer.backup(target)
        self._read_path = target
        self.version += 1
        for old in self.home.snapshots().iterdir():
            # a read waiting for a worker has no lease on its snapshot yet: keep that one
            with self._reading_lock:
                in_use = bool(self._reading[old])
            if old.is_dir() and old != target and not in_use:
                remove_unless_in_use(old)

    def _next_sequence(self) -> int:
        """After every snapshot of this generation, even one a crash left half made
        (`<generation>.<sequence>.tmp`, which the clean-up after this snapshot removes)."""
        assert self._generation is not None
        prefix = f"{self._generation.name}."
        taken = [
            int(name.split(".")[0])
            for name in (p.name.removeprefix(prefix) for p in self.home.snapshots().glob(f"{prefix}*"))
            if name.split(".")[0].isdigit()
        ]
        return max(taken, default=-1) + 1

    def cache_key(self) -> str | None:
        """Changes whenever what reads return may change: a new build adopted, or a write."""
        self._ensure()
        generation = self._generation.name if self._generation else "none"
        return f"{generation}:{self.version}"

    # -- reads -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _leased(self) -> Iterator[tuple[Path, int]]:
        """The directory reads use now and the version it holds, kept from the snapshots'
        clean-up until the block ends."""
        with self._lock:  # so not between a write's snapshot and its clean-up
            path = self._ensure()
            version = self.version
            with self._reading_lock:
                self._reading[path] += 1
        try:
            yield path, version
        finally:
            with self._reading_lock:
                self._reading[path] -= 1
                if not self._reading[path]:
                    del self._reading[path]

    def _read(self, method: str, *args: Any, **kwargs: Any) -> Any:
        with self._leased() as (path, _):
            # The cap protects the service from a client's query (/sparql); the service's own
            # reads (links on a date, the search index) grow with the data and are not capped.
            cap = self.max_results if method == "execute" else None
            return self.pool.run(Task(str(path), method, args, kwargs, cap))

    def select(self, query: str, bindings: Bindings | None = None) -> SelectResult:
        result: SelectResult = self._read("select", query, bindings)
        return result

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        return bool(self._read("ask", query, bindings))

    def construct(self, query: str, bindings: Bindings | None = None) -> list[Triple]:
        result: list[Triple] = self._read("construct", query, bindings)
        return result

    def query(self, query: str, bindings: Bindings | None = None) -> QueryResult:
        result: QueryResult = self._read("query", query, bindings)
        return result

    def execute(
        self,
        query: str,
        *,
        results_media_type: str | None,
        graph_media_type: str | None,
        dataset: QueryDataset | None = None,
    ) -> Serialized:
        result: Serialized = self._read(
            "execute",
            query,
            results_media_type=results_media_type,
            graph_media_type=graph_media_type,
            dataset=dataset,
        )
        return result

    def contains(self, triple: Triple) -> bool:
        return bool(self._read("contains", triple))

    def scan(self, scans: list[Scan]) -> Scanned:
        result: Scanned = self._read("scan", scans)
        return result

    def named_graphs(self) -> list[URIRef]:
        result: list[URIRef] = self._read("named_graphs")
        return result

    def triple_count(self, graph: URIRef | None = None) -> int:
        return int(self._read("triple_count", graph))

    def has_graph(self, graph: URIRef | None) -> bool:
        return bool(self._read("has_graph", graph))

    def graph_bytes(self, graph: URIRef | None, media_type: str) -> bytes:
        result: bytes = self._read("graph_bytes", graph, media_type)
        return result

    def dump(self, out: BinaryIO, media_type: str) -> None:
        out.write(self._read("dump_bytes", media_type))

    # -- writes ----------------------------------------------------------------------------

    def _write(self, action: Callable[[OxigraphStore], T]) -> T:
        if not self.writable:
            raise ReadOnly("this service is read-only: start it with BORDER21_TOKENS to accept writes")
        with self._lock:
            self._ensure()
            assert self._writer is not None
            result = action(self._writer)
            self._snapshot()
            return result

    def update(self, update: str, dataset: QueryDataset | None = None) -> None:
        self._write(lambda store: store.update(update, dataset))

    def replace_graph(self, graph: URIRef | None, data: bytes, media_type: str) -> int:
        return self._write(lambda store: store.replace_graph(graph, data, media_type))

    def add_to_graph(self, graph: URIRef | None, data: bytes, media_type: str) -> int:
        return self._write(lambda store: store.add_to_graph(graph, data, media_type))

    def drop_graph(self, graph: URIRef | None) -> None:
        self._write(lambda store: store.drop_graph(graph))

    def load_file(self, path: Path, graph: URIRef, media_type: str = "text/turtle") -> None:
        self._write(lambda store: store.load_file(path, graph, media_type))

    def add_triples(self, graph: URIRef, triples: Iterable[Triple]) -> int:
        batch = list(triples)
        return self._write(lambda store: store.add_triples(graph, batch))

    # -- derived cooperation that follows the writes ----------------------------------------

    def derive_again(self, derive: Callable[[OxigraphStore], object], max_quads: int) -> int | None:
        """Bring the derived graph up to date with the written graphs: copy the store's current
        state into memory, drop its derived graph, have `derive` infer and derive over every
        graph (written ones included), then, in one transaction, remove from the served derived
        graph what is no longer derived and add what now is. A mark in the provenance graph
        (the derived graph's dcterms:modified) says the derived graph reflects writes, so that
        dropping the last written graph derives again too; with no written graph and no mark
        nothing is done (the build's derivation stands).

        Returns the number of triples removed and added (0: already up to date); None when
        nothing could be done: a read-only service, a store larger than `max_quads`, or one
        changed meanwhile (the next call after the change does it)."""
        if not self.writable:
            return None
        with self._leased() as (path, version):
            snapshot = OxigraphStore.open(path, read_only=True)
            try:
                # Asked of the snapshot before anything is copied: with nothing written, a
                # start or a rebuild costs no copy of the store.
                marks = {t for t in snapshot.graph_natives(PROVENANCE_GRAPH) if _is_mark(t)}
                written = snapshot.holds_written()
                if not written and not marks:
                    return 0
                quads = snapshot.triple_count()
                if quads > max_quads:
                    logger.info("event=rederive_skipped reason=size quads=%d", quads)
                    return None
                work = OxigraphStore.in_memory()
                work.add_store(snapshot)
            finally:
                snapshot.close()
        try:
            before = work.graph_natives(DERIVED_GRAPH)
            work.drop_named_graph(DERIVED_GRAPH)
            derive(work)
            after = work.graph_natives(DERIVED_GRAPH)
        finally:
            work.close()
        stale, fresh = before - after, after - before
        marked = written and bool(marks or stale or fresh)
        if not stale and not fresh and marked == bool(marks):
            return 0
        new_marks = {_mark()} if marked else set()
        with self._lock:
            if self.version != version or self._writer is None:
                return None
            self._writer.change_graphs([(DERIVED_GRAPH, stale, fresh), (PROVENANCE_GRAPH, marks, new_marks)])
            self._snapshot()
        logger.info("event=rederived removed=%d added=%d", len(stale), len(fresh))
        return len(stale) + len(fresh)

    def flush(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.flush()

    def close(self) -> None:
        with self._lock:
            self.pool.close()
            if self._writer is not None:
                self._writer.close()
                self._writer = None


class RemoteService(RemoteStore):
    """A remote SPARQL store as the service uses it: reads and writes go to the remote, which
    keeps its own data; timeouts are HTTP timeouts (set the remote's own query limit too)."""

    generation: Path | None = None

    def __init__(self, settings: Settings) -> None:
        assert settings.query_url is not None
        password = settings.remote_password.get_secret_value() if settings.remote_password else None
        super().__init__(
            settings.query_url,
            settings.update_url,
            user=settings.remote_user,
            password=password,
            auth=settings.remote_auth,
            timeout=settings.query_timeout,
            max_results=settings.max_results,
            default_graph=URIRef(settings.remote_default_graph) if settings.remote_default_graph else None,
            hidden_graphs=settings.remote_hidden_graphs,
        )
        self.version = 0
        # As on the embedded store, only a user's query (`execute`) is capped: the service's
        # own reads (every link on a date, the search index) grow with the data.
        self.cap_reads = False

    def cache_key(self) -> str | None:
        """None: the remote store may change behind the service's back, so nothing is cached."""
        return None

    def update(self, update: str, dataset: QueryDataset | None = None) -> None:
        super().update(update, dataset)
        self.version += 1

    def replace_graph(self, graph: URIRef | None, data: bytes, media_type: str) -> int:
        count = super().replace_graph(graph, data, media_type)
        self.version += 1
        return count

    def add_to_graph(self, graph: URIRef | None, data: bytes, media_type: str) -> int:
        count = super().add_to_graph(graph, data, media_type)
        self.version += 1
        return count

    def drop_graph(self, graph: URIRef | None) -> None:
        super().drop_graph(graph)
        self.version += 1


ServiceStore = ServedStore | RemoteService


def open_service_store(settings: Settings) -> ServiceStore:
    """The store the HTTP service runs on, as `BORDER21_BACKEND` says."""
    if settings.backend == "sparql":
        return RemoteService(settings)
    return ServedStore(settings)
