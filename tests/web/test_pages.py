"""The planners' pages as HTML: every page's header, the explorer's and matrix's controls, the
data-model picture, and the resource pages' neighbourhood picture and links to the explorer.
Served from the invented world (see tests/fixtures/data/world)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from rdflib import Literal
from rdflib.namespace import RDFS

from service.namespaces import B21, ID
from service.web.resource_page import Description, IncomingGroup, Referrer, Statement, neighbourhood, resource_page
from service.web.templates import render
from tests.api.test_dereference import BROWSER, Element, parse_html

PAGES = ["/", "/matrix", "/model", "/id/state/aa", "/id/instrument/convention", "/ontology"]


def get_page(client: TestClient, path: str) -> Element:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return parse_html(response.text)


def query_of(href: str) -> dict[str, str]:
    parts = urlsplit(href)
    return {name: values[0] for name, values in parse_qs(parts.query).items()}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_the_editor_the_docs_and_the_explorer_in_its_header(world_api: TestClient, path: str) -> None:
    header = get_page(world_api, path).all("header")[0]
    links = header.links()
    for href in ("/", "/matrix", "/model", "/sparql", "/docs"):
        assert href in links, f"{path} has no {href} in its header"


def test_the_header_marks_the_current_page(world_api: TestClient) -> None:
    header = get_page(world_api, "/matrix").all("header")[0]
    current = [a for a in header.all("a") if a.attrs.get("aria-current") == "page"]
    assert [a.attrs["href"] for a in current] == ["/matrix"]


def test_the_explorer_page_labels_its_controls(world_api: TestClient) -> None:
    document = get_page(world_api, "/")
    labelled = {label.attrs["for"] for label in document.all("label") if "for" in label.attrs}
    for control in ("search", "capability", "channel", "instrument", "actor", "year", "at", "layout"):
        assert control in labelled, f"#{control} has no label"
    graph = document.by_id("graph")
    assert graph.attrs["tabindex"] == "0" and "aria-describedby" in graph.attrs
    assert document.by_id("links-table").tag == "table"  # the text alternative of the graph
    assert document.by_id("main").attrs["data-graph-library"].startswith("/static/vendor/cytoscape/")
    scripts = [s.attrs.get("src") for s in document.all("script")]
    assert scripts == ["/static/border21/explorer.js"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/border21/explorer.js",
        "/static/border21/graph.js",
        "/static/border21/panels.js",
        "/static/border21/common.js",
        "/static/border21/matrix.js",
        "/static/vendor/cytoscape/cytoscape.esm.min.mjs",
    ],
)
def test_the_scripts_are_served_as_javascript(world_api: TestClient, path: str) -> None:
    response = world_api.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript")


def test_the_model_page_is_a_picture_with_a_text_alternative(world_api: TestClient) -> None:
    document = get_page(world_api, "/model")
    svg = document.all("svg")[0]
    assert svg.attrs["role"] == "img" and svg.attrs["aria-labelledby"] == "model-title model-desc"
    assert "participations" in document.by_id("model-desc").text()
    assert "/ontology#Participation" in svg.links()


def test_a_state_page_draws_its_neighbourhood(world_api: TestClient) -> None:
    section = get_page(world_api, "/id/state/cc").by_id("neighbourhood")
    svg = section.all("svg")[0]
    neighbours = svg.links()
    for key in ("instrument/arrest-warrant", "instrument/convention", "channel/global-network", "agency/cc-bureau"):
        assert f"/id/{key}" in neighbours
    assert "/id/state/aa" in neighbours  # named as a partner
    # Gammaland's part in the warrant ended on 31 December 2020: a hollow node on a dashed line
    warrant = next(a for a in svg.all("a") if a.attrs["href"] == "/id/instrument/arrest-warrant")
    assert warrant.all("circle")[0].attrs["fill"] == "#fff"
    assert "(ended)" in warrant.all("title")[0].text()
    convention = next(a for a in svg.all("a") if a.attrs["href"] == "/id/instrument/convention")
    assert convention.all("circle")[0].attrs["fill"] != "#fff"


def test_resource_pages_link_to_the_explorer_centred_on_them(world_api: TestClient) -> None:
    def explore_links(path: str) -> list[dict[str, str]]:
        paragraph = get_page(world_api, path).by_id("neighbourhood").all("p")[-1]
        return [query_of(href) for href in paragraph.links()]

    assert explore_links("/id/state/cc")[0] == {"level": "state", "focus": "state/cc"}
    assert explore_links("/id/agency/cc-bureau")[0] == {"level": "agency", "focus": "agency/cc-bureau"}
    assert explore_links("/id/instrument/arrest-warrant")[0] == {"instrument": "instrument/arrest-warrant"}
    assert explore_links("/id/channel/alert-system")[0] == {"channel": "channel/alert-system"}
    assert explore_links("/id/function/surrender") == [
        {"capability": "function/surrender"},
        {"function": "function/surrender"},
    ]
    assert explore_links("/id/participation/arrest-warrant--cc") == [
        {"level": "state", "focus": "state/cc", "instrument": "instrument/arrest-warrant"}
    ]


def test_a_large_neighbourhood_shows_every_relation() -> None:
    """Of many neighbours, a fair share of each relation is drawn, and the caption counts them all."""
    instrument = ID["instrument/big"]
    participations = {
        ID[f"participation/big--{n:03d}"]: Referrer(
            ID[f"participation/big--{n:03d}"], actors={ID[f"state/s{n:03d}"]: [Literal(f"State {n:03d}", lang="en")]}
        )
        for n in range(60)
    }
    replaced = {ID["instrument/old"]: Referrer(ID["instrument/old"], labels=[Literal("Old Treaty", lang="en")])}
    groups = [IncomingGroup(B21.instrument, referrers=participations), IncomingGroup(B21.replaces, referrers=replaced)]
    statements = [Statement(RDFS.label, Literal("Big Treaty", lang="en"), True)]
    description = Description(instrument, statements, {}, groups)
    drawn = neighbourhood(description, "Big Treaty", today=dt.date(2024, 1, 1))
    assert drawn is not None and drawn.total == 61 and len(drawn.neighbours) == 24
    assert "Old Treaty" in [n.link.text for n in drawn.neighbours]
    document = parse_html(render(resource_page(description, ())))
    caption = document.by_id("neighbourhood").all("figcaption")[0].text()
    assert "Showing 24 of 61" in caption
    assert len(document.by_id("neighbourhood").all("svg")[0].all("a")) == 24


def test_the_neighbourhood_escapes_what_the_data_says() -> None:
    referrers = {
        ID["agency/x"]: Referrer(ID["agency/x"], labels=[Literal('<script>alert("x")</script>', lang="en")]),
    }
    description = Description(
        ID["state/zz"],
        [Statement(RDFS.label, Literal("Zedland", lang="en"), True)],
        {},
        [IncomingGroup(ID["ontology-term-unused"], referrers=referrers)],
    )
    text = render(resource_page(description, ()))
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
