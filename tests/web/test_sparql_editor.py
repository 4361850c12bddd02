"""The YASGUI editor at /sparql, in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.queries import load_named_queries
from tests.api.conftest import copy_store
from tests.conftest import Server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(built_store: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    running = Server(copy_store(built_store, tmp_path_factory.mktemp("editor") / "store"))
    running.wait_until_up()
    yield running
    running.stop()


def test_the_editor_loads_and_runs_a_query(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/sparql")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20_000)
    page.evaluate(
        "() => { yasgui.getTab().setQuery('SELECT ?code WHERE { ?state b21:isoCode ?code } ORDER BY ?code'); }"
    )
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table td:has-text('AA')", timeout=20_000)
    cells = page.locator(".yasr table td").all_inner_texts()
    assert any("AA" in cell for cell in cells) and any("BB" in cell for cell in cells)


def test_named_queries_are_offered_as_examples(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/sparql")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20_000)
    buttons = page.locator("#examples button")
    assert buttons.count() >= 1
    assert buttons.count() == len(load_named_queries())
    page.locator("#examples button", has_text="Legal instruments in force").click()
    query = page.evaluate("() => yasgui.getTab().getQuery()")
    assert "b21:dateEntryIntoForce" in query and "VALUES (?at)" in query
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table td:has-text('Union Office Regulation')", timeout=20_000)
