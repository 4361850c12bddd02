"""The United Kingdom's exit from EU instruments on 1 January 2021, as curated in
data/participations/gb-exit.ttl and data/accesses/gb.ttl: each fact recorded there (dates, modes,
bases), checked against the source cited next to it, and the links it lets the service derive
between the UK and Germany. Uses the curated build of tests/data/conftest.py."""

from __future__ import annotations

import pytest

from service.queries import load_named_queries

ID = "https://w3id.org/border21/id/"

PREFIXES = f"""
PREFIX instrument: <{ID}instrument/>
PREFIX participation: <{ID}participation/>
PREFIX access: <{ID}access/>
PREFIX channel: <{ID}channel/>
PREFIX state: <{ID}state/>
PREFIX mode: <{ID}participation-mode/>
"""


def values(store, subject: str, predicate: str) -> set[str]:
    result = store.select(PREFIXES + f"SELECT ?o WHERE {{ {subject} {predicate} ?o }}")
    return {str(row["o"]) for row in result.rows}


def value(store, subject: str, predicate: str) -> str:
    found = values(store, subject, predicate)
    assert len(found) == 1, f"{subject} {predicate}: {found}"
    return found.pop()


def ask(store, pattern: str) -> bool:
    return store.ask(PREFIXES + f"ASK {{ {pattern} }}")


def run(store, name: str, **parameters: str):
    query = {q.name: q for q in load_named_queries()}[name]
    bindings = {}
    for parameter in query.parameters:
        text = parameters.get(parameter.name)
        term = parameter.term(text) if text is not None else parameter.default_term()
        if term is not None:
            bindings[parameter.name] = term
    return store.select(query.text, bindings).rows


def iris(rows, column: str) -> set[str]:
    return {str(row[column]) for row in rows}


# ---------------------------------------------------------------------------------------------
# Participations (data/participations/gb-exit.ttl)
# ---------------------------------------------------------------------------------------------

PARTICIPATIONS = [
    # (participation, participant, instrument, mode, start, end)
    (
        "participation:europol-regulation--gb",
        "state:gb",
        "instrument:europol-regulation",
        "opt-in",
        "2017-05-01",
        "2020-12-31",
    ),
    (
        "participation:europol-council-decision--gb",
        "state:gb",
        "instrument:europol-council-decision",
        "party",
        "2010-01-01",
        "2014-11-30",
    ),
    (
        "participation:europol-council-decision--gb--2014",
        "state:gb",
        "instrument:europol-council-decision",
        "opt-in",
        "2014-12-01",
        "2017-04-30",
    ),
]


@pytest.mark.parametrize(("participation", "participant", "instrument", "mode", "start", "end"), PARTICIPATIONS)
def test_participation(curated_store, participation, participant, instrument, mode, start, end):
    store = curated_store
    assert ask(
        store,
        f"{participation} a b21:Participation ; b21:participant {participant} ; "
        f"b21:instrument {instrument} ; b21:participationMode mode:{mode}",
    )
    assert value(store, participation, "b21:startDate") == start
    assert value(store, participation, "b21:endDate") == end


def test_uk_europol_participation_has_no_gap_until_the_tca(curated_store):
    # Council Decision to 30 Nov 2014 and again from 1 Dec 2014 to 30 Apr 2017; Regulation from
    # 1 May 2017 to 31 Dec 2020; the TCA (agreements.ttl) from 1 Jan 2021.
    store = curated_store
    assert value(store, "participation:europol-council-decision--gb--2014", "b21:endDate") == "2017-04-30"
    assert value(store, "participation:europol-regulation--gb", "b21:startDate") == "2017-05-01"
    assert value(store, "participation:eu-uk-tca--gb", "b21:startDate") == "2021-01-01"
    # the 2014 block opt-out and same-day re-joining is not a loss
    assert run(store, "lost-on-end-date", actor=f"{ID}state/gb", endDate="2014-11-30") == []


def test_the_europol_regulation_itself_ended_for_the_uk_on_31_december_2020(curated_store):
    lost = iris(run(curated_store, "lost-on-end-date"), "item")  # defaults: state:gb, 2020-12-31
    assert f"{ID}instrument/europol-regulation" in lost


# ---------------------------------------------------------------------------------------------
# Channel accesses (data/accesses/gb.ttl)
# ---------------------------------------------------------------------------------------------

