"""The project installs and runs the way the README says."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, free_port, run_cli

pytestmark = pytest.mark.slow

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("border21-*.whl")
    return built


def test_the_wheel_ships_ontology_data_and_queries(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "service/_bundled/ontology/border21.ttl" in names
    assert "service/_bundled/ontology/shapes/border21-shapes.ttl" in names
    assert any(name.startswith("service/_bundled/ontology/rules/") for name in names)
    tracked_data = {f"service/_bundled/{path.relative_to(ROOT).as_posix()}" for path in (ROOT / "data").rglob("*.ttl")}
    assert tracked_data and tracked_data <= names
    assert any(name.startswith("service/_bundled/queries/") for name in names)


def test_an_installed_wheel_builds_and_serves_from_any_directory(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    pip = env_dir / "bin" / "pip"
    subprocess.run([str(pip), "install", "--quiet", str(wheel)], check=True, capture_output=True, timeout=900)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    border21 = str(env_dir / "bin" / "border21")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BORDER21_")}
    build = subprocess.run([border21, "build"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    assert (elsewhere / ".border21" / "store" / "current").is_symlink()
    query = subprocess.run([border21, "query", COUNT_ALL], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert int(query.stdout.splitlines()[-1]) > 1000


def test_make_run_serves_the_curated_data_on_loopback(tmp_path: Path) -> None:
    port = free_port()
    store = tmp_path / "store"
    env = {**os.environ, "BORDER21_STORE": str(store)}
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        ready = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        assert ready is not None and ready.status_code == 200, (
            process.stdout.read() if process.poll() is not None else ""
        )
        counted = run_cli("query", COUNT_ALL, env={"BORDER21_STORE": str(store)})
        assert counted.returncode == 0, counted.stderr
        assert int(counted.stdout.splitlines()[-1]) == ready.json()["triples"]
        graphs = run_cli(
            "query", "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }", "--format", "csv", env={"BORDER21_STORE": str(store)}
        )
        assert "https://w3id.org/border21/graph/data/" in graphs.stdout
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
