"""Resource IRIs and the ontology IRI dereference: HTML for browsers, RDF by Accept."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from service.namespaces import B21, ID
from service.resources import ontology_dir
from service.web.resource_page import Description, IncomingGroup, Referrer, Statement, resource_page
from service.web.templates import render

AA = ID["state/aa"]
BB = ID["state/bb"]
POLICE = ID["agency/aa-police"]
OLD_CONVENTION = ID["instrument/old-convention"]
OFFICE_REGULATION = ID["instrument/office-regulation"]
PARTICIPATION_AA = ID["participation/old-convention--aa"]
PARTICIPATION_BB = ID["participation/old-convention--bb"]
ACCESS_AA = ID["access/union-net--aa"]
UNION_NET = ID["channel/union-net"]
MODES = ID["scheme/participation-modes"]

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}


# -- reading answers --------------------------------------------------------------------------


def description(client: TestClient, key: str, media_type: str = "text/turtle") -> rdflib.Graph:
    response = client.get(f"/id/{key}", headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]
    return rdflib.Graph().parse(data=response.content, format=RDF_TYPES[media_type])


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def all(self, tag: str | None = None) -> list[Element]:
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if tag is None or child.tag == tag:
                    found.append(child)
                found.extend(child.all(tag))
        return found

    def by_id(self, identifier: str) -> Element:
        matches = [e for e in self.all() if e.attrs.get("id") == identifier]
        assert len(matches) == 1, f"{len(matches)} elements with id {identifier!r}"
        return matches[0]

    def links(self) -> dict[str, str]:
        """href -> text of every link inside."""
        return {a.attrs["href"]: " ".join(a.text().split()) for a in self.all("a")}

    def heading(self) -> str:
        return next(" ".join(e.text().split()) for e in self.all() if e.tag in ("h1", "h2", "h3", "h4"))


class TreeBuilder(HTMLParser):
    VOID = frozenset({"meta", "link", "br", "img", "input", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


def page(client: TestClient, path: str, status: int = 200) -> Element:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "Accept" in response.headers["vary"]
    return parse_html(response.text)


# -- RDF descriptions -------------------------------------------------------------------------


@pytest.mark.parametrize("media_type", list(RDF_TYPES))
def test_a_state_describes_itself_in_every_rdf_syntax(reader: TestClient, media_type: str) -> None:
    graph = description(reader, "state/aa", media_type)
    assert (AA, B21.isoCode, Literal("AA")) in graph
    assert (AA, RDF.type, B21.State) in graph
    assert (AA, RDFS.label, Literal("Alphaland", lang="en")) in graph
    assert (AA, DCTERMS.source, URIRef("https://example.org/states/aa")) in graph
    assert (AA, B21.cooperatesWith, BB) in graph
    assert (BB, RDFS.label, Literal("Betaland", lang="en")) in graph  # the label of what it points to


def test_a_description_carries_the_participations_and_accesses_pointing_at_it(reader: TestClient) -> None:
    graph = description(reader, "state/aa")
    assert (PARTICIPATION_AA, B21.participant, AA) in graph
    assert (PARTICIPATION_AA, B21.instrument, OLD_CONVENTION) in graph
    assert (PARTICIPATION_AA, B21.startDate, Literal("1960-01-01", datatype=rdflib.XSD.date)) in graph
    assert (ACCESS_AA, B21.accessor, AA) in graph
    assert (ACCESS_AA, B21.channel, UNION_NET) in graph
    assert (OLD_CONVENTION, RDFS.label, Literal("Old Extradition Convention", lang="en")) in graph
    # another state's participation is not part of Alphaland's description
    assert (PARTICIPATION_BB, None, None) not in graph


def test_a_description_carries_the_derived_links_with_their_support(reader: TestClient) -> None:
    graph = description(reader, "state/aa")
    links = set(graph.subjects(B21.between, AA))
    assert len(links) == 1
    link = links.pop()
    assert (link, RDF.type, B21.CooperationLink) in graph
    assert (link, B21.between, BB) in graph
    assert (link, B21.viaInstrument, OLD_CONVENTION) in graph
    assert set(graph.objects(link, B21.supportedBy)) == {PARTICIPATION_AA, PARTICIPATION_BB}


def test_an_instrument_carries_its_participations(reader: TestClient) -> None:
    graph = description(reader, "instrument/old-convention")
    assert (OLD_CONVENTION, B21.treatyNumber, Literal("ETS 999")) in graph
    assert set(graph.subjects(B21.instrument, OLD_CONVENTION)) == {PARTICIPATION_AA, PARTICIPATION_BB}
    assert (PARTICIPATION_BB, B21.endDate, Literal("2020-12-31", datatype=rdflib.XSD.date)) in graph
    assert (AA, RDFS.label, Literal("Alphaland", lang="en")) in graph


def test_an_agency_carries_the_labels_of_what_it_points_to(reader: TestClient) -> None:
    graph = description(reader, "agency/aa-police")
    assert (POLICE, URIRef("http://www.w3.org/ns/org#subOrganizationOf"), AA) in graph
    assert (POLICE, B21.acronym, Literal("AP")) in graph
    assert (AA, RDFS.label, Literal("Alphaland", lang="en")) in graph


def test_a_scheme_dereferences_with_its_concepts(reader: TestClient) -> None:
    graph = description(reader, "scheme/participation-modes")
    assert (MODES, RDF.type, SKOS.ConceptScheme) in graph
    assert (ID["participation-mode/party"], SKOS.inScheme, MODES) in graph


def test_the_format_parameter_serves_browsers_that_cannot_set_accept(reader: TestClient) -> None:
    response = reader.get("/id/state/aa", params={"format": "turtle"}, headers={"Accept": BROWSER})
    assert response.headers["content-type"].startswith("text/turtle")
    assert (AA, B21.isoCode, Literal("AA")) in rdflib.Graph().parse(data=response.content, format="turtle")
    assert reader.get("/id/state/aa", params={"format": "yaml"}).status_code == 400


def test_a_client_that_accepts_anything_gets_turtle(reader: TestClient) -> None:
    for accept in ("*/*", None):
        headers = {"Accept": accept} if accept else {}
        response = reader.get("/id/state/aa", headers=headers)
        assert response.headers["content-type"].startswith("text/turtle")


# -- errors -----------------------------------------------------------------------------------


def test_an_unknown_resource_is_404(reader: TestClient) -> None:
    response = reader.get("/id/state/zz", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert "state/zz" in response.json()["detail"]
    assert "Accept" in response.headers["vary"]


def test_a_browser_gets_a_404_page(reader: TestClient) -> None:
    document = page(reader, "/id/state/zz", status=404)
    assert document.all("h1")[0].text() == "Not found"
    assert "state/zz" in document.text()


@pytest.mark.parametrize(
    "path",
    [
        "/id/state/..%2F..%2Fpyproject.toml",
        "/id/..%2F..%2Fpyproject.toml",
        "/id/%2e%2e/%2e%2e",
        "/id/state/%2e%2e",
        "/id/state/.",
        "/id/state/.env",
        "/id/state/aa%2F..%2F..%2F..%2Fpyproject.toml",
        "/id/state/..%5C..%5Cpyproject.toml",
        "/id/state/aa%00",
        "/id/state/aa%20",
        "/id/unknown-kind/aa",
        "/id/state",
        "/id/state/aa/extra",
        "/id/static/border21.css",
    ],
)
def test_paths_that_are_not_resource_keys_name_nothing(reader: TestClient, path: str) -> None:
    response = reader.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code in (400, 404)
    assert "detail" in response.json()
    assert b"[project]" not in response.content and b"--rule" not in response.content


def test_nothing_acceptable_is_406(reader: TestClient) -> None:
    response = reader.get("/id/state/aa", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "Turtle" in response.json()["detail"]


def test_head_answers_as_get_without_a_body(reader: TestClient) -> None:
    get = reader.get("/id/state/aa", headers={"Accept": "text/turtle"})
    head = reader.head("/id/state/aa", headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == get.headers["content-length"]
    assert "Accept" in head.headers["vary"]
    assert reader.head("/id/state/zz", headers={"Accept": "text/turtle"}).status_code == 404
    assert reader.head("/id/state/aa", headers={"Accept": BROWSER}).headers["content-type"].startswith("text/html")


# -- HTML pages -------------------------------------------------------------------------------


def test_a_state_page_shows_label_type_identifiers_facts_and_sources(reader: TestClient) -> None:
    document = page(reader, "/id/state/aa")
    assert document.all("html")[0].attrs["lang"] == "en"
    assert document.all("title")[0].text().startswith("Alphaland")
    assert [h1.text() for h1 in document.all("h1")] == ["Alphaland"]
    main = document.all("main")[0]
    assert main.links()["/ontology#State"] == "state"
    assert "AA" in document.by_id("identifiers").text()
    assert document.by_id("facts").links()["/id/state/bb"] == "Betaland"
    sources = document.by_id("sources")
    assert [a.attrs["href"] for a in sources.all("li")[0].all("a")] == ["https://example.org/states/aa"]


def test_a_state_page_groups_what_points_at_it_with_counts(reader: TestClient) -> None:
    document = page(reader, "/id/state/aa")
    participations = document.by_id("in-b21-participant")
    assert participations.heading() == "participant in 1 participation"
    assert list(participations.links()) == ["/id/participation/old-convention--aa"]
    assert "Old Extradition Convention" in participations.text()
    accesses = document.by_id("in-b21-accessor")
    assert accesses.heading() == "accessor in 1 channel access"
    assert "from 1 May 2017 or earlier" in " ".join(accesses.text().split())  # its start only confirmed
    links = document.by_id("in-b21-between")
    assert links.heading() == "linked in 1 cooperation link"
    assert "Betaland via Old Extradition Convention" in links.text()
    agencies = document.by_id("in-org-subOrganizationOf")
    assert agencies.heading() == "has 1 sub-organisation"
    assert agencies.links() == {"/id/agency/aa-police": "Alphaland Police"}


def test_a_page_links_its_other_representations_the_editor_and_the_docs(reader: TestClient) -> None:
    document = page(reader, "/id/state/aa")
    links = document.all("main")[0].links()
    for name in ("turtle", "jsonld", "rdfxml"):
        assert f"/id/state/aa?format={name}" in links
    assert "/sparql" in links and "/docs" in links
    stylesheet = [e.attrs["href"] for e in document.all("link") if e.attrs.get("rel") == "stylesheet"]
    assert stylesheet == ["/static/border21/border21.css"]
    css = reader.get(stylesheet[0])
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_an_instrument_page_shows_dates_and_identifiers(reader: TestClient) -> None:
    document = page(reader, "/id/instrument/office-regulation")
    assert document.all("h1")[0].text() == "Union Office Regulation"
    assert "32016R0794" in document.by_id("identifiers").text()
    dates = {t.attrs["datetime"]: t.text() for t in document.by_id("dates").all("time")}
    assert dates == {"2016-05-11": "11 May 2016", "2016-06-13": "13 June 2016"}
    assert document.by_id("facts").links()["/id/instrument/old-convention"] == "Old Extradition Convention"
    assert document.by_id("in-b21-replaces").links() == {
        "/id/instrument/office-regulation-recast": "Union Office Regulation (recast)"
    }


def test_a_participation_page_is_named_by_what_it_joins(reader: TestClient) -> None:
    document = page(reader, "/id/participation/old-convention--aa")
    assert document.all("h1")[0].text() == "Alphaland in Old Extradition Convention"
    assert document.by_id("in-b21-supportedBy").heading() == "supports 1 cooperation link"


def test_a_scheme_page_lists_its_concepts(reader: TestClient) -> None:
    vocabulary = rdflib.Graph().parse(ontology_dir() / "vocab" / "participation-modes.ttl")
    concepts = set(vocabulary.subjects(SKOS.inScheme, MODES))
    document = page(reader, "/id/scheme/participation-modes")
    listed = document.by_id("in-skos-inScheme")
    assert listed.heading() == f"contains {len(concepts)} concepts"
    assert set(listed.links()) == {f"/id/{str(c)[len(str(ID)) :]}" for c in concepts}


def test_pages_list_the_first_fifty_of_many_and_count_them_all() -> None:
    instrument = ID["instrument/big"]
    referrers = {
        ID[f"participation/big--{n:03d}"]: Referrer(
            ID[f"participation/big--{n:03d}"], actors={ID[f"state/s{n:03d}"]: [Literal(f"State {n:03d}", lang="en")]}
        )
        for n in range(120)
    }
    group = IncomingGroup(B21.instrument, referrers=referrers)
    statements = [Statement(RDFS.label, Literal("Big Treaty", lang="en"), True)]
    document = parse_html(render(resource_page(Description(instrument, statements, {}, [group]), ())))
    section = document.by_id("in-b21-instrument")
    assert section.heading() == "instrument of 120 participations"
    assert len(section.all("li")) == 50
    assert "Showing the first 50 of 120 participations." in section.text()
    assert section.all("li")[0].text() == "State 000"


def test_pages_escape_what_the_data_says() -> None:
    resource = ID["agency/x"]
    statements = [
        Statement(RDFS.label, Literal('<script>alert("label")</script>', lang="en"), True),
        Statement(DCTERMS.source, URIRef("javascript:alert(1)"), True),
        Statement(B21.seatCity, Literal('"><img src=x onerror=alert(1)>'), True),
    ]
    text = render(resource_page(Description(resource, statements, {}, []), ()))
    assert "<script>" not in text and "<img" not in text
    document = parse_html(text)
    assert document.all("h1")[0].text() == '<script>alert("label")</script>'
    assert not any(a.attrs["href"].startswith("javascript:") for a in document.all("a"))
    assert "javascript:alert(1)" in document.by_id("sources").text()


# -- the ontology -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ontology_file() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_dir() / "border21.ttl")


def own_terms(graph: rdflib.Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return {
        term
        for kind in kinds
        for term in graph.subjects(RDF.type, kind)
        if isinstance(term, URIRef) and str(term).startswith(str(B21))
    }


def test_the_ontology_page_documents_every_term_under_its_local_name(
    reader: TestClient, ontology_file: rdflib.Graph
) -> None:
    document = page(reader, "/ontology")
    terms = own_terms(ontology_file)
    assert len(terms) > 50
    for term in terms:
        section = document.by_id(str(term)[len(str(B21)) :])
        assert section.heading() == str(ontology_file.value(term, RDFS.label))
        assert str(term) in section.text()
        assert " ".join(str(ontology_file.value(term, SKOS.definition)).split()) in " ".join(section.text().split())


def test_the_ontology_page_shows_domains_ranges_and_hierarchy(reader: TestClient) -> None:
    document = page(reader, "/ontology")
    state = document.by_id("State")
    assert state.links()["#Actor"] == "actor"
    participant = document.by_id("participant")
    assert participant.links()["#Participation"] == "participation"
    assert participant.links()["#Actor"] == "actor"
    assert "functional" in participant.text()
    assert document.by_id("celexNumber").links()["http://data.europa.eu/eli/ontology#id_local"] == "eli:id_local"
    assert document.by_id("schemes").links()["/id/scheme/participation-modes"] == "participation modes"


def test_resource_pages_link_types_to_the_ontology_anchors(reader: TestClient) -> None:
    anchors = {e.attrs["id"] for e in page(reader, "/ontology").all() if "id" in e.attrs}
    for path in ("/id/state/aa", "/id/instrument/office-regulation", "/id/participation/old-convention--aa"):
        for href in page(reader, path).links():
            if href.startswith("/ontology#"):
                assert href.removeprefix("/ontology#") in anchors, href


@pytest.mark.parametrize("media_type", list(RDF_TYPES))
def test_the_ontology_as_rdf_is_the_ontology_file(
    reader: TestClient, ontology_file: rdflib.Graph, media_type: str
) -> None:
    response = reader.get("/ontology", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    served = rdflib.Graph().parse(data=response.content, format=RDF_TYPES[media_type])
    assert isomorphic(served, ontology_file)


def test_the_ontology_answers_at_its_version_iri_and_with_a_slash(reader: TestClient) -> None:
    assert reader.get("/ontology/", headers={"Accept": "text/turtle"}).status_code == 200
    versioned = reader.get("/ontology/0.1.0", headers={"Accept": "text/turtle"})
    assert versioned.status_code == 200
    graph = rdflib.Graph().parse(data=versioned.content, format="turtle")
    assert (URIRef("https://w3id.org/border21/ontology"), OWL.versionInfo, Literal("0.1.0")) in graph
    assert reader.get("/ontology/9.9.9", headers={"Accept": "text/turtle"}).status_code == 404
    assert reader.head("/ontology", headers={"Accept": BROWSER}).status_code == 200
