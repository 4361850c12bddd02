"""The planners' pages in a real browser: the network explorer, its date slider, panels, search,
scenarios and keyboard use; the matrix and its exports; the layout on a laptop and a projector.

The served data is the invented world (tests/fixtures/data/world): four states, where Gammaland
leaves the Union (and its arrest warrant) on 31 December 2020. For surrender on 1 June 2020
every pair of states is linked through the Extradition Convention, and Alphaland and Gammaland
also through the Union Arrest Warrant, which prevails over it; Betaland opted out of the
warrant, and Gammaland joined the convention only in 1991.
"""

from __future__ import annotations

import csv
import io
import shutil
import struct
from pathlib import Path

import pytest

from tests.conftest import Server
from tests.web.conftest import ARTIFACTS

pytestmark = pytest.mark.slow

ON = "2020-06-01"
SURRENDER = "function/surrender"
READY = 20_000
DASH = "\N{EN DASH}"


@pytest.fixture(scope="module")
def server(world_store_path: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    store = tmp_path_factory.mktemp("explorer") / "store"
    shutil.copytree(world_store_path, store, symlinks=True)
    running = Server(store)
    running.wait_until_up()
    yield running
    running.stop()


def open_explorer(page, server: Server, query: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/{query}")
    page.wait_for_selector("main[data-state=ready]", timeout=READY)


def wait_for_network(page, *, at: str | None = None, edges: int | None = None) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        """([at, edges]) => {
            const d = document.querySelector('main').dataset;
            return d.state === 'ready' && (at === null || d.at === at) && (edges === null || d.edges === String(edges));
        }""",
        arg=[at, edges],
        timeout=READY,
    )


def edge_count(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("() => window.explorer.cy.edges().length"))


def table_rows(page) -> int:  # type: ignore[no-untyped-def]
    return page.locator("#links-table tbody tr").count()


def click_node(page, key: str) -> None:  # type: ignore[no-untyped-def]
    box = page.locator("#graph").bounding_box()
    at = page.evaluate("(id) => window.explorer.cy.getElementById(id).renderedPosition()", key)
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])


def click_edge(page, a: str, b: str) -> None:  # type: ignore[no-untyped-def]
    box = page.locator("#graph").bounding_box()
    at = page.evaluate("(id) => window.explorer.cy.getElementById(id).renderedMidpoint()", "~".join(sorted((a, b))))
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])