ACCESSES = [
    # (access, accessor, channel, bases, start, end or None)
    (
        "access:siena--gb",
        "state:gb",
        "channel:siena",
        {"europol-regulation"},
        "2017-05-01",
        "2020-12-31",
    ),
    (
        "access:prum-dna--gb--prum-decision",
        "state:gb",
        "channel:prum-dna",
        {"prum-decision", "prum-implementing-decision"},
        "2019-06-14",
        "2020-12-31",
    ),
    (
        "access:prum-fingerprints--gb--prum-decision",
        "state:gb",
        "channel:prum-fingerprints",
        {"prum-decision", "prum-implementing-decision"},
        "2020-08-13",
        "2020-12-31",
    ),
    (
        "access:interpol-i247--gb",
        "state:gb",
        "channel:interpol-i247",
        {"interpol-constitution"},
        "2010-02-02",
        None,
    ),
    (
        "access:sis--de",
        "state:de",
        "channel:sis",
        {"sis-ii-council-decision", "sis-police-regulation"},
        "2013-04-09",
        None,
    ),
]


@pytest.mark.parametrize(("access", "accessor", "channel", "bases", "start", "end"), ACCESSES)
def test_access(curated_store, access, accessor, channel, bases, start, end):
    store = curated_store
    assert ask(store, f"{access} a b21:ChannelAccess ; b21:accessor {accessor} ; b21:channel {channel}")
    assert values(store, access, "b21:accessBasis") == {f"{ID}instrument/{slug}" for slug in bases}
    assert value(store, access, "b21:startDate") == start
    assert values(store, access, "b21:endDate") == ({end} if end else set())


def test_no_uk_vehicle_registration_access_before_2021_is_recorded(curated_store):
    assert not ask(
        curated_store,
        "?a b21:accessor state:gb ; b21:channel channel:prum-vehicles ; b21:startDate ?s . "
        'FILTER (?s < "2021-01-01"^^xsd:date)',
    )


@pytest.mark.parametrize("channel", ["prum-dna", "prum-fingerprints"])
def test_prum_exchange_continues_under_the_tca(curated_store, channel):
    store = curated_store
    # the TCA access (data/accesses/interpol-prum.ttl) starts the day after the Prüm Decision access ends
    assert value(store, f"access:{channel}--gb", "b21:startDate") == "2021-01-01"
    assert f"{ID}instrument/eu-uk-tca" in values(store, f"access:{channel}--gb", "b21:accessBasis")
    lost = iris(run(store, "lost-on-end-date"), "item")
    assert f"{ID}channel/{channel}" not in lost


# ---------------------------------------------------------------------------------------------
# What the service derives for the UK and Germany
# ---------------------------------------------------------------------------------------------


def shared(store, function: str, at: str) -> set[str]:
    rows = run(
        store,
        "shared-channels-for-function",
        stateA=f"{ID}state/gb",
        stateB=f"{ID}state/de",
        function=f"{ID}function/{function}",
        at=at,
    )
    return iris(rows, "channel")


@pytest.mark.parametrize("at", ["2015-04-13", "2018-01-01", "2020-12-31"])
def test_sis_links_the_uk_and_germany_until_the_end_of_2020(curated_store, at):
    assert f"{ID}channel/sis" in shared(curated_store, "alerts", at)


def test_sis_link_starts_with_the_uk_connection(curated_store):
    assert f"{ID}channel/sis" not in shared(curated_store, "alerts", "2015-04-12")


@pytest.mark.parametrize("at", ["2021-01-01", "2022-06-01"])
def test_after_the_exit_alerts_go_through_interpol_not_sis(curated_store, at):
    channels = shared(curated_store, "alerts", at)
    assert f"{ID}channel/sis" not in channels
    assert f"{ID}channel/interpol-i247" in channels


def test_uk_i247_access_is_active_on_exit_day(curated_store):
    rows = run(curated_store, "channel-access", at="2021-01-01")
    pairs = {(str(row["channel"]), str(row["actor"])) for row in rows}
    assert (f"{ID}channel/interpol-i247", f"{ID}state/gb") in pairs
    assert (f"{ID}channel/sis", f"{ID}state/gb") not in pairs
    assert (f"{ID}channel/sis", f"{ID}state/de") in pairs
