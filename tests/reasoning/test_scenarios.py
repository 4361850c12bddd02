"""What-if scenarios over the invented world: the API, saving, comparing, and the CLI."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service import scenarios
from service.api import create_app
from service.config import Settings
from service.errors import InvalidQuery, NotFound, QueryTimeout
from service.namespaces import ID
from service.scenarios import Change, ScenarioRepository, ScenarioRequest, run_scenario
from service.store.base import GraphStore
from service.store.worker import request_deadline
from tests.conftest import run_cli

AA, BB, CC = (ID[f"state/{code}"] for code in ("aa", "bb", "cc"))
REPLAY = {"at": "2021-01-01", "before": "2020-12-31"}


def outcome(body: dict, a: str, b: str, function: str) -> dict:  # type: ignore[type-arg]
    (found,) = [
        o for o in body["outcomes"] if {o["a"]["key"], o["b"]["key"]} == {a, b} and o["function"]["key"] == function
    ]
    return found  # type: ignore[no-any-return]


def keys(ways: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [way["basis"]["key"] for way in ways]


def test_replaying_a_departure_shows_what_was_lost_and_the_fallback(world_api: TestClient) -> None:
    response = world_api.post("/api/v1/scenarios", json=REPLAY)
    assert response.status_code == 201
    body = response.json()
    surrender = outcome(body, "state/aa", "state/cc", "function/surrender")
    assert keys(surrender["before"]["applies"]) == ["instrument/arrest-warrant"]
    assert keys(surrender["after"]["applies"]) == ["instrument/exit-agreement"]
    assert [x["key"] for x in surrender["lost"]] == ["instrument/arrest-warrant"]
    assert surrender["fallback"]["basis"]["key"] == "instrument/exit-agreement"
    alerts = outcome(body, "state/aa", "state/cc", "function/alerts")
    assert [x["key"] for x in alerts["lost"]] == ["channel/alert-system"]
    assert alerts["fallback"]["basis"]["key"] == "channel/global-network"


def test_every_link_in_an_answer_carries_its_explanation(world_api: TestClient) -> None:
    body = world_api.post("/api/v1/scenarios", json=REPLAY).json()
    links = [
        link
        for o in body["outcomes"]
        for side in ("before", "after")
        for part in ("applies", "fallbacks")
        for way in o[side][part]
        for link in way["links"]
    ]
    assert links
    for link in links:
        assert len(link["explanation"]) >= 2
        for support in link["explanation"]:
            assert support["start"] and support["actor"]["label"]
            assert support["sources"] or all(origin["sources"] for origin in support["derived_from"])


def test_a_scenario_with_changes(world_api: TestClient) -> None:
    body = {
        "at": "2019-06-01",
        "changes": [
            {"kind": "end", "actor": "state/cc", "instrument": "instrument/arrest-warrant", "date": "2019-05-31"},
            {"kind": "remove", "actor": "agency/cc-bureau", "channel": "channel/alert-system"},
        ],
        "pairs": [["state/aa", "state/cc"]],
        "functions": ["surrender", "alerts"],
    }
    answer = world_api.post("/api/v1/scenarios", json=body).json()
    surrender = outcome(answer, "state/aa", "state/cc", "function/surrender")
    assert surrender["fallback"]["basis"]["key"] == "instrument/convention"
    assert answer["total"] == 2


def test_adding_a_participation(world: GraphStore) -> None:
    request = ScenarioRequest(
        at=dt.date(2010, 6, 1),
        changes=(Change("add", BB, instrument=ID["instrument/arrest-warrant"], date=dt.date(2010, 1, 1)),),
        pairs=((AA, BB),),
        functions=(ID["function/surrender"],),
    )
    (result,) = run_scenario(world, request).outcomes
    assert result.after.best().basis == ID["instrument/arrest-warrant"]  # type: ignore[union-attr]
    assert result.lost == [] and result.gained == [ID["instrument/arrest-warrant"]]


def test_a_change_to_nothing_fails_before_the_store_is_copied(
    world: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    copied: list[int] = []
    monkeypatch.setattr(scenarios._Selection, "copy", lambda self, bases, named: copied.append(1))
    dd = ID["state/dd"]
    request = ScenarioRequest(
        at=dt.date(2010, 1, 1), changes=(Change("remove", dd, instrument=ID["instrument/arrest-warrant"]),)
    )
    with pytest.raises(NotFound, match="state/dd"):
        run_scenario(world, request)
    assert copied == []


def slow_changes(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Each change applied to a scenario's copy takes `seconds` longer."""
    apply = scenarios.apply_change

    def slowly(*args: object) -> None:
        time.sleep(seconds)
        apply(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(scenarios, "apply_change", slowly)


ENDING_THE_WARRANT = ScenarioRequest(
    at=dt.date(2019, 6, 1),
    changes=(Change("end", CC, instrument=ID["instrument/arrest-warrant"], date=dt.date(2019, 5, 31)),),
)


def test_work_in_memory_stops_when_the_request_has_used_its_time(
    world: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_changes(monkeypatch, 0.3)
    with request_deadline(0.2), pytest.raises(QueryTimeout, match=r"longer than 0\.2 s"):
        run_scenario(world, ENDING_THE_WARRANT)
    assert run_scenario(world, ENDING_THE_WARRANT).outcomes  # outside a request: no limit


def test_a_scenario_out_of_time_is_503_and_not_saved(
    world_store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store"
    shutil.copytree(world_store_path, store, symlinks=True)
    slow_changes(monkeypatch, 0.6)
    with TestClient(create_app(Settings(store=store, query_timeout=0.5))) as client:
        body = {"at": "2019-06-01", "changes": [ENDING_THE_WARRANT.to_json()["changes"][0]]}
        response = client.post("/api/v1/scenarios", json=body)
        assert response.status_code == 503, response.text
        assert "longer than 0.5 s" in response.json()["detail"]
    assert not list((store / "scenarios").glob("*.json"))


def test_a_change_may_end_what_an_earlier_change_of_the_request_adds(world: GraphStore) -> None:
    warrant = ID["instrument/arrest-warrant"]
    request = ScenarioRequest(
        at=dt.date(2010, 6, 1),
        changes=(
            Change("add", BB, instrument=warrant, date=dt.date(2010, 1, 1)),
            Change("end", BB, instrument=warrant, date=dt.date(2010, 3, 1)),
        ),
        pairs=((AA, BB),),
        functions=(ID["function/surrender"],),
    )
    (result,) = run_scenario(world, request).outcomes
    assert warrant not in result.after.available  # added, then ended before the date


def test_a_change_to_a_participation_that_does_not_exist_is_404(world_api: TestClient) -> None:
    body = {
        "at": "2010-01-01",
        "changes": [
            {"kind": "end", "actor": "state/dd", "instrument": "instrument/arrest-warrant", "date": "2009-12-31"}
        ],
    }
    saved = world_api.app.state.settings.store / "scenarios"  # type: ignore[attr-defined]
    before = sorted(saved.glob("*.json")) if saved.exists() else []
    response = world_api.post("/api/v1/scenarios", json=body)
    assert response.status_code == 404
    assert "state/dd" in response.json()["detail"]
    assert (sorted(saved.glob("*.json")) if saved.exists() else []) == before  # a failed scenario is not saved


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"at": "2021-13-01"}, "at"),
        (
            {
                "at": "2021-01-01",
                "changes": [{"kind": "end", "actor": "nonsense", "instrument": "instrument/x", "date": "2020-01-01"}],
            },
            "changes[0].actor",
        ),
        (
            {"at": "2021-01-01", "changes": [{"kind": "end", "actor": "state/cc", "date": "2020-01-01"}]},
            "exactly one of instrument or channel",
        ),
        ({"at": "2021-01-01", "functions": ["state/aa"]}, "functions[0]"),
    ],
)
def test_bad_requests_say_what_is_wrong(world_api: TestClient, body: dict, fragment: str) -> None:  # type: ignore[type-arg]
    response = world_api.post("/api/v1/scenarios", json=body)
    assert response.status_code in (400, 422)
    assert fragment in str(response.json()["detail"])


