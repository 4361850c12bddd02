"""Every SHACL shape fires, through `validate_shapes`, on a copy of the valid fixture broken for it."""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import rdflib
from rdflib import Namespace
from rdflib.namespace import RDF
from rdflib.term import Node

from service.build.sources import discover, read
from service.build.validate import Violation, validate_shapes
from service.namespaces import SH
from service.resources import ontology_dir
from service.store import in_memory_store

B21SH = Namespace("https://w3id.org/border21/shapes#")
ID = "https://w3id.org/border21/id/"

ACTORS = "data/actors.ttl"
INSTRUMENTS = "data/instruments.ttl"
CRIME_AREAS = "ontology/vocab/crime-areas.ttl"

# Recognisable parts of the shapes' sh:message texts, each naming one constraint of its shape.
LABEL = "needs exactly one English rdfs:label"
SOURCE = "needs at least one dcterms:source"
START_DATE = "exactly one b21:startDate"
END_DATE = "b21:endDate is at most one xsd:date"
CRIME_AREA = "b21:crimeArea must name a concept of the crime-areas scheme"
FUNCTION = "b21:cooperationFunction must name a concept of the cooperation-functions scheme"
DATA_CATEGORY = "b21:dataCategory must name a concept of the data-categories scheme"
PREF_LABEL = "exactly one English skos:prefLabel"

# The SHACL Core parameters that make a shape a constraint (rather than a target or a name).
CONSTRAINT_PARAMETERS = {
    SH[name]
    for name in (
        *("class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive"),
        *("maxExclusive", "maxInclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang"),
        *("equals", "disjoint", "lessThan", "lessThanOrEquals", "not", "and", "or", "xone", "node"),
        *("qualifiedValueShape", "closed", "hasValue", "in", "sparql"),
    )
}

# An edit takes the text of a fixture file and the broken node's name, and returns the new text.
Edit = Callable[[str, str], str]


# ---------------------------------------------------------------------------------------
# Edits, each confined to the block that describes the broken node
# ---------------------------------------------------------------------------------------


def _in_block(text: str, focus: str, change: Callable[[list[str]], list[str]]) -> str:
    lines = text.splitlines(keepends=True)
    starts = [number for number, line in enumerate(lines) if line.split()[:1] == [focus]]
    assert len(starts) == 1, f"{focus} must start exactly one block"
    start = starts[0]
    end = next(number for number in range(start, len(lines)) if lines[number].rstrip().endswith(" ."))
    return "".join(lines[:start] + change(lines[start : end + 1]) + lines[end + 1 :])


def swap(old: str, new: str) -> Edit:
    """Replace the one occurrence of `old` in the node's block."""

    def change(block: list[str]) -> list[str]:
        text = "".join(block)
        assert text.count(old) == 1, f"{old!r} must occur once in:\n{text}"
        return [text.replace(old, new)]

    return lambda text, focus: _in_block(text, focus, change)


def drop(predicate: str) -> Edit:
    """Remove the node's one statement with `predicate`, keeping the block well terminated."""

    def change(block: list[str]) -> list[str]:
        hits = [number for number, line in enumerate(block) if line.split()[:1] == [predicate]]
        assert len(hits) == 1, f"{predicate} must start one line of:\n{''.join(block)}"
        kept = block[: hits[0]] + block[hits[0] + 1 :]
        if block[hits[0]].rstrip().endswith(" ."):
            kept[-1] = re.sub(r" ;(\s*)$", r" .\1", kept[-1])
        return kept

    return lambda text, focus: _in_block(text, focus, change)


def add(statement: str) -> Edit:
    """Add one statement to the node, right after its subject line."""
    return lambda text, focus: _in_block(text, focus, lambda block: [block[0], f"    {statement} ;\n", *block[1:]])


def append(block: str) -> Edit:
    """Add a new node (the broken one) at the end of the file."""
    return lambda text, focus: f"{text.rstrip()}\n\n{textwrap.dedent(block).strip()}\n"