def marks(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(
        page.evaluate(
            """() => window.explorer.cy.edges('.lost, .fallback')
                .map(e => [e.id(), e.hasClass('lost') ? 'lost' : 'fallback'])"""
        )
    )


# -- the explorer -----------------------------------------------------------------------------


def test_the_explorer_filters_by_a_function(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    open_explorer(page, server, f"?at={ON}")
    assert edge_count(page) == 6
    assert page.locator("#status").inner_text().startswith("4 states, 6 links on 1 June 2020")

    page.select_option("#capability", "function/alerts")
    wait_for_network(page, edges=1)
    assert page.evaluate("() => window.explorer.cy.edges().map(e => e.id())") == ["state/aa~state/cc"]
    assert "capability=function%2Falerts" in page.url
    page.click("#tab-table")
    assert table_rows(page) == 1
    row = page.locator("#links-table tbody tr").first.inner_text()
    assert "Alphaland" in row and "Gammaland" in row and "Global Police Network" in row


def test_the_date_slider_changes_the_edges(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    open_explorer(page, server, f"?capability={SURRENDER}&view=table")
    assert table_rows(page) == 6  # today: every pair, through the convention or the exit agreement

    page.focus("#year")
    page.keyboard.press("Home")
    wait_for_network(page, at="1990-01-01", edges=3)
    assert table_rows(page) == 3  # Gammaland joined the convention in 1991
    assert "Gammaland" not in page.locator("#links-table").inner_text()
    assert page.locator("#year-out").inner_text() == "1 January 1990"
    assert "at=1990-01-01" in page.url

    for _ in range(5):
        page.keyboard.press("ArrowRight")
    wait_for_network(page, at="1995-01-01", edges=6)
    page.click("#tab-graph")
    assert edge_count(page) == 6


def test_a_node_and_an_edge_explain_themselves(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    open_explorer(page, server, f"?at={ON}&capability={SURRENDER}")
    click_node(page, "state/cc")
    page.wait_for_selector("main[data-panel='node:state/cc']")
    page.wait_for_selector("#details h3:has-text('Participations and accesses')")
    details = page.locator("#details")
    assert details.locator("h2").inner_text().startswith("Gammaland")
    assert "ISO code" in details.inner_text() and "CC" in details.inner_text()
    assert "Union Arrest Warrant" in details.inner_text()
    assert details.locator("a[href='/id/state/cc']").count() == 1
    assert "focus=state%2Fcc" in page.url

    click_edge(page, "state/aa", "state/cc")
    page.wait_for_selector("main[data-panel='edge:state/aa~state/cc']")
    page.wait_for_selector("#details .ways")  # the ways to obtain surrender, from /api/v1/paths
    text = details.inner_text()
    assert details.locator("h2").inner_text() == f"Alphaland {DASH} Gammaland"
    bases = details.locator("section.basis h3").all_inner_texts()
    assert [b.split("\n")[0].strip() for b in bases] == [
        "Union Arrest Warrantinstrument",
        "Extradition Conventioninstrument",
    ]
    assert "Applies first for surrender and extradition" in text
    assert "1 January 2004 to 31 December 2020" in text  # the warrant's link, with its dates
    assert details.locator("a[href='https://example.org/aw']").count() >= 1  # and its sources
    assert details.locator("a[href='/id/participation/arrest-warrant--cc']").count() == 1
    assert "edge=state%2Faa%7Estate%2Fcc" in page.url


def test_a_start_only_confirmed_reads_or_earlier(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    open_explorer(page, server, f"?at={ON}&capability=function/alerts")
    click_edge(page, "state/aa", "state/cc")
    page.wait_for_selector("main[data-panel='edge:state/aa~state/cc']")
    records = page.locator("#details li.record").all_inner_texts()
    alphaland = next(r for r in records if r.startswith("Alphaland has access to Global Police Network"))
    gammaland = next(r for r in records if r.startswith("Gammaland has access to Global Police Network"))
    assert "since 23 October 2002 or earlier" in alphaland  # its start is only confirmed on that day
    assert "since 23 October 2002" in gammaland and "or earlier" not in gammaland
    # Gammaland's exactly dated access fixes the link's first day
    links = page.locator("#details .link-record > p").all_inner_texts()
    assert any(text.startswith("Linked since 23 October 2002,") for text in links), links


def test_the_table_says_when_a_first_day_is_only_a_bound(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    def since(edge: str) -> str:
        page.click("#tab-table")
        return page.locator(f'#links-table tr[data-edge="{edge}"] td').nth(3).inner_text()

    open_explorer(page, server, f"?at={ON}&capability=function/alerts")
    assert since("state/aa~state/cc") == "23 October 2002"  # Gammaland's exact start fixes it

    def every_start_confirmed_only(route) -> None:  # type: ignore[no-untyped-def]
        network = route.fetch().json()
        for edge in network["edges"]:
            for basis in edge["bases"]:
                for link in basis["links"]:
                    link["start_confirmed_only"] = True
        route.fulfill(json=network)

    page.route("**/api/v1/network?*", every_start_confirmed_only)
    open_explorer(page, server, f"?at={ON}&capability=function/alerts")
    assert since("state/aa~state/cc") == "23 October 2002 or earlier"


def test_the_explorer_works_by_keyboard(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    open_explorer(page, server, f"?at={ON}")
    page.focus("#graph")
    page.keyboard.press("ArrowRight")  # the first actor by name
    assert "Alphaland" in page.locator("#graph-cursor").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_selector("main[data-panel='node:state/aa']")

    page.focus("#tab-graph")
    page.keyboard.press("ArrowRight")
    assert page.locator("#table-view").is_visible() and not page.locator("#graph-view").is_visible()
    assert page.evaluate("() => document.activeElement.id") == "tab-table"

    why = page.locator("#links-table tbody tr").first.locator("button", has_text="Why?")
    why.focus()
    page.keyboard.press("Space")
    page.wait_for_selector("main[data-panel='edge:state/aa~state/bb']")
    assert page.evaluate("() => document.activeElement.id") == "details"  # the panel takes the focus

    # every control is reached by Tab, in reading order: search, then the filters
    page.focus("#search")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "level"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible


def test_search_suggests_and_opens_what_is_chosen(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    open_explorer(page, server, f"?at={ON}")
    page.locator("#search").press_sequentially("gamm")
    page.wait_for_selector("#suggestions li[role=option]")
    assert page.locator("#suggestions li").first.inner_text().startswith("Gammaland")
    assert page.get_attribute("#search", "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("main[data-panel='node:state/cc']")

    page.locator("#search").fill("")
    page.locator("#search").press_sequentially("UAW")
    page.wait_for_selector("#suggestions li:has-text('Union Arrest Warrant')")
    page.keyboard.press("Enter")
    wait_for_network(page, edges=1)
    assert page.input_value("#instrument") == "instrument/arrest-warrant"


def test_a_scenario_marks_lost_links_and_fallbacks(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    open_explorer(page, server, f"?at={ON}&capability={SURRENDER}")
    page.click("#scenario-box summary")
    page.select_option("#scenario-actor", "state/cc")
    page.wait_for_selector("#scenario-record:not([disabled])")
    page.select_option("#scenario-record", label="In Union Arrest Warrant (party)")
    assert page.input_value("#scenario-date") == "2020-05-31"
    page.click("#scenario-add")
    page.click("#scenario-run")
    page.wait_for_selector("main[data-scenario]")
    assert marks(page) == {"state/aa~state/cc": "fallback"}
    result = page.locator("#scenario-result").inner_text()
    assert "loses Union Arrest Warrant; falls back on Extradition Convention" in result

    page.select_option("#scenario-record", label="In Extradition Convention (party with reservation)")
    page.check("input[name=scenario-kind][value=remove]")
    page.click("#scenario-add")
    first = page.get_attribute("main", "data-scenario")
    page.click("#scenario-run")
    page.wait_for_function("(first) => document.querySelector('main').dataset.scenario !== first", arg=first)
    lost = {"state/aa~state/cc": "lost", "state/bb~state/cc": "lost", "state/cc~state/dd": "lost"}
    assert marks(page) == lost
    assert "nothing left" in page.locator("#scenario-result").inner_text()
    scenario = page.get_attribute("main", "data-scenario")
    assert f"scenario={scenario}" in page.url
    page.click("#tab-table")
    assert page.locator("#links-table tbody tr.lost").count() == 3

    # the URL shares it: a fresh page reloads the scenario and marks the same links
    page.goto(f"{server.url}/?scenario={scenario}")
    wait_for_network(page, at=ON)
    page.wait_for_function("() => document.querySelector('main').dataset.lost === '3'", timeout=READY)
    assert marks(page) == lost
    assert page.locator("#scenario-changes li").count() == 2


def test_a_resource_page_leads_to_the_explorer_centred_on_it(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/id/state/cc")
    figure = page.locator("#neighbourhood figure")
    assert figure.locator("svg a[href='/id/instrument/arrest-warrant']").count() == 1
    page.click("#neighbourhood a:has-text('Gammaland in the network explorer')")
    page.wait_for_selector("main[data-panel='node:state/cc']", timeout=READY)
    assert page.evaluate("() => window.explorer.cy.getElementById('state/cc').hasClass('focus')")


def test_the_data_model_page_draws_the_model(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/model")
    picture = page.locator("figure.model svg")
    assert picture.locator("title").first.text_content() == "The border21 data model"
    for anchor in ("Participation", "ChannelAccess", "CooperationLink", "LegalInstrument"):
        assert picture.locator(f"a[href='/ontology#{anchor}']").count() == 1
    assert page.locator("header.site a[href='/sparql']").count() == 1
    assert page.locator("header.site a[href='/docs']").count() == 1


# -- the matrix -------------------------------------------------------------------------------


def test_the_matrix_exports_csv_and_png(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/matrix?function={SURRENDER}&at={ON}")
    page.wait_for_selector("main[data-state=ready]", timeout=READY)
    assert page.locator("#matrix tbody tr").count() == 4
    assert page.locator("#matrix td button").count() == 12  # every pair, both ways
    cell = page.locator("#matrix tbody tr").nth(0).locator("td").nth(3)  # Alphaland - Gammaland
    assert cell.inner_text() == "UAW"
    cell.locator("button").click()
    page.wait_for_selector(f"#cell-detail h2:has-text('Alphaland {DASH} Gammaland')")

    with page.expect_download() as csv_download:
        page.click("#export-csv")
    assert csv_download.value.suggested_filename == f"border21-matrix-surrender-{ON}.csv"
    rows = list(csv.reader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["state", "Alphaland", "Betaland", "Deltaland", "Gammaland"]
    by_state = {row[0]: row[1:] for row in rows[1:]}
    assert by_state["Alphaland"] == ["", "Extradition Convention", "Extradition Convention", "Union Arrest Warrant"]
    assert by_state["Betaland"] == ["Extradition Convention", "", "Extradition Convention", "Extradition Convention"]

    with page.expect_download() as png_download:
        page.click("#export-png")
    assert png_download.value.suggested_filename == f"border21-matrix-surrender-{ON}.png"
    png = Path(png_download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert width >= 400 and height >= 300
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "matrix-export.png").write_bytes(png)


def test_the_matrix_is_keyboard_operable(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/matrix?function={SURRENDER}&at={ON}")
    page.wait_for_selector("main[data-state=ready]", timeout=READY)
    page.locator("#matrix td button").first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#cell-detail h2:has-text('Alphaland {DASH} Gammaland')")
    page.focus("#year")
    page.keyboard.press("Home")
    page.wait_for_selector("main[data-state=ready][data-at='1990-01-01']", timeout=READY)
    assert page.locator("#matrix td button").count() == 6  # Gammaland not yet a party


# -- sizes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_the_layout_holds_on_a_laptop_and_a_projector(server: Server, page, width: int, height: int) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": width, "height": height})
    open_explorer(page, server, f"?at={ON}&focus=state/aa")
    sizes = page.evaluate(
        """() => {
            const box = (s) => document.querySelector(s).getBoundingClientRect().toJSON();
            return {scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
                    height: document.documentElement.scrollHeight,
                    graph: box('#graph'), controls: box('.controls'), panel: box('#panel'), header: box('header.site')};
        }"""
    )
    assert sizes["scroll"] <= sizes["client"]  # no sideways scrolling
    assert sizes["height"] <= height  # the explorer fills the window and no more; its columns scroll
    assert sizes["controls"]["right"] <= sizes["graph"]["left"] <= sizes["graph"]["right"] <= sizes["panel"]["left"]
    assert sizes["panel"]["right"] <= width
    assert sizes["graph"]["width"] >= 0.45 * width and sizes["graph"]["height"] >= 0.6 * height
    nodes = page.evaluate("() => window.explorer.cy.nodes().map(n => n.renderedBoundingBox())")
    graph = sizes["graph"]
    assert all(
        n["x1"] >= 0 and n["x2"] <= graph["width"] and n["y1"] >= 0 and n["y2"] <= graph["height"] for n in nodes
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"explorer-{width}x{height}.png"))


def synthetic_network(states: int, agencies: int) -> dict[str, object]:
    """A network the size of the real world's: `states` states all linked through one
    instrument, or `agencies` agencies linked in hubs through channels."""

    def ref(key: str, label: str) -> dict[str, str]:
        return {"id": f"https://w3id.org/border21/id/{key}", "key": key, "type": key.split("/")[0], "label": label}

    basis = {"basis": ref("instrument/x", "Instrument X"), "kind": "instrument", "links": []}
    channel = {"basis": ref("channel/y", "Channel Y"), "kind": "channel", "links": []}
    if states:
        names = [f"State {n:02d}" for n in range(states)]
        keys = [f"state/s{n:02d}" for n in range(states)]
        pairs = [(i, j) for i in range(states) for j in range(i + 1, states) if (i + j) % 3]
        edges = [{"a": ref(keys[i], names[i]), "b": ref(keys[j], names[j]), "bases": [basis]} for i, j in pairs]
        degree = {n: sum(n in pair for pair in pairs) for n in range(states)}
        nodes = [
            {**ref(keys[n], names[n]), "degree": degree[n], "iso_code": f"{chr(65 + n // 26)}{chr(65 + n % 26)}"}
            for n in range(states)
        ]
    else:
        names = [f"Agency {n:03d} of a long-named ministry" for n in range(agencies)]
        keys = [f"agency/a{n:03d}" for n in range(agencies)]
        hubs = range(0, agencies, 25)
        pairs = [(n - n % 25, n) for n in range(agencies) if n % 25] + [(h, k) for h in hubs for k in hubs if h < k]
        edges = [{"a": ref(keys[i], names[i]), "b": ref(keys[j], names[j]), "bases": [channel]} for i, j in pairs]
        degree = {n: sum(n in pair for pair in pairs) for n in range(agencies)}
        nodes = [{**ref(keys[n], names[n]), "degree": degree[n], "iso_code": None} for n in range(agencies)]
    return {
        "at": ON,
        "level": "state" if states else "agency",
        "nodes": nodes,
        "edges": edges,
        "total_edges": len(edges),
        "total_nodes": len(nodes),
        "limit": 1000,
        "offset": 0,
    }


@pytest.mark.parametrize(("states", "agencies"), [(50, 0), (0, 300)], ids=["50-states", "300-agencies"])
def test_the_graph_stays_readable_when_large(server: Server, page, states: int, agencies: int) -> None:  # type: ignore[no-untyped-def]
    import json

    network = synthetic_network(states, agencies)
    nothing_recorded = {"records": [], "sources": []}
    page.route(
        lambda url: "/api/v1/network" in url,
        lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(network)),
    )
    page.route(
        lambda url: "/api/v1/resources/agency/a" in url,
        lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(nothing_recorded)),
    )
    level = "state" if states else "agency"
    open_explorer(page, server, f"?at={ON}&level={level}")
    count = states or agencies
    assert page.evaluate("() => window.explorer.cy.nodes().length") == count
    report = page.evaluate(
        """() => {
            const cy = window.explorer.cy;
            const boxes = cy.nodes().map(n => n.renderedBoundingBox({includeLabels: false}));
            const centres = cy.nodes().map(n => [n.renderedPosition(), n.renderedWidth()]);
            let overlaps = 0;  // nodes closer than their sizes allow
            for (let i = 0; i < centres.length; i++) for (let j = i + 1; j < centres.length; j++) {
                const [[a, wa], [b, wb]] = [centres[i], centres[j]];
                if (Math.hypot(a.x - b.x, a.y - b.y) < (wa + wb) / 2) overlaps++;
            }
            const inside = boxes.every(b => b.x1 >= 0 && b.y1 >= 0 && b.x2 <= cy.width() && b.y2 <= cy.height());
            const smallest = Math.min(...boxes.map(b => b.w));
            const fontSize = parseFloat(cy.nodes()[0].style('font-size')) * cy.zoom();
            return {overlaps, inside, smallest, fontSize};
        }"""
    )
    assert report["overlaps"] == 0 and report["inside"]
    assert report["smallest"] >= 10  # every node can be seen and clicked
    if states:
        assert report["fontSize"] >= 9  # the ISO codes can be read without zooming
    else:
        # a crowd of agencies: the hubs are labelled; picking an agency labels it and its neighbours
        hubs = page.evaluate("() => window.explorer.cy.nodes('.hub').map(n => n.id())")
        assert len(hubs) == 12 and "agency/a025" in hubs
        click_node(page, "agency/a026")
        page.wait_for_selector("main[data-panel='node:agency/a026']")
        labelled = page.evaluate("() => window.explorer.cy.nodes('.near').map(n => n.style('min-zoomed-font-size'))")
        assert len(labelled) == 2 and set(labelled) == {"0px"}  # itself and its hub
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"explorer-{states or agencies}-{level}-graph.png"))
    page.click("#tab-table")
    assert page.locator("#actors-table tbody tr").count() == count


def test_the_explorer_joins_the_network_s_pages(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    import json
    from urllib.parse import parse_qs, urlparse

    network = synthetic_network(12, 0)
    asked: list[int] = []

    def one_page(route) -> None:  # type: ignore[no-untyped-def]
        query = parse_qs(urlparse(route.request.url).query)
        offset, limit = int(query["offset"][0]), 5  # a server whose pages are smaller than asked
        asked.append(offset)
        edges = network["edges"][offset : offset + limit]
        keys = {e[side]["key"] for e in edges for side in ("a", "b")}
        body = {**network, "edges": edges, "nodes": [n for n in network["nodes"] if n["key"] in keys], "offset": offset}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route(lambda url: "/api/v1/network" in url, one_page)
    open_explorer(page, server, f"?at={ON}&level=state")
    assert asked == list(range(0, len(network["edges"]), 5))
    assert page.evaluate("() => window.explorer.cy.nodes().length") == 12
    assert page.evaluate("() => window.explorer.cy.edges().length") == len(network["edges"])
