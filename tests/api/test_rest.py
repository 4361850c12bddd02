"""The REST facade under /api/v1, on the invented world of tests/fixtures/data/world."""

from __future__ import annotations

import pytest
import rdflib
from fastapi.testclient import TestClient


def keys(items: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [item["key"] for item in items]


# -- actors, instruments, channels, capabilities ---------------------------------------------


def test_actors_by_kind_and_paging_with_link_headers(world_api: TestClient) -> None:
    first = world_api.get("/api/v1/actors", params={"kind": "state", "limit": 2})
    assert first.status_code == 200
    body = first.json()
    assert (body["total"], body["limit"], body["offset"]) == (4, 2, 0)
    assert keys(body["items"]) == ["state/aa", "state/bb"]  # by label: Alphaland, Betaland
    assert 'rel="next"' in first.headers["link"] and 'rel="prev"' not in first.headers["link"]
    next_url = first.headers["link"].split(";")[0].strip("<>")
    second = world_api.get(next_url)
    assert keys(second.json()["items"]) == ["state/dd", "state/cc"]  # Deltaland, Gammaland
    assert 'rel="prev"' in second.headers["link"] and 'rel="next"' not in second.headers["link"]


def test_actor_items_show_id_type_label_key_and_most_specific_classes(world_api: TestClient) -> None:
    (bureau,) = world_api.get("/api/v1/actors", params={"state": "state/cc"}).json()["items"]
    assert bureau["id"] == "https://w3id.org/border21/id/agency/cc-bureau"
    assert (bureau["key"], bureau["type"], bureau["label"]) == ("agency/cc-bureau", "agency", "Gammaland Alert Bureau")
    assert [c["label"] for c in bureau["classes"]] == ["SIRENE bureau"]
    assert keys(bureau["part_of"]) == ["state/cc"]


def test_actors_filtered_by_instrument_and_date(world_api: TestClient) -> None:
    params = {"instrument": "instrument/arrest-warrant", "at": "2010-01-01"}
    assert keys(world_api.get("/api/v1/actors", params=params).json()["items"]) == ["state/aa", "state/cc"]
    params["at"] = "2021-06-01"
    assert keys(world_api.get("/api/v1/actors", params=params).json()["items"]) == ["state/aa"]
    iri = {"instrument": "https://w3id.org/border21/id/instrument/arrest-warrant", "at": "2021-06-01"}
    assert keys(world_api.get("/api/v1/actors", params=iri).json()["items"]) == ["state/aa"]


def test_actors_filtered_by_channel_and_capability(world_api: TestClient) -> None:
    by_channel = world_api.get("/api/v1/actors", params={"channel": "channel/alert-system", "at": "2016-01-01"})
    assert keys(by_channel.json()["items"]) == ["agency/aa-bureau", "agency/cc-bureau"]
    by_capability = world_api.get("/api/v1/actors", params={"capability": "function/surrender", "at": "2021-06-01"})
    assert set(keys(by_capability.json()["items"])) == {
        "state/aa",
        "state/bb",
        "state/cc",
        "state/dd",
        "organisation/union",
    }


def test_instruments_filtered_and_sorted(world_api: TestClient) -> None:
    surrender = world_api.get("/api/v1/instruments", params={"capability": "function/surrender"}).json()
    assert set(keys(surrender["items"])) == {
        "instrument/arrest-warrant",
        "instrument/convention",
        "instrument/exit-agreement",
    }
    treaties = world_api.get("/api/v1/instruments", params={"kind": "treaty"}).json()
    assert set(keys(treaties["items"])) == {"instrument/convention", "instrument/union-treaty"}
    bound = world_api.get("/api/v1/instruments", params={"actor": "state/bb", "at": "2010-01-01"}).json()
    assert set(keys(bound["items"])) == {"instrument/convention", "instrument/union-treaty"}
    by_acronym = world_api.get("/api/v1/instruments", params={"q": "uaw"}).json()
    assert keys(by_acronym["items"]) == ["instrument/arrest-warrant"]
    descending = world_api.get("/api/v1/instruments", params={"sort": "-label"}).json()
    labels = [i["label"] for i in descending["items"]]
    assert labels == sorted(labels, key=str.casefold, reverse=True)


def test_channels_and_capabilities(world_api: TestClient) -> None:
    alerts = world_api.get("/api/v1/channels", params={"capability": "function/alerts"}).json()
    assert keys(alerts["items"]) == ["channel/global-network", "channel/alert-system"]
    assert alerts["items"][1]["legal_basis"][0]["key"] == "instrument/alert-regulation"
    tree = world_api.get("/api/v1/capabilities/cooperation-functions").json()
    exchange = next(c for c in tree["concepts"] if c["key"] == "function/information-exchange")
    assert "function/fingerprint-comparison" in keys(exchange["narrower"])
    assert world_api.get("/api/v1/capabilities/nothing").status_code == 422


def test_a_resource_in_detail(world_api: TestClient) -> None:
    body = world_api.get("/api/v1/resources/state/cc", params={"at": "2019-01-01"}).json()
    assert body["label"] == "Gammaland" and body["sources"] == ["https://example.org/cc"]
    properties = {p["property"]["label"]: p["values"] for p in body["properties"]}
    assert properties["ISO 3166-1 alpha-2 code"] == [
        {
            "id": None,
            "key": None,
            "label": None,
            "value": "CC",
            "datatype": "http://www.w3.org/2001/XMLSchema#string",
            "language": None,
        }
    ]
    records = {(r["basis"]["key"], r["holds"]) for r in body["records"]}
    assert ("instrument/arrest-warrant", True) in records
    incoming = {i["property"]["label"]: i["count"] for i in body["incoming"]}
    assert incoming["participant"] == 4  # membership, convention, arrest warrant, agreement


def test_unknown_resource_is_404_and_bad_parameters_400(world_api: TestClient) -> None:
    assert world_api.get("/api/v1/resources/state/zz").status_code == 404
    for url, params, word in (
        ("/api/v1/actors", {"at": "2021-02-30"}, "at"),
        ("/api/v1/actors", {"state": "not a key"}, "state"),
        ("/api/v1/actors", {"instrument": "state/aa"}, "instrument"),
        ("/api/v1/instruments", {"kind": "poem"}, "kind"),
        ("/api/v1/instruments", {"sort": "colour"}, "sort"),
        ("/api/v1/network", {"capability": "state/aa"}, "capability"),
    ):
        response = world_api.get(url, params=params)
        assert response.status_code == 400, (url, params)
        assert word in response.json()["detail"]
    assert world_api.get("/api/v1/actors", params={"limit": 100000}).status_code == 422
    assert world_api.get("/api/v1/actors", params={"offset": -1}).status_code == 422


# -- network, paths, timeline -------------------------------------------------------------------


def test_the_network_changes_with_the_date_and_every_edge_is_explained(world_api: TestClient) -> None:
    before = world_api.get("/api/v1/network", params={"at": "2020-06-01", "capability": "surrender"}).json()
    after = world_api.get("/api/v1/network", params={"at": "2021-06-01", "capability": "surrender"}).json()

    def bases(network: dict, a: str, b: str) -> list[str]:  # type: ignore[type-arg]
        (edge,) = [e for e in network["edges"] if {e["a"]["key"], e["b"]["key"]} == {a, b}]
        return keys([basis["basis"] for basis in edge["bases"]])

    assert bases(before, "state/aa", "state/cc") == ["instrument/arrest-warrant", "instrument/convention"]
    assert bases(after, "state/aa", "state/cc") == ["instrument/exit-agreement", "instrument/convention"]
    for network in (before, after):
        for edge in network["edges"]:
            for basis in edge["bases"]:
                for link in basis["links"]:
                    assert len(link["explanation"]) == 2
    assert {n["key"] for n in after["nodes"]} == {"state/aa", "state/bb", "state/cc", "state/dd"}


@pytest.mark.parametrize(
    ("actor", "level", "at"),
    [
        ("state/aa", "state", "2020-06-01"),
        ("state/cc", "state", "2021-06-01"),
        ("agency/aa-bureau", "agency", "2016-01-01"),
    ],
)
def test_one_actors_network_is_the_whole_networks_edges_of_that_actor(
    world_api: TestClient, actor: str, level: str, at: str
) -> None:
    """Read on its own (only that actor's links and explanations), it answers as the whole
    network does for that actor: the same edges, bases, links and explanations."""
    whole = world_api.get("/api/v1/network", params={"at": at, "level": level}).json()
    own = world_api.get("/api/v1/network", params={"at": at, "level": level, "actor": actor}).json()
    expected = [e for e in whole["edges"] if actor in (e["a"]["key"], e["b"]["key"])]
    assert expected and own["edges"] == expected
    assert {n["key"] for n in own["nodes"]} == {e[side]["key"] for e in expected for side in ("a", "b")}


def test_the_agency_level_network(world_api: TestClient) -> None:
    network = world_api.get("/api/v1/network", params={"at": "2016-01-01", "level": "agency"}).json()
    pairs = {frozenset((e["a"]["key"], e["b"]["key"])) for e in network["edges"]}
    assert frozenset(("agency/aa-bureau", "agency/cc-bureau")) in pairs


@pytest.mark.parametrize("level", ["state", "agency"])
def test_the_network_comes_in_pages_that_join_into_the_whole(world_api: TestClient, level: str) -> None:
    whole = world_api.get("/api/v1/network", params={"at": "2016-01-01", "level": level}).json()
    assert whole["total_edges"] == len(whole["edges"]) >= (3 if level == "state" else 1)
    assert whole["total_nodes"] == len(whole["nodes"])
    edges, nodes, path = [], {}, f"/api/v1/network?at=2016-01-01&level={level}&limit=1"
    while path:
        response = world_api.get(path)
        page = response.json()
        assert len(page["edges"]) == 1 and page["total_edges"] == whole["total_edges"]
        # A page names the actors of its own edges, each with its degree in the whole network.
        assert {n["key"] for n in page["nodes"]} == {e[side]["key"] for e in page["edges"] for side in ("a", "b")}
        nodes.update({n["key"]: n for n in page["nodes"]})
        edges += page["edges"]
        following = response.links.get("next")
        path = following["url"] if following else ""
    assert edges == whole["edges"]
    assert sorted(nodes.values(), key=lambda n: n["key"]) == sorted(whole["nodes"], key=lambda n: n["key"])
    beyond = world_api.get("/api/v1/network", params={"at": "2016-01-01", "level": level, "offset": 1000}).json()
    assert beyond["edges"] == [] and beyond["total_edges"] == whole["total_edges"]
    assert world_api.get("/api/v1/network", params={"limit": 1001}).status_code in (400, 422)


def test_paths_follow_the_date(world_api: TestClient) -> None:
    def best(at: str, function: str) -> tuple[str, str]:
        body = world_api.get(
            "/api/v1/paths", params={"from": "state/cc", "to": "state/aa", "function": function, "at": at}
        ).json()
        path = body["paths"][0]
        return path["kind"], path["steps"][0]["way"]["basis"]["key"]

    assert best("2020-06-01", "surrender") == ("direct", "instrument/arrest-warrant")
    assert best("2021-06-01", "surrender") == ("direct", "instrument/exit-agreement")
    assert best("2021-06-01", "alerts") == ("direct", "channel/global-network")

    def direct(at: str) -> set[str]:
        body = world_api.get(
            "/api/v1/paths", params={"from": "state/cc", "to": "state/aa", "function": "alerts", "at": at}
        ).json()
        return {p["steps"][0]["way"]["basis"]["key"] for p in body["paths"] if p["kind"] == "direct"}

    assert direct("2016-01-01") == {"channel/alert-system", "channel/global-network"}
    assert direct("2021-06-01") == {"channel/global-network"}


def test_paths_name_the_legal_basis_and_fallbacks(world_api: TestClient) -> None:
    body = world_api.get(
        "/api/v1/paths", params={"from": "state/aa", "to": "state/cc", "function": "surrender", "at": "2020-06-01"}
    ).json()
    assert [
        (p["rank"], p["applies"], p["steps"][0]["way"]["basis"]["key"]) for p in body["paths"] if p["kind"] == "direct"
    ] == [
        (1, True, "instrument/arrest-warrant"),
        (2, False, "instrument/convention"),
    ]
    channel = world_api.get(
        "/api/v1/paths", params={"from": "state/aa", "to": "state/cc", "function": "alerts", "at": "2016-01-01"}
    ).json()
    step = next(
        p["steps"][0] for p in channel["paths"] if p["steps"][0]["way"]["basis"]["key"] == "channel/alert-system"
    )
    assert keys(step["legal_basis"]) == ["instrument/alert-regulation"]
    assert (
        world_api.get(
            "/api/v1/paths", params={"from": "state/aa", "to": "state/aa", "function": "surrender"}
        ).status_code
        == 400
    )


def test_the_timeline_of_an_actor_and_of_a_pair(world_api: TestClient) -> None:
    body = world_api.get("/api/v1/timeline", params={"actor": "state/cc", "other": "state/aa"}).json()
    starts = [p["start"] for p in body["periods"]]
    assert starts == sorted(starts)
    shared = {(s["basis"]["key"], s["start"], s["end"]) for s in body["shared"]}
    assert ("instrument/arrest-warrant", "2004-01-01", "2020-12-31") in shared
    assert ("instrument/exit-agreement", "2021-01-01", None) in shared


# -- named queries --------------------------------------------------------------------------


def test_named_queries_are_listed_and_run_with_typed_parameters(world_api: TestClient) -> None:
    listed = {q["name"]: q for q in world_api.get("/api/v1/queries").json()}
    assert len(listed) >= 9
    assert {p["name"] for p in listed["participants"]["parameters"]} == {"instrument", "at"}
    body = world_api.get(
        "/api/v1/queries/participants", params={"instrument": "instrument/arrest-warrant", "at": "2010-01-01"}
    ).json()
    assert {row["actor"]["key"] for row in body["items"]} == {"state/aa", "state/bb", "state/cc"}
    csv_answer = world_api.get(
        "/api/v1/queries/participants",
        params={"instrument": "instrument/arrest-warrant", "at": "2010-01-01", "format": "csv"},
    )
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert csv_answer.text.splitlines()[0].startswith("instrument,at,actor")


@pytest.mark.parametrize(
    "hostile",
    [
        '2010-01-01" } UNION { ?s ?p ?o } #',
        "https://w3id.org/border21/id/instrument/arrest-warrant> } UNION { ?s ?p ?o } #",
        "instrument/arrest-warrant' . ?x ?y ?z",
        "'; DROP ALL ;",
    ],
)
def test_named_query_parameters_refuse_injection(world_api: TestClient, hostile: str) -> None:
    for name in ("at", "instrument"):
        params = {"instrument": "instrument/arrest-warrant", "at": "2010-01-01", name: hostile}
        response = world_api.get("/api/v1/queries/participants", params=params)
        assert response.status_code == 400, (name, hostile)


def test_named_queries_are_documented_in_openapi(world_api: TestClient) -> None:
    spec = world_api.get("/openapi.json").json()
    operation = spec["paths"]["/api/v1/queries/participants"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"instrument", "at", "limit", "offset"}
    at = next(p for p in operation["parameters"] if p["name"] == "at")
    assert at["schema"]["format"] == "date"


# -- JSON-LD and caching -------------------------------------------------------------------------


def test_answers_come_as_json_ld_with_a_published_context(world_api: TestClient) -> None:
    response = world_api.get("/api/v1/actors", params={"kind": "state"}, headers={"Accept": "application/ld+json"})
    assert response.headers["content-type"].startswith("application/ld+json")
    context = world_api.get("/api/v1/context.jsonld").json()
    document = response.json()
    document["@context"] = context["@context"]
    graph = rdflib.Graph().parse(data=document, format="json-ld")
    label = rdflib.URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    assert (rdflib.URIRef("https://w3id.org/border21/id/state/aa"), label, rdflib.Literal("Alphaland")) in graph


def test_etags_follow_the_store_and_if_none_match_gets_304(world_api: TestClient) -> None:
    first = world_api.get("/api/v1/actors")
    tag = first.headers["etag"]
    assert world_api.get("/api/v1/actors").headers["etag"] == tag
    assert world_api.get("/api/v1/actors", headers={"If-None-Match": tag}).status_code == 304
    assert world_api.get("/api/v1/actors", params={"kind": "state"}).headers["etag"] != tag
    assert world_api.get("/api/v1/actors", headers={"If-None-Match": 'W/"other"'}).status_code == 200


def test_a_named_query_cannot_be_redefined_by_the_request(world_api: TestClient) -> None:
    params = {"instrument": "instrument/arrest-warrant", "at": "2010-01-01"}
    plain = world_api.get("/api/v1/queries/participants", params=params).json()
    body = {"text": "SELECT ?s WHERE { ?s ?p ?o }", "name": "participants", "summary": "", "parameters": []}
    sneaky = world_api.request("GET", "/api/v1/queries/participants", params=params, json=body).json()
    assert sneaky == plain