def test_a_saved_scenario_is_answered_again_by_id_and_two_can_be_compared(world_api: TestClient) -> None:
    first = world_api.post("/api/v1/scenarios", json=REPLAY)
    again = world_api.post("/api/v1/scenarios", json=REPLAY)
    assert first.json()["id"] == again.json()["id"]
    by_id = world_api.get(first.headers["location"])
    assert by_id.status_code == 200 and by_id.json()["outcomes"] == first.json()["outcomes"]

    other = world_api.post(
        "/api/v1/scenarios",
        json={
            "at": "2021-01-01",
            "before": "2020-12-31",
            "changes": [{"kind": "remove", "actor": "state/cc", "instrument": "instrument/exit-agreement"}],
        },
    )
    comparison = world_api.get(f"/api/v1/scenarios/{first.json()['id']}/compare/{other.json()['id']}").json()
    surrender = [
        d
        for d in comparison["differences"]
        if d["function"]["key"] == "function/surrender" and {d["a"]["key"], d["b"]["key"]} == {"state/aa", "state/cc"}
    ]
    assert keys(surrender[0]["first"]["applies"]) == ["instrument/exit-agreement"]
    assert keys(surrender[0]["second"]["applies"]) == ["instrument/convention"]
    assert world_api.get("/api/v1/scenarios/0123456789abcdef").status_code == 404
    assert world_api.get("/api/v1/scenarios/../../etc").status_code == 404


