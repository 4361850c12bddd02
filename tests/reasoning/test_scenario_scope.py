"""A scenario copies only the records its answer can depend on. These tests hold it to the
answer a copy of the whole store gives: the same pairs, the same resolutions before and after,
the same explanations, on the curated data, the invented world and generated data."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest

from service.build.reasoning import derive_cooperation, load_rules
from service.cooperation import Knowledge, functions_in_use, links_at, resolve, supports_of
from service.namespaces import DERIVED_GRAPH, ID
from service.resources import ontology_dir
from service.scenarios import Change, Outcome, ScenarioRequest, _affected_pairs, _states, apply_change, run_scenario
from service.store import in_memory_store
from service.store.base import NQUADS, NTRIPLES, GraphStore
from service.store.oxigraph import OxigraphStore
from tests.store.virtuoso import Virtuoso, empty_remote, remote_store

GB, DE, IE = (ID[f"state/{code}"] for code in ("gb", "de", "ie"))


def whole_copy(source: GraphStore) -> OxigraphStore:
    out = io.BytesIO()
    source.dump(out, NQUADS)
    store = in_memory_store()
    store.load_dataset(out.getvalue(), NQUADS)
    store.drop_named_graph(DERIVED_GRAPH)
    return store


def answered_on_whole_copies(source: GraphStore, request: ScenarioRequest) -> tuple[list[Outcome], GraphStore]:
    """The scenario answered on two copies of the whole store, as the reference."""
    rules = load_rules(ontology_dir() / "rules" / "cooperation")
    before_store, after_store = whole_copy(source), whole_copy(source)
    derive_cooperation(before_store, rules)
    for change in request.changes:
        apply_change(after_store, change, request.at)
    derive_cooperation(after_store, rules)
    knowledge = Knowledge.read(source)
    before = links_at(before_store, request.before or request.at)
    after = links_at(after_store, request.at)
    pairs = list(request.pairs) or _affected_pairs(_states(before_store), before, after)
    outcomes = []
    for a, b in pairs:
        for function in list(request.functions) or sorted(functions_in_use(knowledge)):
            outcome = Outcome(
                a, b, function, resolve(before, knowledge, a, b, function), resolve(after, knowledge, a, b, function)
            )
            if request.pairs or outcome.changed:
                outcomes.append(outcome)
    return outcomes, before_store


def assert_same_as_whole_copies(source: GraphStore, request: ScenarioRequest) -> int:
    """Compares and returns the number of outcomes."""
    expected, reference = answered_on_whole_copies(source, request)
    result = run_scenario(source, request)
    assert [(o.a, o.b, o.function) for o in result.outcomes] == [(o.a, o.b, o.function) for o in expected]
    assert result.outcomes == expected
    assert result.before_store is not None
    for outcome in result.outcomes:
        for way in (*outcome.before.applies, *outcome.before.fallbacks):
            for link in way.links:
                assert supports_of(result.before_store, link.iri) == supports_of(reference, link.iri), link
    return len(expected)


CURATED = [
    ScenarioRequest(at=dt.date(2021, 1, 1), before=dt.date(2020, 12, 31)),
    ScenarioRequest(at=dt.date(2021, 1, 1), before=dt.date(2020, 12, 31), pairs=((GB, DE), (DE, IE))),
    ScenarioRequest(
        at=dt.date(2019, 6, 1),
        changes=(Change("end", GB, instrument=ID["instrument/eaw-framework-decision"], date=dt.date(2019, 5, 31)),),
    ),
    ScenarioRequest(at=dt.date(2019, 6, 1), changes=(Change("remove", GB, channel=ID["channel/sis"]),)),
    ScenarioRequest(
        at=dt.date(2019, 6, 1),
        changes=(Change("add", IE, instrument=ID["instrument/eio-directive"], date=dt.date(2019, 1, 1)),),
    ),
]


@pytest.mark.parametrize("request_", CURATED, ids=range(len(CURATED)))
def test_curated_scenarios_answer_as_on_a_copy_of_the_whole_store(
    curated_store: GraphStore, request_: ScenarioRequest
) -> None:
    assert assert_same_as_whole_copies(curated_store, request_) > 0


def test_the_invented_world_answers_as_on_a_copy_of_the_whole_store(world: GraphStore) -> None:
    warrant, alerts = ID["instrument/arrest-warrant"], ID["channel/alert-system"]
    requests = [
        ScenarioRequest(at=dt.date(2021, 1, 1), before=dt.date(2020, 12, 31)),
        ScenarioRequest(
            at=dt.date(2019, 6, 1),
            changes=(
                Change("end", ID["state/cc"], instrument=warrant, date=dt.date(2019, 5, 31)),
                Change("remove", ID["agency/cc-bureau"], channel=alerts),
            ),
        ),
    ]
    for request in requests:
        assert assert_same_as_whole_copies(world, request) > 0


# -- generated data, with organisations extending agreements to their members ------------------


def random_requests(store: GraphStore, count: int, seed: int) -> list[ScenarioRequest]:
    """Scenarios ending, removing and adding the store's own participations and accesses,
    memberships of organisations among them, on dates where they hold."""
    rows = store.select(
        """SELECT ?record ?actor ?basis ?kind ?start ?end ?member WHERE {
             { ?record b21:participant ?actor ; b21:instrument ?basis . BIND ("instrument" AS ?kind) }
             UNION { ?record b21:accessor ?actor ; b21:channel ?basis . BIND ("channel" AS ?kind) }
             ?record b21:startDate ?start .
             OPTIONAL { ?record b21:endDate ?end }
             FILTER NOT EXISTS { ?record a b21:DerivedParticipation }
             BIND (EXISTS { ?organisation b21:establishedBy ?basis } AS ?member)
           } ORDER BY ?record"""
    ).rows
    memberships = [row for row in rows if str(row["member"]) == "true"]
    assert memberships, "the generated data has organisations with members"

    def day(row: dict, name: str) -> dt.date:  # type: ignore[type-arg]
        return dt.date.fromisoformat(str(row[name])) if row.get(name) is not None else dt.date.max

    chooser = random.Random(seed)
    requests = []
    for index in range(count):
        first = chooser.choice(memberships if index % 2 == 0 else rows)
        at = min(day(first, "start") + dt.timedelta(days=30), day(first, "end"))
        holding = [row for row in rows if day(row, "start") <= at <= day(row, "end")]
        picked = {(first["actor"], first["basis"]): first}
        for row in chooser.sample(holding, index % 3):
            picked.setdefault((row["actor"], row["basis"]), row)
        changes = []
        for number, row in enumerate(picked.values()):
            basis = {"instrument" if str(row["kind"]) == "instrument" else "channel": row["basis"]}
            kind = ("end", "remove", "add")[(index + number) % 3]
            actor = row["actor"] if kind != "add" else chooser.choice(rows)["actor"]
            changes.append(Change(kind, actor, date=at - dt.timedelta(days=1), **basis))  # type: ignore[arg-type]
        before = at - dt.timedelta(days=chooser.choice([1, 400, 4000])) if index % 4 == 3 else None
        requests.append(ScenarioRequest(at=at, changes=tuple(changes), before=before))
    return requests


def test_random_scenarios_on_generated_data_answer_as_on_a_copy_of_the_whole_store(generated_store: GraphStore) -> None:
    answered = 0
    for request in random_requests(generated_store, 12, seed=3):
        answered += assert_same_as_whole_copies(generated_store, request) > 0
    assert answered >= 6  # most of them change something


def test_a_scenario_copies_a_small_part_of_the_store(generated_store: GraphStore) -> None:
    stated = generated_store.triple_count() - generated_store.triple_count(DERIVED_GRAPH)
    for request in random_requests(generated_store, 4, seed=5):
        result = run_scenario(generated_store, request)
        assert result.after_store is not None
        copied = result.after_store.triple_count() - result.after_store.triple_count(DERIVED_GRAPH)
        assert copied < stated / 3, request


# -- on a remote store ---------------------------------------------------------------------------


@pytest.mark.slow
def test_scenarios_on_virtuoso_answer_as_on_the_embedded_store(
    world: GraphStore, virtuoso: Virtuoso, virtuoso_system_graphs: frozenset[str]
) -> None:
    remote = remote_store(virtuoso, virtuoso_system_graphs)
    empty_remote(remote)
    try:
        for graph in world.named_graphs():
            remote.replace_graph(graph, world.graph_bytes(graph, NTRIPLES), NTRIPLES)
        warrant = ID["instrument/arrest-warrant"]
        for request in [
            ScenarioRequest(at=dt.date(2021, 1, 1), before=dt.date(2020, 12, 31)),
            ScenarioRequest(
                at=dt.date(2019, 6, 1),
                changes=(
                    Change("end", ID["state/cc"], instrument=warrant, date=dt.date(2019, 5, 31)),
                    Change("remove", ID["agency/cc-bureau"], channel=ID["channel/alert-system"]),
                    Change("add", ID["state/bb"], instrument=warrant, date=dt.date(2019, 1, 1)),
                ),
            ),
        ]:
            expected = run_scenario(world, request).outcomes
            assert expected
            assert run_scenario(remote, request).outcomes == expected
    finally:
        empty_remote(remote)
