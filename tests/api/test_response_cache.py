"""REST answers kept in memory per store version and URL: a repeated question is answered from
memory, byte for byte as before, and a write makes every kept answer stale."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.api.caching import KeptAnswer, ResponseCache
from service.config import Settings
from tests.api.conftest import TOKENS, WRITE

RESOURCE = "/api/v1/resources/state/aa"
PROBE = "a remark written after the first answer"
UPDATE = (
    "INSERT DATA { GRAPH <https://example.org/remarks> "
    f"{{ <https://w3id.org/border21/id/state/aa> rdfs:comment '{PROBE}' }} }}"
)


def client_on(store: Path, **extra: object) -> TestClient:
    return TestClient(create_app(Settings(store=store, tokens=TOKENS, **extra)))  # type: ignore[arg-type]


@pytest.fixture
def world_copy(world_store_path: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(world_store_path, tmp_path / "store", symlinks=True))


@pytest.fixture
def api(world_copy: Path) -> Iterator[TestClient]:
    with client_on(world_copy) as client:
        yield client


def test_a_repeated_question_is_answered_from_memory_with_the_same_bytes(api: TestClient) -> None:
    first = api.get("/api/v1/network", params={"at": "2015-01-01"})
    second = api.get("/api/v1/network", params={"at": "2015-01-01"})
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"]
    assert second.headers["etag"] == first.headers["etag"]
    assert int(second.headers["content-length"]) == len(first.content)


def test_a_write_makes_the_kept_answers_stale(api: TestClient) -> None:
    before = api.get(RESOURCE)
    assert api.get(RESOURCE).headers["x-cache"] == "hit"
    assert PROBE not in before.text
    written = api.post("/sparql", content=UPDATE, headers={**WRITE, "Content-Type": "application/sparql-update"})
    assert written.status_code == 204, written.text
    after = api.get(RESOURCE)
    assert after.headers["x-cache"] == "miss"
    assert PROBE in after.text
    assert after.headers["etag"] != before.headers["etag"]


def test_each_representation_is_kept_apart(api: TestClient) -> None:
    plain = api.get(RESOURCE)
    linked = api.get(RESOURCE, headers={"Accept": "application/ld+json"})
    assert linked.headers["x-cache"] == "miss"
    assert linked.headers["content-type"].startswith("application/ld+json")
    again = api.get(RESOURCE, headers={"Accept": "application/ld+json"})
    assert again.headers["x-cache"] == "hit"
    assert again.headers["content-type"] == linked.headers["content-type"]
    assert again.content == linked.content != plain.content


def test_errors_and_sparql_answers_are_not_kept(api: TestClient) -> None:
    for _ in range(2):
        missing = api.get("/api/v1/resources/state/zz")
        assert missing.status_code == 404
        assert "x-cache" not in missing.headers
    query = {"query": "SELECT ?s WHERE { ?s a b21:State } LIMIT 1"}
    assert "x-cache" not in api.get("/sparql", params=query).headers


def test_the_cache_can_be_turned_off(world_copy: Path) -> None:
    with client_on(world_copy, response_cache_mb=0) as client:
        for _ in range(2):
            response = client.get(RESOURCE)
            assert response.status_code == 200
            assert "x-cache" not in response.headers


def answer(size: int) -> KeptAnswer:
    return KeptAnswer(b"x" * size, (("content-type", "application/json"),))


def test_the_least_recently_used_answers_go_first_and_the_size_stays_bounded() -> None:
    cache = ResponseCache(capacity=1000)
    cache.put("a", answer(200))
    cache.put("b", answer(200))
    cache.put("c", answer(200))
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("d", answer(200))
    cache.put("e", answer(200))
    assert cache.size == 1000
    cache.put("f", answer(200))  # over the capacity: b, the least recently used, goes
    assert cache.size == 1000
    assert cache.get("b") is None
    assert all(cache.get(tag) is not None for tag in ("a", "c", "d", "e", "f"))


def test_an_answer_too_large_for_the_cache_is_not_kept() -> None:
    cache = ResponseCache(capacity=1000)
    cache.put("big", answer(251))
    assert cache.get("big") is None
    cache.put("fits", answer(250))
    assert cache.get("fits") is not None
    cache.put("fits", answer(100))  # replacing an entry counts its new size only
    assert cache.size == 100
