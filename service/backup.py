"""Backups of the embedded store, taken while it is served, and restores from them.

A backup is a directory:

```
DIR/store/         an Oxigraph store: every graph, the built ones and those written since
DIR/scenarios/     the saved scenario requests (what /api/v1/scenarios/{id} answers from)
DIR/backup.json    what it holds: format, version, when, the generation, quads per graph
```

While a server writes the current generation, the backup copies the newest snapshot of it:
the server takes one after every write and before acknowledging it, so the snapshot holds
every acknowledged write, and nobody writes a snapshot, so a plain file copy of it is
consistent. When nobody writes the generation, the backup copies the generation itself,
holding RocksDB's lock on it meanwhile so that no writer can start in the middle.

A restore makes the backup the store's current generation, as a build does: in a new
generation, swapped in with one rename. It restores the written graphs too, so it refuses
while a server is writing the store (that server would carry its own written graphs over).
"""

from __future__ import annotations

import fcntl
import getpass
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from service import __version__
from service.audit import AuditLog, now
from service.errors import Border21Error, StoreUnavailable
from service.store.home import (
    GenerationLease,
    StoreHome,
    has_writer,
    is_carried,
    mark_carried,
    previous_of,
)
from service.store.oxigraph import OxigraphStore, carry_written_graphs

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "backup.json"
STORE = "store"
SCENARIOS = "scenarios"
DEFAULT_GRAPH = "default"
NOT_COPIED = shutil.ignore_patterns("LOCK", "LOG", "LOG.old.*")


class BackupFailed(Border21Error):
    pass


@dataclass(frozen=True)
class Contents:
    """Quads in a store, in all and per graph (the store's own default graph as "default")."""

    quads: int
    graphs: dict[str, int]

    @classmethod
    def of(cls, store: OxigraphStore) -> Contents:
        graphs = {str(graph): store.triple_count(graph) for graph in store.named_graphs()}
        total = store.triple_count()
        if total - sum(graphs.values()):
            graphs[DEFAULT_GRAPH] = total - sum(graphs.values())
        return cls(total, graphs)


@dataclass(frozen=True)
class BackupReport:
    directory: Path
    generation: str
    source: str
    contents: Contents


@dataclass(frozen=True)
class RestoreReport:
    generation: Path
    contents: Contents


# -- backup ----------------------------------------------------------------------------------


