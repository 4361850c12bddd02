"""The audit log of writes: one JSON line per acknowledged write, saying who (the token's
name, never its secret), when, what kind of write, which graphs it changed and by how many
triples.

The file is opened with O_APPEND and never truncated or rewritten, and each line is synced
to disk before the write is acknowledged. How a write changed the store is measured, not
guessed from its text: the triples in each graph are counted just before and just after it,
with writes through this service taken one at a time meanwhile, so the counts belong to this
write alone. The counts are net: an update that deletes three triples of a graph and inserts
three others leaves that graph's count unchanged (the entry still names the update by its
SHA-256, which the writer can match against what it sent).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import os
import threading
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from anyio import to_thread
from rdflib.term import URIRef

from service.config import Settings
from service.errors import Border21Error
from service.store.base import SelectResult

if TYPE_CHECKING:
    from starlette.requests import Request

logger = logging.getLogger(__name__)

DEFAULT_GRAPH = "default"
GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


class CountingStore(Protocol):
    """What the audit needs of a store: both service backends provide it."""

    def select(self, query: str) -> SelectResult: ...

    def triple_count(self, graph: URIRef | None = None) -> int: ...


class AuditLog:
    """An append-only file of JSON lines."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        self._file = os.fdopen(descriptor, "a", encoding="utf-8")
        self._lock = threading.Lock()

    def append(self, entry: Mapping[str, object]) -> None:
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        with self._lock:
            self._file.close()


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class WriteRecord:
    """One write as the route knows it; `triples` is what the request carried (an upload's
    triples), when it says."""

    who: str
    action: str
    graph: str | None = None
    triples: int | None = None
    request_id: str | None = None
    client: str | None = None
    details: dict[str, object] = field(default_factory=dict)


def write_record(request: Request, who: str, action: str, **fields: object) -> WriteRecord:
    """The record of a write made by an HTTP request."""
    return WriteRecord(
        who,
        action,
        request_id=getattr(request.state, "request_id", None),
        client=request.client.host if request.client else None,
        **fields,  # type: ignore[arg-type]
    )


def update_details(update: str) -> dict[str, object]:
    """What names a SPARQL update in its entry: its size and digest, not its text."""
    data = update.encode("utf-8")
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def graph_sizes(store: CountingStore, hidden: Collection[str] = ()) -> dict[str, int]:
    """Triples in each graph, the store's own default graph under "default"."""
    result = store.select(GRAPH_SIZES)
    sizes = {
        str(row["g"]): int(str(row["n"]))
        for row in result.rows
        if row.get("g") is not None and str(row["g"]) not in hidden
    }
    default = store.triple_count() - sum(sizes.values())
    if default > 0:
        sizes[DEFAULT_GRAPH] = default
    return sizes


def changes(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    """The net change of each graph whose size changed."""
    return {
        graph: after.get(graph, 0) - before.get(graph, 0)
        for graph in sorted({*before, *after})
        if after.get(graph, 0) != before.get(graph, 0)
    }


def _triples(record: WriteRecord, changed: Mapping[str, int] | None) -> int | None:
    """The triples the request carried if it says, else how many triples came or went."""
    if record.triples is not None:
        return record.triples
    return sum(abs(n) for n in changed.values()) if changed is not None else None


class AuditTrail:
    """Records the service's writes in an `AuditLog`, measuring each one."""

    def __init__(self, log: AuditLog, hidden_graphs: Collection[str] = ()) -> None:
        self.log = log
        self.hidden_graphs = frozenset(hidden_graphs)
        self._one_write_at_a_time = asyncio.Lock()

    def _sizes(self, store: CountingStore) -> dict[str, int] | None:
        try:
            return graph_sizes(store, self.hidden_graphs)
        except Border21Error:
            logger.warning("event=audit_count_failed", exc_info=True)
            return None

    @asynccontextmanager
    async def recording(self, store: CountingStore, record: WriteRecord) -> AsyncIterator[WriteRecord]:
        """Around one write: nothing is logged if the block raises (the write was refused)."""
        async with self._one_write_at_a_time:
            before = await to_thread.run_sync(self._sizes, store)
            yield record
            after = await to_thread.run_sync(self._sizes, store)
        changed = changes(before, after) if before is not None and after is not None else None
        entry: dict[str, object] = {
            "at": now(),
            "who": record.who,
            "action": record.action,
            "graph": record.graph,
            "changes": changed,
            "triples": _triples(record, changed),
            "request_id": record.request_id,
            "client": record.client,
            **record.details,
        }
        try:
            await to_thread.run_sync(self.log.append, entry)
        except OSError:
            # the write is committed: refusing it now would only make the client send it again
            logger.error("event=audit_write_failed entry=%s", json.dumps(entry), exc_info=True)

    def close(self) -> None:
        self.log.close()


def read_entries(path: Path) -> list[dict[str, object]]:
    """Every entry of an audit log, oldest first."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def open_audit_trail(settings: Settings) -> AuditTrail | None:
    """The service's audit trail; None when it is read-only (there is nothing to record)."""
    if not settings.writable:
        return None
    hidden = settings.remote_hidden_graphs if settings.backend == "sparql" else ()
    return AuditTrail(AuditLog(settings.audit_log_path()), hidden)
