"""The store's home directory: built generations and the pointer to the current one.

```
<home>/current -> generations/<id>      symlink, replaced atomically when a build succeeds
<home>/generations/<id>/                one Oxigraph store per successful or running build
<home>/generations/<id>.lock            held shared by every process that has <id> open
<home>/build.lock                       held exclusively by the running build
```

A build writes a new generation nobody reads, then swaps the pointer with one `rename`, so
a build that fails or is killed leaves the current generation untouched. Readers resolve
the pointer when they open the store and notice when it moves.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.errors import BuildError, StoreUnavailable

logger = logging.getLogger(__name__)

POINTER = "current"
GENERATIONS = "generations"


class StoreHome:
    def __init__(self, path: Path) -> None:
        self.path = path.expanduser().absolute()

    @property
    def generations(self) -> Path:
        return self.path / GENERATIONS

    def current(self) -> Path | None:
        """The generation the pointer names, or None before the first build."""
        pointer = self.path / POINTER
        try:
            target = os.readlink(pointer)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StoreUnavailable(f"{pointer} is not a store pointer") from error
        generation = (self.path / target).resolve()
        if not generation.is_dir():
            raise StoreUnavailable(f"{pointer} names {generation}, which does not exist")
        return generation

    def require_current(self) -> Path:
        generation = self.current()
        if generation is None:
            raise StoreUnavailable(f"no store has been built at {self.path}: run `border21 build` first")
        return generation

    def new_generation(self) -> Path:
        self.generations.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        generation = self.generations / f"{stamp}-{os.getpid()}-{os.urandom(3).hex()}"
        generation.mkdir()
        return generation

    def snapshots(self) -> Path:
        return self.path / "snapshots"

    def latest_snapshot(self, generation: Path) -> Path | None:
        """The newest snapshot a writing server made of `generation`, if any."""
        if not self.snapshots().is_dir():
            return None
        # only finished checkpoints: <generation>.<digits> (a killed one leaves a .tmp behind)
        found = sorted(
            p for p in self.snapshots().glob(f"{generation.name}.*") if p.is_dir() and p.suffix[1:].isdigit()
        )
        return found[-1] if found else None

    def publish(self, generation: Path) -> None:
        """Point `current` at `generation` in one atomic rename."""
        staging = self.path / f".{POINTER}.{os.getpid()}"
        if staging.is_symlink():
            staging.unlink()
        os.symlink(os.path.relpath(generation, self.path), staging)
        os.replace(staging, self.path / POINTER)
        _fsync_dir(self.path)
        logger.info("event=store_published generation=%s", generation.name)

    @contextmanager
    def build_lock(self) -> Iterator[None]:
        """Held for the whole build; a second build fails at once rather than interleave."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / "build.lock", "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise BuildError(f"another build is running on {self.path}") from error
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def prune(self, previous: Path | None = None) -> list[Path]:
        """Remove every generation but the current one and `previous` (the one it replaced,
        kept so that a reader still on it is not cut off), skipping any a process has open.
        Call only while holding the build lock."""
        if not self.generations.is_dir():
            return []
        kept = {self.current(), previous}
        removed = []
        for generation in sorted(p for p in self.generations.iterdir() if p.is_dir()):
            if generation not in kept and _remove_unless_in_use(generation):
                removed.append(generation)
        return removed


class GenerationLease:
    """A shared lock on a store directory (a generation or a snapshot), held by every process
    that has it open, so that pruning never deletes a store under a reader."""

    def __init__(self, generation: Path) -> None:
        self.generation = generation
        self._handle = open(_lock_path(generation), "a+b")  # noqa: SIM115 (held until release())
        fcntl.flock(self._handle, fcntl.LOCK_SH)

    def release(self) -> None:
        if not self._handle.closed:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()


def record_previous(generation: Path, previous: Path | None) -> None:
    """Remember which generation `generation` replaced, so that graphs written into that one
    can be carried over by whoever opens `generation` for writing first."""
    if previous is not None:
        generation.with_name(generation.name + ".previous").write_text(previous.name, encoding="utf-8")


def previous_of(generation: Path) -> Path | None:
    marker = generation.with_name(generation.name + ".previous")
    if not marker.is_file():
        return None
    previous = generation.with_name(marker.read_text(encoding="utf-8").strip())
    return previous if previous.is_dir() else None


def mark_carried(generation: Path) -> None:
    generation.with_name(generation.name + ".carried").touch()


def is_carried(generation: Path) -> bool:
    return generation.with_name(generation.name + ".carried").exists()


def has_writer(generation: Path) -> bool:
    """Whether a process has the generation open for writing (it holds RocksDB's lock)."""
    lock = generation / "LOCK"
    if not lock.exists():
        return False
    with open(lock, "rb+") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(handle, fcntl.LOCK_UN)
    return False


def remove_unless_in_use(directory: Path) -> bool:
    """Delete a generation or snapshot unless a process holds a lease on it."""
    return _remove_unless_in_use(directory)


def _lock_path(generation: Path) -> Path:
    return generation.with_name(generation.name + ".lock")


def _remove_unless_in_use(generation: Path) -> bool:
    lock = _lock_path(generation)
    with open(lock, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        shutil.rmtree(generation, ignore_errors=True)
        for suffix in (".previous", ".carried"):
            generation.with_name(generation.name + suffix).unlink(missing_ok=True)
        lock.unlink(missing_ok=True)
        fcntl.flock(handle, fcntl.LOCK_UN)
    logger.info("event=generation_pruned generation=%s", generation.name)
    return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