def backup(home: StoreHome, target: Path, *, attempts: int = 50) -> BackupReport:
    """Copy the store (and the saved scenarios) into `target`, a new or empty directory."""
    target = target.expanduser().absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupFailed(f"{target} already exists and is not empty: back up into a new directory")
    staging = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        generation, source = _copy_store(home, staging / STORE, attempts)
        contents = _settle(staging / STORE, generation, copied_generation=source == "generation")
        scenarios = home.path / SCENARIOS
        if scenarios.is_dir():
            shutil.copytree(scenarios, staging / SCENARIOS, ignore=shutil.ignore_patterns("*.tmp"))
        manifest = {
            "format": FORMAT,
            "version": __version__,
            "created": now(),
            "generation": generation.name,
            "source": source,
            "quads": contents.quads,
            "graphs": contents.graphs,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        _sync_tree(staging)
        os.rename(staging, target)  # replaces an empty directory; a half backup is never seen
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    logger.info("event=backup_written directory=%s generation=%s quads=%d", target, generation.name, contents.quads)
    return BackupReport(target, generation.name, source, contents)


def _copy_store(home: StoreHome, destination: Path, attempts: int) -> tuple[Path, str]:
    """Copy the current generation's data; returns the generation and what was copied."""
    for _ in range(attempts):
        generation = home.require_current()
        if has_writer(generation):
            snapshot = newest_snapshot(home, generation)
            if snapshot is not None and _copy_leased(snapshot, destination):
                return generation, "snapshot"
        else:
            with _no_writer_may_start(generation) as locked:
                if locked and _copy_leased(generation, destination):
                    return generation, "generation"
        shutil.rmtree(destination, ignore_errors=True)
        time.sleep(0.1)  # a snapshot was replaced, or a writer started, while we looked
    raise StoreUnavailable("the store kept changing under the backup; try again")


def newest_snapshot(home: StoreHome, generation: Path) -> Path | None:
    """The newest complete snapshot of `generation`: named `<generation>.<sequence>`, so not
    a checkpoint still being made (`.tmp`) nor a lock file."""
    pattern = re.compile(re.escape(generation.name) + r"\.\d+")
    directory = home.snapshots()
    if not directory.is_dir():
        return None
    found = sorted(p for p in directory.iterdir() if pattern.fullmatch(p.name) and p.is_dir())
    return found[-1] if found else None


def _copy_leased(directory: Path, destination: Path) -> bool:
    """Copy a store directory under a lease that keeps it from being pruned; False if it
    was pruned before the lease was taken."""
    lease = GenerationLease(directory)
    try:
        if not directory.is_dir():
            return False
        shutil.copytree(directory, destination, ignore=NOT_COPIED)
        return True
    finally:
        lease.release()
        if not directory.exists():
            lease_file = directory.with_name(directory.name + ".lock")
            lease_file.unlink(missing_ok=True)  # the lease made it again; nobody else will use it


@contextmanager
def _no_writer_may_start(generation: Path) -> Iterator[bool]:
    """Hold RocksDB's own lock on a generation, as a writer would (False if one holds it)."""
    with open(generation / "LOCK", "a+b") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.lockf(handle, fcntl.LOCK_UN)


def _settle(copy: Path, generation: Path, *, copied_generation: bool) -> Contents:
    """Open the copy (replaying its log) and count it. A generation a build published while
    no server was writing does not yet hold the graphs written into the one it replaced: the
    first server to write it carries them over, and so does the backup."""
    store = OxigraphStore.open(copy)
    try:
        if copied_generation and not is_carried(generation) and (previous := previous_of(generation)) is not None:
            if has_writer(previous):
                raise StoreUnavailable("a server is still writing the previous generation; try again")
            source = OxigraphStore.open(previous, read_only=True)
            try:
                carry_written_graphs(source, store)
            finally:
                source.close()
        return Contents.of(store)
    finally:
        store.close()


def _sync_tree(directory: Path) -> None:
    for path in [*directory.rglob("*"), directory]:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


# -- restore ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    created: str
    generation: str
    contents: Contents


def read_manifest(source: Path) -> Manifest:
    manifest_path = source / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupFailed(f"{source} is not a border21 backup: it has no {MANIFEST}") from error
    except (OSError, ValueError) as error:
        raise BackupFailed(f"{manifest_path} cannot be read: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupFailed(f"{manifest_path} is not a backup this version can restore (format {FORMAT})")
    quads, graphs = manifest.get("quads"), manifest.get("graphs")
    if not isinstance(quads, int) or not isinstance(graphs, dict):
        raise BackupFailed(f"{manifest_path} does not say what the backup holds")
    if not (source / STORE).is_dir():
        raise BackupFailed(f"{source} has no {STORE}/ directory: the backup is incomplete")
    contents = Contents(quads, {str(graph): int(count) for graph, count in graphs.items()})
    return Manifest(str(manifest.get("created")), str(manifest.get("generation")), contents)


def restore(home: StoreHome, source: Path, *, audit_log: Path | None = None) -> RestoreReport:
    """Make the backup in `source` the store's current generation."""
    source = source.expanduser().absolute()
    manifest = read_manifest(source)
    with home.build_lock():
        current = home.current()
        if current is not None and has_writer(current):
            raise StoreUnavailable(
                "a server is writing this store: stop it before restoring (it would carry the graphs "
                "written since the backup over into the restored store)"
            )
        generation = home.new_generation()
        try:
            shutil.copytree(source / STORE, generation, dirs_exist_ok=True, ignore=NOT_COPIED)
            store = OxigraphStore.open(generation)
            try:
                contents = Contents.of(store)
            finally:
                store.close()
            expected = manifest.contents
            if contents != expected:
                raise BackupFailed(
                    f"the restored store holds {contents.quads} quads in {len(contents.graphs)} graphs; "
                    f"the backup says {expected.quads} in {len(expected.graphs)}: the backup is damaged"
                )
            mark_carried(generation)  # the backup's written graphs are the ones to keep
            _copy_scenarios(source / SCENARIOS, home.path / SCENARIOS)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        home.publish(generation)
        home.prune(previous=current)
    if audit_log is not None:
        log = AuditLog(audit_log)
        try:
            log.append(
                {
                    "at": now(),
                    "who": f"local:{getpass.getuser()}",
                    "action": "restore",
                    "graph": None,
                    "triples": contents.quads,
                    "backup": str(source),
                    "backup_created": manifest.created,
                    "generation": generation.name,
                }
            )
        finally:
            log.close()
    logger.info("event=restored backup=%s generation=%s quads=%d", source, generation.name, contents.quads)
    return RestoreReport(generation, contents)


def _copy_scenarios(source: Path, target: Path) -> None:
    """Add the backup's saved scenarios; they are named by their content, so none differ."""
    if not source.is_dir():
        return
    target.mkdir(parents=True, exist_ok=True)
    for saved in source.glob("*.json"):
        if not (target / saved.name).exists():
            shutil.copy2(saved, target / saved.name)