@dataclass(frozen=True)
class Breakage:
    name: str
    shape: str  # the node shape (local name in b21sh:) whose target the edit breaks
    message: str  # a recognisable part of the sh:message of the one constraint expected to fire
    file: str  # the edited file, as violations name it
    focus: str  # the broken node, as the file spells it
    edit: Edit

    def __str__(self) -> str:
        return self.name


# One row per breakage: (name, message, focus, edit), grouped by the shape it breaks and the file it edits.
TABLE: dict[tuple[str, str], list[tuple[str, str, str, Edit]]] = {
    ("ActorShape", ACTORS): [
        ("actor-without-label", LABEL, "organisation:union", drop("rdfs:label")),
        ("actor-with-two-english-labels", LABEL, "state:bb", swap('"Betaland"@en', '"Betaland"@en , "Beta"@en')),
        (
            "actor-with-english-and-british-english-labels",
            LABEL,
            "state:aa",
            swap('"Alphaland"@en', '"Alphaland"@en , "Republic of Alphaland"@en-GB'),
        ),
        (
            "actor-with-german-label-only",
            LABEL,
            "agency:aa-police",
            swap('"Alphaland Police"@en', '"Polizei Alphaland"@de'),
        ),
        ("actor-with-untagged-label", LABEL, "state:bb", swap('"Betaland"@en', '"Betaland"')),
        ("actor-without-source", SOURCE, "state:bb", drop("dcterms:source")),
        (
            "actor-source-as-literal",
            SOURCE,
            "organisation:union",
            swap("<https://example.org/union>", '"https://example.org/union"'),
        ),
        (
            "actor-established-by-a-state",
            "b21:establishedBy must name a legal instrument",
            "agency:union-office",
            swap(f"<{ID}instrument/office-regulation>", "state:bb"),
        ),
        (
            "actor-succeeds-an-instrument",
            "b21:succeeds must name an actor",
            "agency:aa-police",
            add(f"b21:succeeds <{ID}instrument/old-convention>"),
        ),
    ],
    ("StateShape", ACTORS): [
        ("state-iso-code-in-lower-case", "b21:isoCode", "state:aa", swap('"AA"', '"aa"')),
        ("state-iso-code-of-three-letters", "b21:isoCode", "state:bb", swap('"BB"', '"BBB"')),
        ("state-iso-code-tagged", "b21:isoCode", "state:bb", swap('"BB"', '"BB"@en')),
        ("state-without-iso-code", "b21:isoCode", "state:bb", drop("b21:isoCode")),
        ("state-with-two-iso-codes", "b21:isoCode", "state:aa", swap('"AA"', '"AA" , "AL"')),
    ],
    ("AgencyShape", ACTORS): [
        ("agency-without-parent", "org:subOrganizationOf", "agency:aa-police", drop("org:subOrganizationOf")),
        (
            "agency-part-of-an-instrument",
            "org:subOrganizationOf",
            "agency:aa-police",
            swap("state:aa", f"<{ID}instrument/old-convention>"),
        ),
        (
            "agency-seated-in-an-organisation",
            "b21:seat, if given",
            "agency:union-office",
            swap("b21:seat state:bb", "b21:seat organisation:union"),
        ),
        (
            "agency-with-two-seats",
            "b21:seat, if given",
            "agency:union-office",
            swap("b21:seat state:bb", "b21:seat state:bb , state:aa"),
        ),
        (
            "agency-seat-city-tagged",
            "b21:seatCity, if given",
            "agency:union-office",
            swap('"Betatown"', '"Betatown"@en'),
        ),
        (
            "agency-with-two-seat-cities",
            "b21:seatCity, if given",
            "agency:union-office",
            swap('"Betatown"', '"Betatown" , "Betaville"'),
        ),
    ],
    ("LegalInstrumentShape", INSTRUMENTS): [
        ("instrument-without-label", LABEL, "instrument:old-convention", drop("rdfs:label")),
        ("instrument-without-source", SOURCE, "instrument:office-regulation", drop("dcterms:source")),
        (
            "instrument-source-not-on-the-web",
            SOURCE,
            "instrument:old-convention",
            swap("<https://example.org/old-convention>", "<urn:example:old-convention>"),
        ),
        (
            "instrument-crime-area-from-another-scheme",
            CRIME_AREA,
            "instrument:office-regulation",
            swap("crime:terrorism", "fn:surrender"),
        ),
        (
            "instrument-crime-area-undefined",
            CRIME_AREA,
            "instrument:office-regulation",
            swap("crime:terrorism", "crime:piracy"),
        ),
        (
            "instrument-crime-area-as-literal",
            CRIME_AREA,
            "instrument:office-regulation",
            swap("crime:terrorism", '"terrorism"'),
        ),
        (
            "instrument-cooperation-function-from-another-scheme",
            FUNCTION,
            "instrument:old-convention",
            swap("fn:surrender", "crime:terrorism"),
        ),
        (
            "instrument-data-category-from-another-scheme",
            DATA_CATEGORY,
            "instrument:office-regulation",
            add("b21:dataCategory crime:terrorism"),
        ),
        (
            "instrument-adopted-after-entry-into-force",
            "b21:dateAdopted is at most one",
            "instrument:office-regulation",
            swap('"2016-05-11"', '"2016-07-01"'),
        ),
        (
            "instrument-adoption-date-untyped",
            "b21:dateAdopted is at most one",
            "instrument:old-convention",
            swap('"1950-01-01"^^xsd:date', '"1950-01-01"'),
        ),
        (
            "instrument-with-two-adoption-dates",
            "b21:dateAdopted is at most one",
            "instrument:old-convention",
            swap('"1950-01-01"^^xsd:date', '"1950-01-01"^^xsd:date , "1950-02-01"^^xsd:date'),
        ),
        (
            "instrument-out-of-force-before-it-entered-into-force",
            "b21:dateEntryIntoForce is at most one",
            "instrument:old-convention",
            add('b21:dateNoLongerInForce "1950-12-31"^^xsd:date'),
        ),
        (
            "instrument-entry-into-force-as-date-time",
            "b21:dateEntryIntoForce is at most one",
            "instrument:office-regulation",
            swap('"2016-06-13"^^xsd:date', '"2016-06-13T00:00:00"^^xsd:dateTime'),
        ),
        (
            "instrument-no-longer-in-force-as-year",
            "b21:dateNoLongerInForce is at most one",
            "instrument:old-convention",
            add('b21:dateNoLongerInForce "2020"^^xsd:gYear'),
        ),
        (
            "instrument-with-two-dates-of-application",
            "b21:dateOfApplication is at most one",
            "instrument:office-regulation",
            add('b21:dateOfApplication "2017-05-01"^^xsd:date , "2017-06-01"^^xsd:date'),
        ),
        (
            "instrument-transposition-deadline-untyped",
            "b21:transpositionDeadline is at most one",
            "instrument:office-regulation",
            add('b21:transpositionDeadline "2018-05-06"'),
        ),
        (
            "instrument-prevailing-over-a-state",
            "b21:prevailsOver must name a legal instrument",
            "instrument:office-regulation",
            add("b21:prevailsOver state:aa"),
        ),
        (
            "instrument-celex-in-citation-form",
            "b21:celexNumber is one CELEX number",
            "instrument:office-regulation",
            swap('"32016R0794"', '"2016/794"'),
        ),
        (
            "instrument-celex-as-integer",
            "b21:celexNumber is one CELEX number",
            "instrument:office-regulation",
            swap('"32016R0794"', "32016"),
        ),
        (
            "instrument-eli-as-plain-string",
            "b21:eliIdentifier is one xsd:anyURI",
            "instrument:office-regulation",
            add('b21:eliIdentifier "http://data.europa.eu/eli/reg/2016/794/oj"'),
        ),
        (
            "instrument-eli-outside-the-eli-namespace",
            "b21:eliIdentifier is one xsd:anyURI",
            "instrument:office-regulation",
            add('b21:eliIdentifier "https://eur-lex.europa.eu/eli/reg/2016/794/oj"^^xsd:anyURI'),
        ),
        (
            "instrument-treaty-number-unpadded",
            "b21:treatyNumber is one treaty-series number",
            "instrument:old-convention",
            swap('"ETS 999"', '"ETS 24"'),
        ),
        (
            "instrument-treaty-number-as-free-text",
            "b21:treatyNumber is one treaty-series number",
            "instrument:old-convention",
            swap('"ETS 999"', '"CETS No. 185"'),
        ),
        (
            "instrument-replaces-a-state",
            "b21:replaces must name a legal instrument",
            "instrument:office-regulation",
            swap("b21:replaces instrument:old-convention", "b21:replaces state:aa"),
        ),
        (
            "instrument-establishes-a-channel",
            "b21:establishes must name an actor",
            "instrument:office-regulation",
            add("b21:establishes channel:union-net"),
        ),
    ],
    ("EULegalActShape", INSTRUMENTS): [
        (
            "eu-act-without-celex",
            "an EU legal act needs its b21:celexNumber",
            "instrument:office-regulation",
            drop("b21:celexNumber"),
        ),
    ],
    ("StateGroupingShape", ACTORS): [
        (
            "grouping-without-establishing-instrument",
            "a state grouping needs b21:establishedBy",
            "organisation:area",
            append(
                """
                organisation:area a b21:StateGrouping ;
                    rdfs:label "Example Area"@en ;
                    dcterms:source <https://example.org/area> .
                """
            ),
        ),
    ],
    ("SecurityCouncilResolutionShape", INSTRUMENTS): [
        (
            "resolution-symbol-without-year",
            "exactly one b21:unSymbol",
            "instrument:unscr-2178",
            append(
                """
                instrument:unscr-2178 a b21:SecurityCouncilResolution ;
                    rdfs:label "Resolution 2178 (2014)"@en ;
                    b21:unSymbol "S/RES/2178" ;
                    dcterms:source <https://example.org/unscr-2178> .
                """
            ),
        ),
        (
            "resolution-without-symbol",
            "exactly one b21:unSymbol",
            "instrument:unscr-2396",
            append(
                """
                instrument:unscr-2396 a b21:SecurityCouncilResolution ;
                    rdfs:label "Resolution 2396 (2017)"@en ;
                    dcterms:source <https://example.org/unscr-2396> .
                """
            ),
        ),
    ],
    ("ParticipationShape", INSTRUMENTS): [
        (
            "participation-extends-to-members-as-text",
            "b21:extendsToMembers is at most one xsd:boolean",
            "participation:old-convention--aa",
            add('b21:extendsToMembers "yes"'),
        ),
        ("participation-without-source", SOURCE, "participation:old-convention--aa", drop("dcterms:source")),
        (
            "participation-without-participant",
            "exactly one b21:participant",
            "participation:old-convention--aa",
            drop("b21:participant"),
        ),
        (
            "participation-of-an-instrument",
            "exactly one b21:participant",
            "participation:old-convention--aa",
            swap("b21:participant state:aa", "b21:participant instrument:office-regulation"),
        ),
        (
            "participation-with-two-participants",
            "exactly one b21:participant",
            "participation:old-convention--aa",
            swap("b21:participant state:aa", "b21:participant state:aa , state:bb"),
        ),
        (
            "participation-without-instrument",
            "exactly one b21:instrument",
            "participation:old-convention--bb",
            drop("b21:instrument"),
        ),
        (
            "participation-in-a-state",
            "exactly one b21:instrument",
            "participation:old-convention--bb",
            swap("b21:instrument instrument:old-convention", "b21:instrument state:aa"),
        ),
        (
            "participation-without-mode",
            "exactly one b21:participationMode",
            "participation:old-convention--aa",
            drop("b21:participationMode"),
        ),
        (
            "participation-mode-from-another-scheme",
            "exactly one b21:participationMode",
            "participation:old-convention--aa",
            swap("mode:party", "fn:surrender"),
        ),
        ("participation-without-start-date", START_DATE, "participation:old-convention--aa", drop("b21:startDate")),
        (
            "participation-start-date-untyped",
            START_DATE,
            "participation:old-convention--aa",
            swap('"1960-01-01"^^xsd:date', '"1960-01-01"'),
        ),
        (
            "participation-ends-before-it-starts",
            START_DATE,
            "participation:old-convention--bb",
            swap('"2020-12-31"', '"1950-12-31"'),
        ),
        (
            "participation-end-date-untyped",
            END_DATE,
            "participation:old-convention--bb",
            swap('"2020-12-31"^^xsd:date', '"2020-12-31"'),
        ),
        (
            "participation-start-confirmation-not-a-boolean",
            "b21:startIsEarliestConfirmation is at most one xsd:boolean",
            "participation:old-convention--aa",
            add('b21:startIsEarliestConfirmation "1960"^^xsd:gYear'),
        ),
        (
            "participation-with-two-end-dates",
            END_DATE,
            "participation:old-convention--bb",
            swap('"2020-12-31"^^xsd:date', '"2020-12-31"^^xsd:date , "2021-12-31"^^xsd:date'),
        ),
    ],
    ("CooperationChannelShape", INSTRUMENTS): [
        ("channel-without-label", LABEL, "channel:union-net", drop("rdfs:label")),
        ("channel-without-source", SOURCE, "channel:union-net", drop("dcterms:source")),
        ("channel-crime-area-from-another-scheme", CRIME_AREA, "channel:union-net", add("b21:crimeArea fn:surrender")),
        (
            "channel-cooperation-function-from-another-scheme",
            FUNCTION,
            "channel:union-net",
            swap("fn:information-exchange", "crime:terrorism"),
        ),
        (
            "channel-data-category-from-another-scheme",
            DATA_CATEGORY,
            "channel:union-net",
            add("b21:dataCategory fn:surrender"),
        ),
        ("channel-without-operator", "b21:operatedBy", "channel:union-net", drop("b21:operatedBy")),
        (
            "channel-operated-by-an-instrument",
            "b21:operatedBy",
            "channel:union-net",
            swap("agency:union-office", "instrument:office-regulation"),
        ),
        ("channel-without-legal-basis", "b21:legalBasis", "channel:union-net", drop("b21:legalBasis")),
        (
            "channel-legal-basis-not-an-instrument",
            "b21:legalBasis",
            "channel:union-net",
            swap("b21:legalBasis instrument:office-regulation", "b21:legalBasis agency:union-office"),
        ),
        (
            "channel-ended-before-it-started",
            "a channel's b21:startDate",
            "channel:union-net",
            add('b21:startDate "2017-01-01"^^xsd:date ; b21:endDate "2016-01-01"^^xsd:date'),
        ),
        (
            "channel-without-cooperation-function",
            "at least one b21:cooperationFunction it carries",
            "channel:union-net",
            drop("b21:cooperationFunction"),
        ),
    ],
    ("ChannelAccessShape", INSTRUMENTS): [
        ("access-without-source", SOURCE, "access:union-net--aa", drop("dcterms:source")),
        ("access-without-accessor", "exactly one b21:accessor", "access:union-net--aa", drop("b21:accessor")),
        (
            "access-by-a-channel",
            "exactly one b21:accessor",
            "access:union-net--aa",
            swap("b21:accessor state:aa", "b21:accessor channel:union-net"),
        ),
        ("access-without-channel", "exactly one b21:channel,", "access:union-net--aa", drop("b21:channel")),
        (
            "access-to-an-instrument",
            "exactly one b21:channel,",
            "access:union-net--aa",
            swap("b21:channel channel:union-net", "b21:channel instrument:old-convention"),
        ),
        (
            "access-basis-not-an-instrument",
            "b21:accessBasis must name a legal instrument",
            "access:union-net--aa",
            swap("b21:accessBasis instrument:office-regulation", "b21:accessBasis state:aa"),
        ),
        ("access-without-start-date", START_DATE, "access:union-net--aa", drop("b21:startDate")),
        (
            "access-ends-before-it-starts",
            START_DATE,
            "access:union-net--aa",
            add('b21:endDate "2016-12-31"^^xsd:date'),
        ),
        ("access-end-date-untyped", END_DATE, "access:union-net--aa", add('b21:endDate "2030-12-31"')),
        (
            "access-start-confirmation-not-a-boolean",
            "b21:startIsEarliestConfirmation is at most one xsd:boolean",
            "access:union-net--aa",
            add('b21:startIsEarliestConfirmation "yes"'),
        ),
        (
            "access-start-both-confirmed-and-not",
            "b21:startIsEarliestConfirmation is at most one xsd:boolean",
            "access:union-net--aa",
            add("b21:startIsEarliestConfirmation true , false"),
        ),
    ],
    ("ConceptShape", CRIME_AREAS): [
        ("concept-without-pref-label", PREF_LABEL, "crime:cybercrime", drop("skos:prefLabel")),
        (
            "concept-with-two-english-pref-labels",
            PREF_LABEL,
            "crime:cybercrime",
            swap('"cybercrime"@en', '"cybercrime"@en , "computer crime"@en'),
        ),
        (
            "concept-with-english-and-british-english-pref-labels",
            PREF_LABEL,
            "crime:cybercrime",
            swap('"cybercrime"@en', '"cybercrime"@en , "computer crime"@en-GB'),
        ),
        (
            "concept-with-german-pref-label-only",
            PREF_LABEL,
            "crime:cybercrime",
            swap('"cybercrime"@en', '"Cyberkriminalität"@de'),
        ),
        ("concept-without-definition", "exactly one skos:definition", "crime:cybercrime", drop("skos:definition")),
        (
            "concept-with-two-definitions",
            "exactly one skos:definition",
            "crime:cybercrime",
            add('skos:definition "Crime committed with computers."@en'),
        ),
        (
            "concept-without-scheme",
            "skos:inScheme naming its concept scheme",
            "crime:cybercrime",
            drop("skos:inScheme"),
        ),
        (
            "concept-in-a-concept",
            "skos:inScheme naming its concept scheme",
            "crime:cybercrime",
            swap("skos:inScheme scheme:crime-areas", "skos:inScheme crime:serious-crime"),
        ),
        (
            "concept-narrower-than-a-scheme",
            "skos:broader must name a concept",
            "crime:cybercrime",
            swap("skos:broader crime:serious-crime", "skos:broader scheme:crime-areas"),
        ),
        (
            "concept-narrower-than-an-undefined-concept",
            "skos:broader must name a concept",
            "crime:cybercrime",
            swap("crime:serious-crime", "crime:serious-crimes"),
        ),
    ],
}

