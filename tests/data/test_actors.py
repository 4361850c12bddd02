"""The curated actors (states, organisations, EU and national agencies) against the coverage of
issue 3, plus specific facts checked against official sources during curation (see the comments
in data/states.ttl, data/organisations.ttl and data/agencies/*.ttl)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service import resources
from service.build.pipeline import build
from service.store import GraphStore, OpenStore, StoreHome

PREFIXES = """
PREFIX b21: <https://w3id.org/border21/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX state: <https://w3id.org/border21/id/state/>
PREFIX agency: <https://w3id.org/border21/id/agency/>
PREFIX org21: <https://w3id.org/border21/id/organisation/>
PREFIX instrument: <https://w3id.org/border21/id/instrument/>
"""

ID = "https://w3id.org/border21/id/"

EU_27 = [
    "at",
    "be",
    "bg",
    "cy",
    "cz",
    "de",
    "dk",
    "ee",
    "es",
    "fi",
    "fr",
    "gr",
    "hr",
    "hu",
    "ie",
    "it",
    "lt",
    "lu",
    "lv",
    "mt",
    "nl",
    "pl",
    "pt",
    "ro",
    "se",
    "si",
    "sk",
]
SCHENGEN_ASSOCIATED = ["ch", "is", "li", "no"]
EU_AGENCIES = {
    "europol": "europol-regulation",
    "eurojust": "eurojust-regulation",
    "frontex": "ebcg-regulation",
    "cepol": "cepol-regulation",
    "eu-lisa": "eu-lisa-regulation",
    "eppo": "eppo-regulation",
    "euda": "euda-regulation",
}


@pytest.fixture(scope="module")
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    """The store built from the real data: the shared session fixture when tests/data/conftest.py
    provides it, otherwise a build of our own."""
    try:
        home_path = Path(request.getfixturevalue("built_curated_store"))
    except pytest.FixtureLookupError:
        home_path = tmp_path_factory.mktemp("actors") / "store"
        build(StoreHome(home_path), resources.ontology_dir(), resources.data_dir())
    with OpenStore(StoreHome(home_path), read_only=True) as opened:
        yield opened


def select(store: GraphStore, query: str) -> list[dict[str, object]]:
    return [dict(row) for row in store.select(PREFIXES + query).rows]


def count(store: GraphStore, query: str) -> int:
    return int(str(select(store, query)[0]["n"]))


def ask(store: GraphStore, query: str) -> bool:
    return store.ask(PREFIXES + query)


def iri(kind: str, slug: str) -> str:
    return f"<{ID}{kind}/{slug}>"


# ---------------------------------------------------------------------------------------------
# Coverage (issue 3)
# ---------------------------------------------------------------------------------------------


def test_at_least_40_states(store: GraphStore) -> None:
    assert count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a b21:State }") >= 40


@pytest.mark.parametrize("code", EU_27 + SCHENGEN_ASSOCIATED + ["gb", "us"])
def test_core_state_present_with_its_iso_code(store: GraphStore, code: str) -> None:
    assert ask(store, f'ASK {{ {iri("state", code)} a b21:State ; b21:isoCode "{code.upper()}" }}')


def test_every_state_iso_code_matches_its_iri(store: GraphStore) -> None:
    rows = select(store, "SELECT ?s ?code WHERE { ?s a b21:State ; b21:isoCode ?code }")
    mismatched = [(str(r["s"]), str(r["code"])) for r in rows if not str(r["s"]).endswith("/" + str(r["code"]).lower())]
    assert mismatched == []


@pytest.mark.parametrize("org", ["eu", "coe", "un", "interpol"])
def test_international_organisations(store: GraphStore, org: str) -> None:
    assert ask(store, f"ASK {{ {iri('organisation', org)} a b21:InternationalOrganisation ; dcterms:source ?s }}")


@pytest.mark.parametrize(
    ("grouping", "instrument"),
    [("schengen-area", "schengen-implementing-convention"), ("eppo-participating-states", "eppo-regulation")],
)
def test_state_groupings_and_their_founding_instruments(store: GraphStore, grouping: str, instrument: str) -> None:
    assert ask(
        store,
        f"ASK {{ {iri('organisation', grouping)} a b21:StateGrouping ;"
        f" b21:establishedBy {iri('instrument', instrument)} }}",
    )


def test_exactly_the_seven_current_eu_agencies_with_founding_acts(store: GraphStore) -> None:
    rows = select(
        store,
        """SELECT DISTINCT ?a ?act WHERE {
             ?a a b21:EUAgency ; b21:establishedBy ?act .
             FILTER NOT EXISTS { ?successor b21:succeeds ?a }
           }""",
    )
    current = {str(r["a"]).rsplit("/", 1)[1]: str(r["act"]).rsplit("/", 1)[1] for r in rows}
    assert current == EU_AGENCIES


@pytest.mark.parametrize("slug", sorted(EU_AGENCIES))
def test_eu_agency_has_seat_acronym_and_belongs_to_the_eu(store: GraphStore, slug: str) -> None:
    assert ask(
        store,
        f"ASK {{ {iri('agency', slug)} b21:seat ?state ; b21:seatCity ?city ; b21:acronym ?acr ;"
        f" org:subOrganizationOf org21:eu . ?state a b21:State }}",
    )


NATIONAL_AGENCIES = """
  ?a a ?class .
  VALUES ?class { b21:Agency b21:PoliceAuthority b21:ProsecutionAuthority b21:CentralAuthority
                  b21:BorderGuardAuthority b21:CustomsAuthority b21:FinancialIntelligenceUnit
                  b21:SireneBureau b21:NationalCentralBureau b21:EuropolNationalUnit }
  ?a org:subOrganizationOf+ ?state .
  ?state a b21:State .
  FILTER NOT EXISTS { ?a a b21:EUAgency }
