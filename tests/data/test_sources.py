"""Source hygiene of the curated dataset (data/README.md, rule 3).

`dcterms:source` holds official sources only: EU institutions and bodies, the Council of Europe, the
United Nations, INTERPOL, ISO, and the government, police, parliament and official-journal sites of
states (or web-archive copies of such pages). Secondary pages used to read an official record
(EU Monitor, ECLAN, Statewatch, encyclopaedias, legal databases, ...) belong in `rdfs:seeAlso`.
Every typed entity keeps at least one official `dcterms:source`."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS

from service import resources

# ---------------------------------------------------------------------------------------------
# The allow-list, as data. A host is official when it equals one of OFFICIAL_HOSTS or ends with
# one of OFFICIAL_SUFFIXES (a suffix starts with a dot, so "europa.eu" itself is listed as a host).
# ---------------------------------------------------------------------------------------------

OFFICIAL_SUFFIXES = (
    # European Union: institutions, bodies, agencies, EUR-Lex, the Publications Office, ELI
    ".europa.eu",
    # Council of Europe
    ".coe.int",
    # United Nations and its offices
    ".un.org",
    ".unodc.org",
    ".unvienna.org",
    # INTERPOL
    ".interpol.int",
    # ISO (the Online Browsing Platform for ISO 3166 codes)
    ".iso.org",
    # governments: United Kingdom, United States, Switzerland, Australia, Canada, Malta, Cyprus,
    # Latvia, Lithuania (state-run portals)
    ".gov.uk",
    ".parliament.uk",
    ".gov",
    ".admin.ch",
    ".gov.au",
    ".gc.ca",
    ".gov.mt",
    ".gov.cy",
    ".gov.lv",
    ".lrv.lt",
    # Netherlands government (treaty database, official publications)
    ".overheid.nl",
)

OFFICIAL_HOSTS = frozenset(
    {
        "europa.eu",
        "coe.int",
        "un.org",
        "unodc.org",
        "interpol.int",
        "iso.org",
        "legislation.gov.uk",
        # national police and interior ministries
        "bka.de",
        "politi.dk",
        "polisen.se",
        "policie.cz",
        "policija.si",
        "policja.pl",
        "info.policja.pl",
        "police.public.lu",
        "astynomia.gr",
        "minv.sk",
        "garda.ie",
        "rcmp.ca",
        "rcmp-grc.gc.ca",
        # ministries of justice, parliaments, public bodies
        "justice.ie",
        "merrionstreet.ie",  # the Irish Government News Service
        "gov.ie",
        "oireachtas.ie",
        "ico.org.uk",
        "cnmv.es",
        "fiu-nederland.nl",
        "verdragen.nl",
        "zoek.officielebekendmakingen.nl",
        "likumi.lv",
        "treaties.un.org",
        # national treaty series
        "treaty-accord.gc.ca",
        "dfat.gov.au",
        "state.gov",
    }
)
# Web archives: official only when the archived page is itself official.
ARCHIVE_HOSTS = frozenset({"web.archive.org", "arquivo.pt", "webarchive.library.unt.edu"})

TYPED_CLASSES_NS = "https://w3id.org/border21/ontology#"


def host_is_official(host: str) -> bool:
    host = host.lower().removeprefix("www.")
    return host in OFFICIAL_HOSTS or any(host.endswith(suffix) for suffix in OFFICIAL_SUFFIXES)


_ARCHIVED = re.compile(r"https?:/{1,2}(?P<host>[^/]+)")


def is_official(iri: str) -> bool:
    parsed = urlparse(iri)
    host = (parsed.hostname or "").lower()
    if host in ARCHIVE_HOSTS:
        # the archived address follows the archive's own prefix, e.g. /web/2009.../http:/www...
        rest = unquote(iri[len(f"{parsed.scheme}://{parsed.netloc}") :])
        match = _ARCHIVED.search(rest)
        return bool(match) and host_is_official(match.group("host").split(":")[0])
    return host_is_official(host)


@cache
def data_graph() -> Graph:
    graph = Graph()
    for path in sorted(Path(resources.data_dir()).rglob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def test_allow_list_examples() -> None:
    assert is_official("https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32002F0584")
    assert is_official("http://data.europa.eu/eli/reg/2016/794/oj")
    assert is_official("https://www.coe.int/en/web/conventions/full-list?module=treaty-detail&treatynum=024")
    assert is_official("https://www.fedpol.admin.ch/fedpol/en/home.html")
    assert is_official("https://treaties.fcdo.gov.uk/")
    assert is_official("https://www.usdoj.gov/")
    assert is_official("https://web.archive.org/web/2009/http:/www.europol.europa.eu/index.asp")
    assert not is_official("https://web.archive.org/web/2009/http://www.statewatch.org/news/")
    for unofficial in (
        "https://www.eumonitor.eu/9353000/1/j9vvik7m1c3gyxp/vi8rm300ohz7",
        "https://eclan.eu/en/eu-legislatory/x",
        "http://statewatch.org/news/2002/nov/12eurousagmt.htm",
        "http://www.radicalparty.org/en/content/x",
        "https://laweuro.com/?p=3609",
        "https://www.global-regulation.com/translation/x",
        "https://opil.ouplaw.com/view/x",
        "http://www.commonlii.org/ca/other/treaties/CATSer/2005/19.html",
        "https://en.wikipedia.org/wiki/European_arrest_warrant",
        "https://parlementairemonitor.nl/9353000/1/x",
        "https://eucrim.eu/news/x",
        "https://www.asktheeu.org/request/x",
    ):
        assert not is_official(unofficial), unofficial


def test_every_source_is_official() -> None:
    graph = data_graph()
    bad = sorted(
        f"{subject} -> {source}"
        for subject, source in graph.subject_objects(DCTERMS.source)
        if not (isinstance(source, URIRef) and is_official(str(source)))
    )
    assert not bad, "non-official dcterms:source (move it to rdfs:seeAlso):\n" + "\n".join(bad)


def typed_entities(graph: Graph) -> set[URIRef]:
    return {
        subject
        for subject, cls in graph.subject_objects(RDF.type)
        if isinstance(subject, URIRef) and str(cls).startswith(TYPED_CLASSES_NS)
    }


def test_every_typed_entity_has_an_official_source() -> None:
    graph = data_graph()
    entities = typed_entities(graph)
    assert len(entities) > 300
    missing = sorted(
        str(entity)
        for entity in entities
        if not any(is_official(str(source)) for source in graph.objects(entity, DCTERMS.source))
    )
    assert not missing, "entities without an official dcterms:source:\n" + "\n".join(missing)


@pytest.mark.parametrize(
    "host",
    ["eumonitor.eu", "eclan.eu", "statewatch.org", "radicalparty.org", "commonlii.org", "wikipedia.org"],
)
def test_secondary_readings_are_kept_as_see_also_not_source(host: str) -> None:
    graph = data_graph()
    assert not any(host in str(source) for source in graph.objects(None, DCTERMS.source))


def test_see_also_values_are_iris() -> None:
    graph = data_graph()
    assert all(isinstance(o, URIRef) for o in graph.objects(None, RDFS.seeAlso))
