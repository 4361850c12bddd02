"""The store home: atomic publication, pruning, leases."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from service.errors import StoreUnavailable
from service.store import StoreHome
from service.store.home import GenerationLease


def test_no_store_before_the_first_build(tmp_path: Path) -> None:
    home = StoreHome(tmp_path / "store")
    assert home.current() is None
    with pytest.raises(StoreUnavailable, match="run `border21 build` first"):
        home.require_current()


def test_publish_moves_the_pointer_with_a_relative_symlink(tmp_path: Path) -> None:
    home = StoreHome(tmp_path / "store")
    first, second = home.new_generation(), home.new_generation()
    home.publish(first)
    assert home.current() == first
    home.publish(second)
    assert home.current() == second
    assert not os.readlink(home.path / "current").startswith("/")
    assert [p.name for p in home.path.iterdir() if p.name.startswith(".current")] == []


def test_the_home_can_be_moved_as_a_whole(tmp_path: Path) -> None:
    home = StoreHome(tmp_path / "store")
    generation = home.new_generation()
    home.publish(generation)
    (tmp_path / "store").rename(tmp_path / "moved")
    assert StoreHome(tmp_path / "moved").current() == tmp_path / "moved" / "generations" / generation.name


def test_prune_keeps_current_previous_and_leased_generations(tmp_path: Path) -> None:
    home = StoreHome(tmp_path / "store")
    oldest, leased, previous, current = (home.new_generation() for _ in range(4))
    home.publish(current)
    lease = GenerationLease(leased)
    try:
        removed = home.prune(previous)
    finally:
        lease.release()
    assert removed == [oldest]
    assert {p for p in home.generations.iterdir() if p.is_dir()} == {leased, previous, current}
    assert home.prune(previous) == [leased]


def test_a_dangling_pointer_is_reported(tmp_path: Path) -> None:
    home = StoreHome(tmp_path / "store")
    generation = home.new_generation()
    home.publish(generation)
    generation.rmdir()
    with pytest.raises(StoreUnavailable, match="does not exist"):
        home.current()