"""


def test_at_least_100_national_agencies(store: GraphStore) -> None:
    assert count(store, f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ {NATIONAL_AGENCIES} }}") >= 100


@pytest.mark.parametrize("code", EU_27 + SCHENGEN_ASSOCIATED + ["gb"])
def test_every_eu_schengen_state_and_the_uk_has_an_agency(store: GraphStore, code: str) -> None:
    assert ask(store, f"ASK {{ {NATIONAL_AGENCIES} FILTER(?state = {iri('state', code)}) }}")


def test_every_agency_has_one_english_label_and_a_source(store: GraphStore) -> None:
    missing = select(
        store,
        """SELECT DISTINCT ?a WHERE {
             ?a org:subOrganizationOf ?parent .
             FILTER(STRSTARTS(STR(?a), "https://w3id.org/border21/id/agency/"))
             FILTER(NOT EXISTS { ?a dcterms:source ?s } || NOT EXISTS { ?a rdfs:label ?l FILTER(LANG(?l) = "en") })
           }""",
    )
    assert missing == []


# ---------------------------------------------------------------------------------------------
# Specific facts verified during curation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "state", "city"),
    [
        ("europol", "nl", "The Hague"),  # EUR-Lex summary of Decision 2009/371/JHA
        ("eurojust", "nl", "The Hague"),  # Eurojust's own address page
        ("frontex", "pl", "Warsaw"),  # frontex.europa.eu legal basis, Art. 93(5) Reg. 2019/1896
        ("cepol", "hu", "Budapest"),  # EUR-Lex summary of Regulation (EU) 2015/2219
        ("eu-lisa", "ee", "Tallinn"),  # eu-LISA site agreement news
        ("eppo", "lu", "Luxembourg"),  # european-union.europa.eu EPPO page
        ("euda", "pt", "Lisbon"),  # euda.europa.eu mission page
    ],
)
def test_eu_agency_seat(store: GraphStore, slug: str, state: str, city: str) -> None:
    assert ask(store, f'ASK {{ {iri("agency", slug)} b21:seat {iri("state", state)} ; b21:seatCity "{city}" }}')


@pytest.mark.parametrize(
    ("agency", "predecessor", "predecessor_act"),
    [
        ("europol", "europol-2010", "europol-council-decision"),
        ("eurojust", "eurojust-2002", "eurojust-council-decision"),
        ("frontex", "frontex-2004", "frontex-regulation-2004"),
        ("cepol", "cepol-2005", "cepol-council-decision-2005"),
        ("eu-lisa", "eu-lisa-2011", "eu-lisa-regulation-2011"),
        ("euda", "emcdda", "emcdda-regulation-2006"),
    ],
)
def test_eu_agency_predecessor_and_its_founding_act(
    store: GraphStore, agency: str, predecessor: str, predecessor_act: str
) -> None:
    assert ask(
        store,
        f"ASK {{ {iri('agency', agency)} b21:succeeds {iri('agency', predecessor)} ."
        f" {iri('agency', predecessor)} a b21:EUAgency ; b21:establishedBy {iri('instrument', predecessor_act)} }}",
    )


def test_eppo_has_no_predecessor(store: GraphStore) -> None:
    assert not ask(store, "ASK { agency:eppo b21:succeeds ?x }")


def test_cepol_college_has_no_single_seat(store: GraphStore) -> None:
    # Bramshill (UK) until 2014, then Budapest: deliberately not stored as one b21:seat.
    assert not ask(store, "ASK { agency:cepol-2005 b21:seat ?s }")


def test_austrian_bureaux_are_units_of_the_bundeskriminalamt(store: GraphStore) -> None:
    assert ask(
        store,
        """ASK { agency:at-bk org:subOrganizationOf state:at .
                 agency:at-ncb a b21:NationalCentralBureau ; org:subOrganizationOf agency:at-bk .
                 agency:at-enu a b21:EuropolNationalUnit ; org:subOrganizationOf agency:at-bk .
                 agency:at-sirene a b21:SireneBureau ; org:subOrganizationOf agency:at-bk . }""",
    )


def test_uk_international_crime_bureau_holds_three_roles_within_the_nca(store: GraphStore) -> None:
    assert ask(
        store,
        """ASK { agency:gb-icb a b21:NationalCentralBureau , b21:EuropolNationalUnit , b21:SireneBureau ;
                   org:subOrganizationOf agency:gb-nca .
                 agency:gb-nca org:subOrganizationOf state:gb }""",
    )


def test_swiss_sirene_bureau_is_in_the_fedpol_operations_centre(store: GraphStore) -> None:
    assert ask(
        store,
        """ASK { agency:ch-sirene a b21:SireneBureau ; org:subOrganizationOf agency:ch-fedpol-oc .
                 agency:ch-fedpol-oc org:subOrganizationOf agency:ch-fedpol .
                 agency:ch-fedpol a b21:NationalCentralBureau }""",
    )


def test_cyprus_europol_national_unit_is_in_the_eu_ipcd(store: GraphStore) -> None:
    assert ask(
        store,
        """ASK { agency:cy-enu a b21:EuropolNationalUnit ; org:subOrganizationOf agency:cy-eu-ipcd .
                 agency:cy-eu-ipcd org:subOrganizationOf agency:cy-police }""",
    )


def test_german_mla_central_authority_is_the_federal_office_of_justice(store: GraphStore) -> None:
    assert ask(
        store, 'ASK { agency:de-bfj a b21:CentralAuthority ; org:subOrganizationOf state:de ; b21:acronym "BfJ" }'
    )


def test_czech_central_authority_role_is_split_between_prosecutor_and_ministry(store: GraphStore) -> None:
    rows = select(
        store,
        "SELECT DISTINCT ?a WHERE { ?a a b21:CentralAuthority ; org:subOrganizationOf state:cz }",
    )
    assert {str(r["a"]).rsplit("/", 1)[1] for r in rows} == {"cz-supreme-prosecutor", "cz-moj"}


def test_greek_police_division_has_interpol_europol_and_sirene_sections(store: GraphStore) -> None:
    rows = select(store, "SELECT DISTINCT ?a WHERE { ?a org:subOrganizationOf agency:gr-ipcd }")
    assert {str(r["a"]).rsplit("/", 1)[1] for r in rows} == {"gr-ncb", "gr-enu", "gr-sirene"}


def test_luxembourg_bureau_roles_not_guessed(store: GraphStore) -> None:
    # The Grand-Ducal Police page names a coordination body, not which unit holds which role.
    assert not ask(
        store,
        """ASK { ?a org:subOrganizationOf+ state:lu .
                 { ?a a b21:NationalCentralBureau } UNION { ?a a b21:EuropolNationalUnit }
                 UNION { ?a a b21:SireneBureau } }""",
    )


def test_greece_keeps_its_iso_code_not_the_eu_code(store: GraphStore) -> None:
    assert ask(store, 'ASK { state:gr b21:isoCode "GR" ; rdfs:label "Greece"@en }')
    assert not ask(store, 'ASK { ?s b21:isoCode "EL" }')
