"""The `border21` command as a user runs it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import rdflib

from service.store import OpenStore, StoreHome
from tests.conftest import run_cli

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def total_quads(store: Path) -> int:
    with OpenStore(StoreHome(store), read_only=True) as opened:
        return opened.triple_count()


def test_query_prints_the_number_of_triples_as_a_table(built_store: Path) -> None:
    result = run_cli("query", "--store", str(built_store), COUNT_ALL)
    assert result.returncode == 0, result.stderr
    header, rule, value = result.stdout.splitlines()
    assert header.strip() == "n"
    assert set(rule) == {"-"}
    assert int(value) == total_quads(built_store)


def test_query_store_from_the_environment(built_store: Path) -> None:
    result = run_cli("query", COUNT_ALL, env={"BORDER21_STORE": str(built_store)})
    assert result.returncode == 0
    assert int(result.stdout.splitlines()[-1]) == total_quads(built_store)


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "xml"])
def test_query_result_formats(built_store: Path, fmt: str) -> None:
    query = "SELECT ?code WHERE { ?s b21:isoCode ?code } ORDER BY ?code"
    result = run_cli("query", "--store", str(built_store), "--format", fmt, query)
    assert result.returncode == 0, result.stderr
    if fmt == "json":
        bindings = json.loads(result.stdout)["results"]["bindings"]
        assert [b["code"]["value"] for b in bindings] == ["AA", "BB"]
    elif fmt == "csv":
        assert list(csv.reader(io.StringIO(result.stdout))) == [["code"], ["AA"], ["BB"]]
    elif fmt == "tsv":
        assert result.stdout.split() == ["?code", '"AA"', '"BB"']
    else:
        assert "<literal>AA</literal>" in result.stdout


def test_construct_prints_triples(built_store: Path) -> None:
    query = "CONSTRUCT { ?s b21:isoCode ?c } WHERE { ?s b21:isoCode ?c }"
    result = run_cli("query", "--store", str(built_store), "--format", "ttl", query)
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    assert len(graph) == 2


def test_query_from_a_file(built_store: Path, tmp_path: Path) -> None:
    (tmp_path / "q.rq").write_text("ASK { ?s a b21:State }")
    result = run_cli("query", "--store", str(built_store), f"@{tmp_path / 'q.rq'}")
    assert result.stdout.strip() == "true"


def test_a_malformed_query_is_reported_with_its_position(built_store: Path) -> None:
    result = run_cli("query", "--store", str(built_store), "SELECT ?s WHERE { ?s ?p }")
    assert result.returncode == 1
    assert "invalid query" in result.stderr and "1:" in result.stderr
    assert "Traceback" not in result.stderr


def test_query_before_any_build_says_what_to_do(tmp_path: Path) -> None:
    result = run_cli("query", "--store", str(tmp_path / "none"), COUNT_ALL)
    assert result.returncode == 3
    assert "run `border21 build` first" in result.stderr


@pytest.mark.parametrize(
    ("fmt", "rdflib_format", "dataset"),
    [
        ("trig", "trig", True),
        ("nq", "nquads", True),
        ("ttl", "turtle", False),
        ("jsonld", "json-ld", False),
    ],
)
def test_export_round_trips(built_store: Path, tmp_path: Path, fmt: str, rdflib_format: str, dataset: bool) -> None:
    out = tmp_path / f"export.{fmt}"
    result = run_cli("export", "--store", str(built_store), "--format", fmt, "--output", str(out))
    assert result.returncode == 0, result.stderr
    if dataset:
        parsed = rdflib.Dataset()
        parsed.parse(out, format=rdflib_format)
        assert sum(len(g) for g in parsed.graphs()) == total_quads(built_store)
    else:
        with OpenStore(StoreHome(built_store), read_only=True) as opened:
            distinct = int(
                opened.select("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }").rows[0]["n"]
            )  # type: ignore[arg-type]
        assert len(rdflib.Graph().parse(out, format=rdflib_format)) == distinct


def test_validate_writes_nothing(tmp_path: Path, valid_data: Path) -> None:
    result = run_cli("validate", "--data", str(valid_data), env={"BORDER21_STORE": str(tmp_path / "store")})
    assert result.returncode == 0, result.stderr
    assert "valid:" in result.stdout
    assert not (tmp_path / "store").exists()


def test_build_shows_progress_by_phase(tmp_path: Path, valid_data: Path) -> None:
    result = run_cli("build", "--store", str(tmp_path / "store"), "--data", str(valid_data))
    assert result.returncode == 0
    phases = [line.split("]")[0] + "]" for line in result.stderr.splitlines() if line.startswith("[")]
    for phase in ("[parse]", "[shacl]", "[owl]", "[load]", "[infer]", "[done]"):
        assert phase in phases
    assert "data/actors.ttl" in result.stderr


def test_bad_configuration_is_refused_with_the_setting_named(tmp_path: Path) -> None:
    result = run_cli("query", "ASK {}", env={"BORDER21_QUERY_TIMEOUT": "-1", "BORDER21_STORE": str(tmp_path)})
    assert result.returncode == 1
    assert "query_timeout" in result.stderr
