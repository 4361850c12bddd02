"""Member states' accesses to the Prüm channels, as curated in data/accesses/prum-member-states.ttl:
each access recorded there (accessor, channel, start date, basis), checked against the source cited
next to it, and the links they let the service derive with the United Kingdom under the TCA. Uses the
curated build of tests/data/conftest.py."""

from __future__ import annotations

import pytest

from service.queries import load_named_queries

ID = "https://w3id.org/border21/id/"

PREFIXES = f"""
PREFIX access: <{ID}access/>
PREFIX channel: <{ID}channel/>
PREFIX state: <{ID}state/>
"""

PRUM_BASES = {f"{ID}instrument/prum-decision", f"{ID}instrument/prum-implementing-decision"}

ACCESSES = [
    # (access, accessor, channel, start, start only confirmed) -- all open-ended, all under
    # Decisions 2008/615/JHA and 2008/616/JHA.
    # Dated by the state's own launch decision:
    # Council Implementing Decision (EU) 2016/2047: "as from 25 November 2016"
    ("access:prum-dna--dk", "state:dk", "channel:prum-dna", "2016-11-25", False),
    # Council Implementing Decision (EU) 2017/618: "à compter du 2 avril 2017"
    ("access:prum-vehicles--dk", "state:dk", "channel:prum-vehicles", "2017-04-02", False),
    # Council Implementing Decision (EU) 2015/2009: entitled from 12 November 2015 (Polish Police, CLKP)
    ("access:prum-fingerprints--pl", "state:pl", "channel:prum-fingerprints", "2015-11-12", False),
    # Confirmed as another state's pilot-run partner (Annex to 2008/616/JHA, ch. 4, point 1.2):
    # the UK's DNA pilot, Council conclusion of 11 October 2018 (Decision (EU) 2019/968)
    ("access:prum-dna--de", "state:de", "channel:prum-dna", "2018-10-11", True),
    ("access:prum-dna--at", "state:at", "channel:prum-dna", "2018-10-11", True),
    # the UK's fingerprint pilot, Council conclusion of 2 December 2019 (procedure 2019/0819(CNS))
    ("access:prum-fingerprints--de", "state:de", "channel:prum-fingerprints", "2019-12-02", True),
    # Denmark's DNA and VRD pilots, Council conclusions of 12 July and 13 October 2016
    ("access:prum-dna--nl", "state:nl", "channel:prum-dna", "2016-07-12", True),
    ("access:prum-vehicles--nl", "state:nl", "channel:prum-vehicles", "2016-10-13", True),
    # Belgium's fingerprint pilot, Decision (EU) 2015/2050 of 10 November 2015, recital 5
    ("access:prum-fingerprints--fr", "state:fr", "channel:prum-fingerprints", "2015-11-10", True),
    ("access:prum-fingerprints--lu", "state:lu", "channel:prum-fingerprints", "2015-11-10", True),
]


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


@pytest.mark.parametrize(("access", "accessor", "channel", "start", "confirmed_only"), ACCESSES)
def test_access(curated_store, access, accessor, channel, start, confirmed_only):
    store = curated_store
    assert ask(store, f"{access} a b21:ChannelAccess ; b21:accessor {accessor} ; b21:channel {channel}")
    assert values(store, access, "b21:accessBasis") == PRUM_BASES
    assert value(store, access, "b21:startDate") == start
    assert values(store, access, "b21:endDate") == set()
    assert values(store, access, "b21:startIsEarliestConfirmation") == ({"true"} if confirmed_only else set())


@pytest.mark.parametrize(("access", "accessor", "channel", "start", "confirmed_only"), ACCESSES)
def test_access_has_an_official_source(curated_store, access, accessor, channel, start, confirmed_only):
    sources = values(curated_store, access, "dcterms:source")
    assert any("europa.eu" in source for source in sources), sources


def test_only_the_sourced_member_state_accesses_are_recorded(curated_store):
    # every Prüm access under the Decisions belongs either to the UK (gb.ttl) or to this curation
    rows = curated_store.select(
        PREFIXES
        + """
        SELECT ?access WHERE {
          ?access a b21:ChannelAccess ; b21:channel ?channel ; b21:accessor ?state ;
                  b21:accessBasis <https://w3id.org/border21/id/instrument/prum-decision> .
          FILTER (?channel IN (channel:prum-dna, channel:prum-fingerprints, channel:prum-vehicles))
          FILTER (?state != state:gb)
        }
        """
    ).rows
    recorded = {str(row["access"]) for row in rows}
    expected = {f"{ID}access/{access.removeprefix('access:')}" for access, *_ in ACCESSES}
    assert recorded == expected


def shared(store, state: str, function: str, at: str) -> set[str]:
    rows = run(
        store,
        "shared-channels-for-function",
        stateA=f"{ID}state/gb",
        stateB=f"{ID}state/{state}",
        function=f"{ID}function/{function}",
        at=at,
    )
    return {str(row["channel"]) for row in rows}


@pytest.mark.parametrize(
    ("state", "function", "channel"),
    [
        ("dk", "dna-comparison", "prum-dna"),
        ("dk", "vehicle-registration-comparison", "prum-vehicles"),
        ("pl", "fingerprint-comparison", "prum-fingerprints"),
        ("de", "dna-comparison", "prum-dna"),
        ("de", "fingerprint-comparison", "prum-fingerprints"),
        ("at", "dna-comparison", "prum-dna"),
        ("nl", "dna-comparison", "prum-dna"),
    ],
)
def test_prum_link_with_the_uk_under_the_tca(curated_store, state, function, channel):
    # the UK's TCA accesses (interpol-prum.ttl) start on 1 January 2021
    assert f"{ID}channel/{channel}" in shared(curated_store, state, function, "2021-06-01")


def test_dna_link_with_denmark_under_the_decision_before_the_exit(curated_store):
    # UK DNA access under the Decision: 14 June 2019 - 31 December 2020 (gb.ttl)
    assert f"{ID}channel/prum-dna" in shared(curated_store, "dk", "dna-comparison", "2020-06-01")
    assert f"{ID}channel/prum-dna" not in shared(curated_store, "dk", "dna-comparison", "2019-06-13")


def test_fingerprint_link_with_germany_starts_with_the_uks_launch(curated_store):
    # Germany's fingerprint exchange is recorded from 2 December 2019, the UK's from 13 August 2020
    assert f"{ID}channel/prum-fingerprints" in shared(curated_store, "de", "fingerprint-comparison", "2020-09-01")
    assert f"{ID}channel/prum-fingerprints" not in shared(curated_store, "de", "fingerprint-comparison", "2020-08-12")
