"""Every named query runs, with its defaults, on each backend."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.queries import load_named_queries


@pytest.mark.parametrize("name", [q.name for q in load_named_queries()])
def test_every_named_query_runs_with_its_defaults(reader: TestClient, name: str) -> None:
    response = reader.get(f"/api/v1/queries/{name}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] >= 0 and isinstance(body["items"], list)


def test_the_knowledge_behind_labels_and_capabilities_reads_on_each_backend(reader: TestClient) -> None:
    response = reader.get("/api/v1/instruments", params={"capability": "function/information-exchange"})
    assert response.status_code == 200, response.text
    assert "instrument/office-regulation" in [item["key"] for item in response.json()["items"]]