BREAKAGES = [
    Breakage(name, shape, message, file, focus, edit)
    for (shape, file), rows in TABLE.items()
    for name, message, focus, edit in rows
]

# Edits that keep the data valid: real identifiers and boundary dates the shapes must accept.
# One row per variant: (name, file, focus, edit).
ACCEPTED: list[tuple[str, str, str, Edit]] = [
    (
        "celex-of-a-framework-decision",
        INSTRUMENTS,
        "instrument:office-regulation",
        swap('"32016R0794"', '"32002F0584"'),
    ),
    (
        "eli-of-a-regulation",
        INSTRUMENTS,
        "instrument:office-regulation",
        add('b21:eliIdentifier "http://data.europa.eu/eli/reg/2016/794/oj"^^xsd:anyURI'),
    ),
    ("council-of-europe-treaty-number", INSTRUMENTS, "instrument:old-convention", swap('"ETS 999"', '"CETS 185"')),
    ("un-treaty-series-number", INSTRUMENTS, "instrument:old-convention", swap('"ETS 999"', '"UNTS 2225"')),
    (
        "un-symbol-of-a-recent-resolution",
        INSTRUMENTS,
        "instrument:unscr-2178",
        append(
            """
            instrument:unscr-2178 a b21:SecurityCouncilResolution ;
                rdfs:label "Resolution 2178 (2014)"@en ;
                b21:unSymbol "S/RES/2178 (2014)" ;
                dcterms:source <https://example.org/unscr-2178> .
            """
        ),
    ),
    (
        # The ICTY and ICTR statutes: resolutions numbered below 1000 have three-digit symbols.
        "un-symbol-of-a-resolution-numbered-below-1000",
        INSTRUMENTS,
        "instrument:unscr-827",
        append(
            """
            instrument:unscr-827 a b21:SecurityCouncilResolution ;
                rdfs:label "Resolution 827 (1993)"@en ;
                b21:unSymbol "S/RES/827 (1993)" ;
                dcterms:source <https://example.org/unscr-827> .
            """
        ),
    ),
    (
        "instrument-adopted-the-day-it-entered-into-force",
        INSTRUMENTS,
        "instrument:office-regulation",
        swap('"2016-05-11"', '"2016-06-13"'),
    ),
    (
        "participation-ending-on-its-first-day",
        INSTRUMENTS,
        "participation:old-convention--bb",
        swap('"2020-12-31"', '"1961-01-01"'),
    ),
    (
        "access-ending-on-its-first-day",
        INSTRUMENTS,
        "access:union-net--aa",
        add('b21:endDate "2017-05-01"^^xsd:date'),
    ),
]


