"""EU membership, member states' participations in the key EU and Council of Europe instruments,
the EU's agreements that bind its member states, and precedence between instruments, as curated in
data/participations/eu-membership.ttl, eaw.ttl, eu-member-states.ttl, coe-mla.ttl and
data/instruments/eu-treaties.ttl, precedence.ttl. Each fact was checked against the source cited next
to it in data/."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef

from service import resources

ID = "https://w3id.org/border21/id/"
B21 = Namespace("https://w3id.org/border21/ontology#")

PREFIXES = f"""
PREFIX instrument: <{ID}instrument/>
PREFIX participation: <{ID}participation/>
PREFIX state: <{ID}state/>
PREFIX org21: <{ID}organisation/>
PREFIX mode: <{ID}participation-mode/>
"""

EU_27 = {
    "at", "be", "bg", "cy", "cz", "de", "dk", "ee", "es", "fi", "fr", "gr", "hr", "hu", "ie", "it",
    "lt", "lu", "lv", "mt", "nl", "pl", "pt", "ro", "se", "si", "sk",
}  # fmt: skip


def values(store, subject: str, predicate: str) -> set[str]:
    result = store.select(PREFIXES + f"SELECT ?o WHERE {{ {subject} {predicate} ?o }}")
    return {str(row["o"]) for row in result.rows}


def value(store, subject: str, predicate: str) -> str:
    found = values(store, subject, predicate)
    assert len(found) == 1, f"{subject} {predicate}: {found}"
    return found.pop()


def ask(store, pattern: str) -> bool:
    return store.ask(PREFIXES + f"ASK {{ {pattern} }}")


def members_at(store, date: str) -> set[str]:
    result = store.select(
        PREFIXES
        + f"""SELECT ?s WHERE {{
              ?p b21:instrument instrument:eu-treaties ; b21:participationMode mode:member ;
                 b21:participant ?s ; b21:startDate ?start .
              OPTIONAL {{ ?p b21:endDate ?end }}
              FILTER (?start <= "{date}"^^xsd:date && (!BOUND(?end) || ?end >= "{date}"^^xsd:date))
            }}"""
    )
    return {str(row["s"]).rsplit("/", 1)[1] for row in result.rows}


# ---------------------------------------------------------------------------------------------
# EU membership
# ---------------------------------------------------------------------------------------------


def test_eu_has_27_members_today(curated_store):
    assert members_at(curated_store, "2026-01-01") == EU_27


def test_uk_membership_ended_on_31_january_2020(curated_store):
    assert "gb" in members_at(curated_store, "2020-01-31")
    assert "gb" not in members_at(curated_store, "2020-02-01")
    assert value(curated_store, "participation:eu-treaties--gb", "b21:endDate") == "2020-01-31"
    assert len(members_at(curated_store, "2020-01-31")) == 28


def test_membership_grew_by_enlargement(curated_store):
    assert len(members_at(curated_store, "1958-01-01")) == 6
    assert len(members_at(curated_store, "1973-01-01")) == 9
    assert len(members_at(curated_store, "2004-05-01")) == 25
    assert len(members_at(curated_store, "2013-06-30")) == 27
    assert len(members_at(curated_store, "2013-07-01")) == 28


def test_every_participation_in_eu_membership_file_has_mode_member():
    graph = Graph()
    graph.parse(Path(resources.data_dir()) / "participations" / "eu-membership.ttl", format="turtle")
    participations = set(graph.subjects(predicate=B21.instrument))
    assert len(participations) == 28
    member = URIRef(f"{ID}participation-mode/member")
    for participation in participations:
        assert set(graph.objects(participation, B21.participationMode)) == {member}, participation
        assert set(graph.objects(participation, B21.instrument)) == {URIRef(f"{ID}instrument/eu-treaties")}


def test_eu_treaties_identifiers_and_what_they_establish(curated_store):
    assert values(curated_store, "instrument:eu-treaties", "dcterms:identifier") == {"12016M/TXT", "12016E/TXT"}
    assert ask(curated_store, "instrument:eu-treaties b21:establishes org21:eu")


MEMBERSHIP_STARTS = [
    ("fr", "1958-01-01"),
    ("dk", "1973-01-01"),
    ("ie", "1973-01-01"),
    ("gr", "1981-01-01"),
    ("es", "1986-01-01"),
    ("at", "1995-01-01"),
    ("pl", "2004-05-01"),
    ("bg", "2007-01-01"),
    ("hr", "2013-07-01"),
    ("gb", "1973-01-01"),
]


@pytest.mark.parametrize(("code", "start"), MEMBERSHIP_STARTS)
def test_accession_date(curated_store, code, start):
    assert value(curated_store, f"participation:eu-treaties--{code}", "b21:startDate") == start


# ---------------------------------------------------------------------------------------------
# Member states' participations (with the Danish and Irish positions)
# ---------------------------------------------------------------------------------------------


def test_every_member_state_of_today_takes_part_in_the_eaw(curated_store):
    result = curated_store.select(
        PREFIXES
        + """SELECT ?s WHERE { ?p b21:instrument instrument:eaw-framework-decision ;
                 b21:participationMode mode:party ; b21:participant ?s }"""
    )
    parties = {str(row["s"]).rsplit("/", 1)[1] for row in result.rows}
    assert parties >= EU_27
    assert "gb" in parties  # until 31 December 2020


PARTICIPATION_FACTS = [
    # (participation, participant, mode, start, end or None)
    ("participation:eaw-framework-decision--de", "state:de", "party", "2004-01-01", None),
    ("participation:eaw-framework-decision--dk", "state:dk", "party", "2004-01-01", None),
    ("participation:eaw-framework-decision--ie", "state:ie", "party", "2004-01-01", None),
    ("participation:eaw-framework-decision--pl", "state:pl", "party", "2004-05-01", None),
    ("participation:eaw-framework-decision--hr", "state:hr", "party", "2013-07-01", None),
    ("participation:europol-regulation--ie", "state:ie", "opt-in", "2017-05-01", None),
    ("participation:europol-regulation--nl", "state:nl", "party", "2017-05-01", None),
    ("participation:europol-regulation--dk", "state:dk", "opt-out", "2017-05-01", None),
    ("participation:eio-directive--ie", "state:ie", "opt-out", "2017-05-22", None),
    ("participation:eio-directive--fr", "state:fr", "party", "2017-05-22", None),
    ("participation:eu-mla-convention-2000--ie", "state:ie", "party", "2020-08-23", None),
    ("participation:eu-mla-convention-2000--it", "state:it", "party", "2018-02-22", None),
    ("participation:eu-mla-convention-2000--gb", "state:gb", "party", "2005-12-21", "2020-12-31"),
    ("participation:sis-police-regulation--de", "state:de", "party", "2023-03-07", None),
    ("participation:sis-police-regulation--ie", "state:ie", "opt-in", "2023-03-07", None),
    ("participation:sis-ii-council-decision--ie", "state:ie", "opt-in", "2021-03-15", "2023-03-06"),
    ("participation:coe-mla-convention--ie", "state:ie", "party", "1997-02-26", None),
    ("participation:coe-mla-convention--dk", "state:dk", "party", "1962-12-12", None),
    ("participation:coe-mla-convention--no", "state:no", "party", "1962-06-12", None),
    ("participation:coe-mla-convention--pt", "state:pt", "party", "1994-12-26", None),
    ("participation:europol-canada-agreement--ca", "state:ca", "signatory", "2005-11-21", None),
]


@pytest.mark.parametrize(("participation", "participant", "mode", "start", "end"), PARTICIPATION_FACTS)
def test_participation_fact(curated_store, participation, participant, mode, start, end):
    store = curated_store
    assert ask(store, f"{participation} b21:participant {participant} ; b21:participationMode mode:{mode}")
    assert value(store, participation, "b21:startDate") == start
    assert values(store, participation, "b21:endDate") == ({end} if end else set())


def test_greece_and_croatia_are_not_recorded_as_parties_to_the_2000_mla_convention(curated_store):
    for code in ("gr", "hr"):
        assert not ask(
            curated_store, f"?p b21:instrument instrument:eu-mla-convention-2000 ; b21:participant state:{code}"
        )


def test_canada_is_a_state(curated_store):
    assert value(curated_store, "state:ca", "b21:isoCode") == "CA"


# ---------------------------------------------------------------------------------------------
# EU agreements that bind the member states; identifiers of the agreements
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "participation",
    [
        "participation:eu-uk-tca--eu",
        "participation:eu-uk-tca--eu--in-force",
        "participation:eu-is-no-surrender-agreement--eu",
    ],
)
def test_eu_participation_extends_to_members(curated_store, participation):
    assert value(curated_store, participation, "b21:extendsToMembers") == "true"


IDENTIFIER_FACTS = [
    ("instrument:eu-uk-tca", "b21:celexNumber", "22021A0430(01)"),
    ("instrument:eu-is-no-surrender-agreement", "b21:celexNumber", "22006A1021(01)"),
    ("instrument:europol-us-supplemental-agreement", "b21:dateAdopted", "2002-12-20"),
]


@pytest.mark.parametrize(("subject", "predicate", "expected"), IDENTIFIER_FACTS)
def test_identifier_fact(curated_store, subject, predicate, expected):
    assert value(curated_store, subject, predicate) == expected


# ---------------------------------------------------------------------------------------------
# Precedence
# ---------------------------------------------------------------------------------------------

PRECEDENCE = [
    # EAW Framework Decision, Art. 31(1)
    ("eaw-framework-decision", "coe-extradition-convention"),
    ("eaw-framework-decision", "coe-extradition-protocol-1"),
    ("eaw-framework-decision", "coe-extradition-protocol-2"),
    ("eaw-framework-decision", "schengen-implementing-convention"),
    # EIO Directive, Art. 34(1)
    ("eio-directive", "coe-mla-convention"),
    ("eio-directive", "eu-mla-convention-2000"),
    ("eio-directive", "coe-mla-protocol-2"),
    # TCA, Part Three, Title VII, between the UK and the member states
    ("eu-uk-tca", "coe-extradition-convention"),
]


@pytest.mark.parametrize(("winner", "loser"), PRECEDENCE)
def test_prevails_over(curated_store, winner, loser):
    assert ask(curated_store, f"instrument:{winner} b21:prevailsOver instrument:{loser}")


def test_supplementing_is_not_prevailing(curated_store):
    # The 2000 EU MLA Convention supplements the 1959 Convention; the TCA supplements it for MLA.
    assert not ask(curated_store, "instrument:eu-mla-convention-2000 b21:prevailsOver instrument:coe-mla-convention")
    assert not ask(curated_store, "instrument:eu-uk-tca b21:prevailsOver instrument:coe-mla-convention")
