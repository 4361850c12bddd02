"""A build that fails or is killed leaves the store that was serving untouched."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from service.build.pipeline import CRASH_AT_ENV
from service.store import OpenStore, StoreHome
from tests.conftest import BORDER21, Server, run_cli

pytestmark = pytest.mark.slow

COUNT_STATES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a b21:State }"


def states_via_cli(store: Path) -> int:
    result = run_cli("query", "--store", str(store), "--format", "csv", COUNT_STATES)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.splitlines()[1])


def break_shapes(data: Path) -> None:
    """Three violations in one file: a bad ISO code, a missing label and a missing source."""
    actors = data / "actors.ttl"
    text = actors.read_text(encoding="utf-8")
    text = text.replace('b21:isoCode "BB"', 'b21:isoCode "Bb"')
    text = text.replace('    rdfs:label "Example Union"@en ;\n', "")
    text = text.replace("    dcterms:source <https://example.org/aa-police> .", '    b21:acronym "AP2" .')
    actors.write_text(text, encoding="utf-8")


def add_state(data: Path) -> None:
    with open(data / "actors.ttl", "a", encoding="utf-8") as turtle:
        turtle.write(
            '\nstate:cc a b21:State ; rdfs:label "Gammaland"@en ; b21:isoCode "CC" ;\n'
            "    dcterms:source <https://example.org/cc> .\n"
        )


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), start=1) if line.startswith(needle))


def test_shape_violations_are_all_reported_and_the_old_store_keeps_serving(
    tmp_path: Path, valid_data: Path, serve
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    assert run_cli("build", "--store", str(store), "--data", str(valid_data)).returncode == 0
    server: Server = serve(store)
    before = server.get("/readyz").json()

    break_shapes(valid_data)
    failed = run_cli("build", "--store", str(store), "--data", str(valid_data))

    assert failed.returncode == 1
    lines = failed.stderr.splitlines()
    actors = valid_data / "actors.ttl"
    expected = [
        (f"data/actors.ttl:{line_of(actors, 'state:bb')}:", "state/bb", "b21:isoCode", "ISO 3166-1 alpha-2"),
        (
            f"data/actors.ttl:{line_of(actors, 'organisation:union')}:",
            "organisation/union",
            "rdfs:label",
            "English rdfs:label",
        ),
        (
            f"data/actors.ttl:{line_of(actors, 'agency:aa-police')}:",
            "agency/aa-police",
            "dcterms:source",
            "official source",
        ),
    ]
    for where, focus, path, message in expected:
        assert any(line.startswith(where) and focus in line and path in line and message in line for line in lines), (
            where,
            focus,
            path,
            message,
            failed.stderr,
        )
    assert "3 SHACL violation(s)" in failed.stderr

    after = server.get("/readyz").json()
    assert after["generation"] == before["generation"]
    assert after["triples"] == before["triples"]
    assert states_via_cli(store) == 2


@pytest.mark.parametrize("phase", ["load", "publish"])
def test_a_build_killed_midway_leaves_the_old_store_serving(
    tmp_path: Path, valid_data: Path, serve, phase: str
) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    assert run_cli("build", "--store", str(store), "--data", str(valid_data)).returncode == 0
    old_generation = StoreHome(store).current()
    server: Server = serve(store)

    add_state(valid_data)
    killed = run_cli("build", "--store", str(store), "--data", str(valid_data), env={CRASH_AT_ENV: phase})

    assert killed.returncode == -signal.SIGKILL
    assert StoreHome(store).current() == old_generation
    assert server.get("/readyz").json()["generation"] == old_generation.name
    assert states_via_cli(store) == 2
    partial = [p for p in (store / "generations").iterdir() if p.is_dir() and p != old_generation]
    assert len(partial) == 1

    rebuilt = run_cli("build", "--store", str(store), "--data", str(valid_data))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert states_via_cli(store) == 3
    assert not partial[0].exists()
    deadline = time.monotonic() + 10
    while server.get("/readyz").json()["generation"] == old_generation.name and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.get("/readyz").json()["generation"] == StoreHome(store).current().name  # type: ignore[union-attr]


def test_kills_at_random_moments_never_leave_a_broken_store(tmp_path: Path, valid_data: Path) -> None:
    store = tmp_path / "store"
    assert run_cli("build", "--store", str(store), "--data", str(valid_data)).returncode == 0
    add_state(valid_data)
    rng = random.Random(21)
    for _ in range(4):
        process = subprocess.Popen(
            [BORDER21, "build", "--store", str(store), "--data", str(valid_data)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=os.environ.copy(),
        )
        time.sleep(rng.uniform(0.3, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        with OpenStore(StoreHome(store), read_only=True) as opened:
            states = int(opened.select(COUNT_STATES).rows[0]["n"])  # type: ignore[arg-type]
        assert states in (2, 3)