# ---------------------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------------------


@pytest.fixture
def sources_root(tmp_path: Path, ontology: Path, valid_data: Path) -> Path:
    """A copy of the ontology (vocabularies and shapes included) beside a copy of the valid data."""
    assert valid_data == tmp_path / "data"
    shutil.copytree(ontology, tmp_path / "ontology", ignore=shutil.ignore_patterns("build"))
    return tmp_path


def _validate(root: Path) -> list[Violation]:
    """The violations of the whole data at once, which validating it in chunks of a few
    resources each must give too."""
    sources = discover(root / "ontology", root / "data")
    store = in_memory_store()
    for source in sources:
        read(source, store)
    whole = validate_shapes(store, sources)
    assert validate_shapes(store, sources, chunk_triples=10, workers=1) == whole
    return whole


def _expand(text: str, prefixed: str) -> str:
    prefix, _, local = prefixed.partition(":")
    namespaces = dict(re.findall(r"@prefix\s+([\w-]*):\s*<([^>]*)>", text))
    return str(namespaces[prefix]) + local


@cache
def _shapes() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted((ontology_dir() / "shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def _property_shapes(shapes: rdflib.Graph) -> set[Node]:
    return (
        set(shapes.objects(None, SH.property))
        | set(shapes.subjects(RDF.type, SH.PropertyShape))
        | set(shapes.subjects(SH.path, None))
    )


def _constraint_for(breakage: Breakage) -> list[Node]:
    """The constraints of the breakage's shape whose sh:message holds its expected message."""
    shapes = _shapes()
    return [
        constraint
        for constraint in shapes.objects(B21SH[breakage.shape], SH.property)
        if breakage.message in str(shapes.value(constraint, SH.message) or "")
    ]


def _describe(shapes: rdflib.Graph, shape: Node) -> str:
    owner = shape if not isinstance(shape, rdflib.BNode) else shapes.value(None, SH.property, shape)
    name = str(owner).removeprefix(str(B21SH))
    path, message = shapes.value(shape, SH.path), shapes.value(shape, SH.message)
    if path is None:
        return f"b21sh:{name}"
    return f'b21sh:{name} {shapes.namespace_manager.normalizeUri(str(path))} "{message or ""}"'


# ---------------------------------------------------------------------------------------
# The valid fixture passes, each breakage fires its shape
# ---------------------------------------------------------------------------------------


def test_the_valid_fixture_conforms(sources_root: Path) -> None:
    assert _validate(sources_root) == []


@pytest.mark.parametrize(("name", "file", "focus", "edit"), ACCEPTED, ids=[row[0] for row in ACCEPTED])
def test_valid_variant_conforms(sources_root: Path, name: str, file: str, focus: str, edit: Edit) -> None:
    edited = sources_root / file
    edited.write_text(edit(edited.read_text(encoding="utf-8"), focus), encoding="utf-8")
    assert [str(violation) for violation in _validate(sources_root)] == []


@pytest.mark.parametrize("breakage", BREAKAGES, ids=str)
def test_breakage_is_reported_on_the_broken_node(sources_root: Path, breakage: Breakage) -> None:
    edited = sources_root / breakage.file
    text = breakage.edit(edited.read_text(encoding="utf-8"), breakage.focus)
    edited.write_text(text, encoding="utf-8")
    focus = f"<{_expand(text, breakage.focus)}>"

    violations = _validate(sources_root)

    found = [v for v in violations if breakage.message in v.message and v.focus == focus]
    assert found, "\n".join(["expected on " + breakage.focus + ": " + breakage.message, *map(str, violations)])
    violation = found[0]
    assert violation.file == breakage.file
    assert violation.line is not None
    assert text.splitlines()[violation.line - 1].split()[0] == breakage.focus


# ---------------------------------------------------------------------------------------
# The table covers the shapes, and every constraint tells the curator what to fix
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("breakage", BREAKAGES, ids=str)
def test_breakage_names_one_constraint_of_its_shape(breakage: Breakage) -> None:
    assert (B21SH[breakage.shape], RDF.type, SH.NodeShape) in _shapes()
    assert len(_constraint_for(breakage)) == 1


def test_breakage_names_are_unique() -> None:
    names = [breakage.name for breakage in BREAKAGES]
    assert len(names) == len(set(names))


def test_every_shape_is_exercised_by_a_breakage() -> None:
    shapes = _shapes()
    exercised: set[Node] = set()
    for breakage in BREAKAGES:
        exercised |= {B21SH[breakage.shape], *_constraint_for(breakage)}
    # A shape reached only through sh:node is exercised with the constraint that refers to it.
    frontier = list(exercised)
    while frontier:
        for target in shapes.objects(frontier.pop(), SH.node):
            for reached in (target, *shapes.objects(target, SH.property)):
                if reached not in exercised:
                    exercised.add(reached)
                    frontier.append(reached)

    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    with_message = {shape for shape in _property_shapes(shapes) if (shape, SH.message, None) in shapes}
    assert node_shapes and with_message
    missing = sorted(_describe(shapes, shape) for shape in (node_shapes | with_message) - exercised)
    assert not missing, "no breakage exercises:\n" + "\n".join(missing)


def test_every_property_constraint_has_a_message() -> None:
    shapes = _shapes()
    silent = [shape for shape in _property_shapes(shapes) if (shape, SH.message, None) not in shapes]
    assert sorted(_describe(shapes, shape) for shape in silent) == []


def test_every_node_shape_with_its_own_constraints_has_a_message() -> None:
    shapes = _shapes()
    silent = [
        shape
        for shape in shapes.subjects(RDF.type, SH.NodeShape)
        if set(shapes.predicates(shape, None)) & CONSTRAINT_PARAMETERS and (shape, SH.message, None) not in shapes
    ]
    assert sorted(_describe(shapes, shape) for shape in silent) == []
