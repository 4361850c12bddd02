"""The benchmark harness still runs end to end: a tiny generated dataset, this service only,
a few calls per item. It checks the harness, not the speed (no timing is asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import report, run
from benchmarks.workload import geometric_mean
from service.queries import load_named_queries

PLANNER_ITEMS = ("network", "network-actor", "applicable", "paths", "search", "resource")


@pytest.mark.slow
def test_the_harness_measures_every_item_and_writes_its_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "result.json"
    arguments = ["--triples", "4000", "--systems", "border21", "--repeat", "2", "--duration", "2", "--clients", "2"]
    code = run.main([*arguments, "--workdir", str(tmp_path / "work"), "--output", str(output), "--keep"])
    assert code == 0, capsys.readouterr().err[-3000:]
    result = json.loads(output.read_text())
    border21 = result["systems"]["border21"]
    assert border21["build"]["ok"] and border21["build"]["total_triples"] > result["data"]["generated_triples"]
    items = border21["items"]
    planner = {key for key in items if key.startswith("rest:")}
    assert planner == {f"rest:{name}" for name in PLANNER_ITEMS}
    assert sum(key.startswith("named:") for key in items) == len(load_named_queries())
    failed = {key: entry["errors"] for key, entry in items.items() if entry["error_count"]}
    assert not failed
    assert all(entry["n"] >= 1 and entry["p95_ms"] >= entry["p50_ms"] > 0 for entry in items.values())
    assert border21["throughput"]["completed"] > 0 and border21["throughput"]["errors"] == 0
    assert border21["peak_rss_bytes"] > 0
    assert set(result["summary"]["targets"]) >= {"planner_p95", "server_peak_memory"}
    printed = capsys.readouterr().out
    assert "rest:network" in printed and "planner_p95" in printed

    # The kept store served again without a build (--reuse-build): the build's time is its log's.
    again = tmp_path / "again.json"
    code = run.main([*arguments, "--workdir", str(tmp_path / "work"), "--output", str(again), "--reuse-build"])
    assert code == 0, capsys.readouterr().err[-3000:]
    second = json.loads(again.read_text())["systems"]["border21"]
    assert second["build"]["reused"] and second["build"]["seconds"] == pytest.approx(
        border21["build"]["seconds"], abs=3
    )
    assert second["build"]["total_triples"] == border21["build"]["total_triples"]
    assert set(second["items"]) == set(items) and not any(entry["error_count"] for entry in second["items"].values())
    assert not (tmp_path / "work").exists()  # the scratch directory is removed unless --keep
    mismatched = ["--triples", "5000", "--systems", "border21", "--reuse-build", "--workdir", str(tmp_path / "work")]
    assert run.main(mismatched) == 2  # nothing kept
    assert "holds no kept run" in capsys.readouterr().err
    (tmp_path / "work" / "data").mkdir(parents=True, exist_ok=True)
    (tmp_path / "work" / "data" / "manifest.json").write_text(json.dumps({"requested": 4000, "seed": 1}))
    assert run.main(mismatched) == 2
    assert "holds 4000 triples" in capsys.readouterr().err
    kept = json.loads((tmp_path / "work" / "data" / "manifest.json").read_text()) | {"requested": 5000}
    (tmp_path / "work" / "data" / "manifest.json").write_text(json.dumps(kept | {"triples": 0, "counts": {}}))
    assert run.main(mismatched) == 2  # the data is there, no built store
    assert "holds no finished build" in capsys.readouterr().err


def test_ratios_and_verdicts_come_from_the_measurements() -> None:
    def item(p50: float, rows: int = 1) -> dict[str, object]:
        return {"p50_ms": p50, "p95_ms": p50 * 2, "error_count": 0, "rows": rows}

    result = {
        "data": {"generated_triples": 1_000_000},
        "settings": {"clients": 16},
        "machine": {"cpus": 2},
        "systems": {
            "border21": {
                "build": {"ok": True, "seconds": 30.0},
                "items": {"rest:paths": item(40), "named:a": item(10), "named:b": item(40), "named:c": item(5, rows=3)},
                "throughput": {"requests_per_second": 200.0, "items": ["rest:paths"]},
                "peak_rss_bytes": 2 * 2**30,
            },
            "virtuoso": {
                "load": {"seconds": 10.0},
                "items": {"named:a": item(20), "named:b": item(10), "named:c": item(1, rows=2)},
                "throughput": {"requests_per_second": 100.0, "items": ["rest:paths"]},
            },
            "rdflib-endpoint": {
                "items": {"rest:paths": item(400)},
                "throughput": {"requests_per_second": 1.0, "items": ["rest:paths", "rest:network"]},
            },
        },
    }
    result["systems"]["border21"]["build"]["reused"] = "20261207T033500-18161-b7bc93"
    assert "build_vs_virtuoso_load" not in report.summarise(result)["targets"]  # built in another run
    del result["systems"]["border21"]["build"]["reused"]
    targets = report.summarise(result)["targets"]
    assert targets["build_vs_virtuoso_load"]["ratio"] == 3.0 and not targets["build_vs_virtuoso_load"]["met"]
    assert not targets["planner_p95"]["met"] and targets["planner_p95"]["missed"] == ["rest:paths"]
    named = targets["named_queries_vs_virtuoso"]
    assert named["queries"] == 2 and named["row_count_mismatches"] == ["named:c"]
    assert named["ratio"] == pytest.approx(geometric_mean([10, 40]) / geometric_mean([20, 10]), abs=0.01)
    assert named["met"] is False
    assert targets["throughput_vs_virtuoso"]["ratio"] == 2.0
    # a run that left out items the other answered is not compared by request rate
    assert "ratio" not in targets["throughput_vs_rdflib-endpoint"]
    assert "rest:network" in targets["throughput_vs_rdflib-endpoint"]["not_comparable"]
    # a peer that failed an item this service answered is compared, and the difference said
    result["systems"]["border21"]["throughput"]["items"] = ["rest:paths", "rest:network", "rest:search"]
    result["systems"]["rdflib-endpoint"]["throughput"]["items"] = ["rest:paths"]
    against_rdflib = report.summarise(result)["targets"]["throughput_vs_rdflib-endpoint"]
    assert against_rdflib["ratio"] == 200.0 and against_rdflib["met"]
    assert against_rdflib["peer_mix_leaves_out"].startswith("rest:network, rest:search")
    assert targets["server_peak_memory"] == {"peak_rss_mib": 2048, "target_mib": 1536, "met": False}
    result["data"]["generated_triples"] = 10_000_000  # the memory target is set for 1M
    assert "met" not in report.summarise(result)["targets"]["server_peak_memory"]
    result["data"]["generated_triples"] = 1_000_000
    # named queries not run on a peer are said to be not run, not to have failed there
    assert targets["named_queries_vs_rdflib-endpoint"] == {"not_run": "the named queries were not run on this peer"}
    result["systems"]["virtuoso"]["items"]["named:b"] = {"error_count": 1, "errors": ["timed out"]}
    del result["systems"]["virtuoso"]["items"]["named:c"]
    named = report.summarise(result)["targets"]["named_queries_vs_virtuoso"]
    assert named["failed_on_peer"] == ["named:b"] and named["not_run_on_peer"] == ["named:c"]
