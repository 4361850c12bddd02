"""What-if scenarios: POST one, read it again by id, compare two."""

from __future__ import annotations

import threading

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from service.api.deps import SettingsDep, StoreDep
from service.api.v1 import models
from service.api.v1.common import KnowledgeDep
from service.api.v1.present import Presenter
from service.config import Settings
from service.cooperation import Knowledge
from service.keys import parse_resource
from service.scenarios import Change, ScenarioRepository, ScenarioRequest, ScenarioResult, run_scenario
from service.store.base import GraphStore

router = APIRouter(prefix="/api/v1/scenarios", tags=["scenarios"])

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"description": "A bad parameter, named in the detail"},
    404: {"description": "No such scenario, or a change names a participation that does not exist"},
}

_runs = threading.Semaphore(2)  # scenarios copy part of the store into memory: a few at a time


def to_request(body: models.ScenarioIn) -> ScenarioRequest:
    def resource(value: str | None, name: str, kinds: tuple[str, ...]) -> object:
        return None if value is None else parse_resource(value, name, kinds=kinds)

    changes = tuple(
        Change(
            kind=c.kind,
            actor=parse_resource(c.actor, f"changes[{i}].actor", kinds=("state", "organisation", "agency")),
            instrument=resource(c.instrument, f"changes[{i}].instrument", ("instrument",)),  # type: ignore[arg-type]
            channel=resource(c.channel, f"changes[{i}].channel", ("channel",)),  # type: ignore[arg-type]
            date=c.date,
            until=c.until,
            mode=resource(c.mode, f"changes[{i}].mode", ("participation-mode",)),  # type: ignore[arg-type]
        )
        for i, c in enumerate(body.changes)
    )
    pairs = tuple(
        (
            parse_resource(a, f"pairs[{i}][0]", kinds=("state", "organisation", "agency")),
            parse_resource(b, f"pairs[{i}][1]", kinds=("state", "organisation", "agency")),
        )
        for i, (a, b) in enumerate(body.pairs)
    )
    functions = tuple(parse_resource(f, f"functions[{i}]", kinds=("function",)) for i, f in enumerate(body.functions))
    return ScenarioRequest(
        at=body.at, changes=changes, before=body.before, pairs=pairs, functions=functions, name=body.name
    )


def present(identifier: str, body: models.ScenarioIn, result: ScenarioResult) -> models.ScenarioOut:
    before = Presenter(result.knowledge, result.before_store)
    after = Presenter(result.knowledge, result.after_store)
    outcomes = []
    for outcome in result.outcomes:
        fallback = outcome.fallback()
        outcomes.append(
            models.Outcome(
                a=before.ref(outcome.a),
                b=before.ref(outcome.b),
                function=before.ref(outcome.function),
                before=before.resolution(outcome.before),
                after=after.resolution(outcome.after),
                lost=[before.ref(x) for x in outcome.lost],
                gained=[after.ref(x) for x in outcome.gained],
                fallback=after.way(fallback) if fallback is not None else None,
            )
        )
    return models.ScenarioOut(id=identifier, request=body, outcomes=outcomes, total=len(outcomes))


def _repository(settings: Settings) -> ScenarioRepository:
    return ScenarioRepository(settings.store / "scenarios", settings.scenarios_kept)


def _run(store: GraphStore, request: ScenarioRequest, knowledge: Knowledge) -> ScenarioResult:
    with _runs:
        return run_scenario(store, request, knowledge=knowledge)


def as_input(request: ScenarioRequest) -> models.ScenarioIn:
    return models.ScenarioIn.model_validate(request.to_json())


@router.post(
    "",
    response_model=models.ScenarioOut,
    status_code=201,
    summary="Run a scenario and save it",
    responses={**ERRORS, 201: {"description": "The scenario's answer; Location gives its URL"}},
)
async def create_scenario(
    body: models.ScenarioIn, store: StoreDep, settings: SettingsDep, knowledge: KnowledgeDep, response: Response
) -> models.ScenarioOut:
    request = to_request(body)
    result = await run_in_threadpool(_run, store, request, knowledge)  # a scenario that fails is not saved
    identifier = _repository(settings).save(request)
    response.headers["Location"] = f"/api/v1/scenarios/{identifier}"
    return present(identifier, as_input(request), result)


@router.get(
    "/{identifier}",
    response_model=models.ScenarioOut,
    summary="Answer a saved scenario on today's data",
    responses=ERRORS,
)
async def get_scenario(
    identifier: str, store: StoreDep, settings: SettingsDep, knowledge: KnowledgeDep
) -> models.ScenarioOut:
    request = _repository(settings).load(identifier)
    result = await run_in_threadpool(_run, store, request, knowledge)
    return present(identifier, as_input(request), result)


@router.get(
    "/{first}/compare/{second}",
    response_model=models.ScenarioComparison,
    summary="Where two scenarios' outcomes differ",
    responses=ERRORS,
)
async def compare_scenarios(
    first: str, second: str, store: StoreDep, settings: SettingsDep, knowledge: KnowledgeDep
) -> models.ScenarioComparison:
    repository = _repository(settings)
    one, two = repository.load(first), repository.load(second)
    result_one = await run_in_threadpool(_run, store, one, knowledge)
    result_two = await run_in_threadpool(_run, store, two, knowledge)
    left = {(o.a, o.b, o.function): o for o in result_one.outcomes}
    right = {(o.a, o.b, o.function): o for o in result_two.outcomes}
    p_one = Presenter(result_one.knowledge, result_one.after_store)
    p_two = Presenter(result_two.knowledge, result_two.after_store)
    differences = []
    for key in sorted(set(left) | set(right)):
        a, b, function = key
        after_one = left[key].after if key in left else None
        after_two = right[key].after if key in right else None
        if after_one is not None and after_two is not None and after_one.bases == after_two.bases:
            continue
        empty = models.Resolution(applies=[], fallbacks=[])
        differences.append(
            models.Comparison(
                a=p_one.ref(a),
                b=p_one.ref(b),
                function=p_one.ref(function),
                first=p_one.resolution(after_one) if after_one else empty,
                second=p_two.resolution(after_two) if after_two else empty,
            )
        )
    return models.ScenarioComparison(first=first, second=second, differences=differences, total=len(differences))