def test_scenario_endpoints_are_documented_with_examples(world_api: TestClient) -> None:
    spec = world_api.get("/openapi.json").json()
    assert {"/api/v1/scenarios", "/api/v1/scenarios/{identifier}", "/api/v1/scenarios/{first}/compare/{second}"} <= set(
        spec["paths"]
    )
    schema = spec["components"]["schemas"]["ScenarioIn"]
    assert schema["examples"]


def test_the_cli_prints_the_same_answer_as_a_table(world_api: TestClient, world_store_path: Path) -> None:
    body = world_api.post("/api/v1/scenarios", json=REPLAY).json()
    result = run_cli("scenario", "--store", str(world_store_path), "--at", "2021-01-01", "--before", "2020-12-31")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()[2:]
    assert len(lines) == body["total"]
    for o in body["outcomes"]:
        expected = [
            o["a"]["label"],
            o["b"]["label"],
            o["function"]["label"],
            "; ".join(w["basis"]["label"] for w in o["before"]["applies"]) or "-",
            "; ".join(w["basis"]["label"] for w in o["after"]["applies"]) or "-",
        ]
        assert any(all(cell in line for cell in expected) for line in lines), expected


def test_the_request_is_validated(world: GraphStore) -> None:
    with pytest.raises(InvalidQuery):
        Change("end", CC, date=dt.date(2020, 1, 1))
    with pytest.raises(NotFound):
        run_scenario(
            world,
            ScenarioRequest(
                at=dt.date(2010, 1, 1),
                changes=(Change("remove", ID["state/dd"], instrument=ID["instrument/arrest-warrant"]),),
            ),
        )


def test_at_most_the_configured_number_of_scenarios_is_kept_the_least_recently_used_going_first(
    tmp_path: Path,
) -> None:
    repository = ScenarioRepository(tmp_path / "scenarios", keep=3)
    requests = [ScenarioRequest(at=dt.date(2020, 1, day)) for day in range(1, 5)]
    ids = []
    for age, request in enumerate(requests[:3]):
        ids.append(repository.save(request))
        stamp = 1_000_000 + age  # saved one after the other, a second apart
        os.utime(tmp_path / "scenarios" / f"{ids[-1]}.json", (stamp, stamp))
    assert repository.load(ids[0]).at == dt.date(2020, 1, 1)  # asked for: now the most recently used
    ids.append(repository.save(requests[3]))
    kept = {path.stem for path in (tmp_path / "scenarios").glob("*.json")}
    assert kept == {ids[0], ids[2], ids[3]}  # the second, least recently used, went
    with pytest.raises(NotFound):
        repository.load(ids[1])
    assert repository.save(requests[1]) == ids[1]  # posted again: back under the same id
    assert repository.load(ids[1]) == requests[1]
    assert len(list((tmp_path / "scenarios").glob("*"))) == 3  # and no staging file is left
