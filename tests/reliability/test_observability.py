"""What operators see: /metrics in the Prometheus text format, and one structured log line per
request carrying its request id."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service import __version__
from tests.api.conftest import AppFactory
from tests.reliability.conftest import ServerFactory

METRIC_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"'
SAMPLE = re.compile(rf"^({METRIC_NAME})(\{{(?:{LABEL})(?:,{LABEL})*\}})? (\S+)$")
LABEL_PAIR = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"')
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}

Sample = tuple[str, dict[str, str], float]


def parse_exposition(text: str) -> tuple[dict[str, str], list[Sample]]:
    """The metric types and samples of a Prometheus text exposition (format 0.0.4), checking
    its grammar as it goes: a malformed line fails the test."""
    assert text.endswith("\n")
    types: dict[str, str] = {}
    samples: list[Sample] = []
    for line in text.splitlines():
        if line.startswith("# HELP "):
            assert re.match(rf"^# HELP {METRIC_NAME} \S", line), line
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in TYPES and name not in types, line
            types[name] = kind
        else:
            match = SAMPLE.match(line)
            assert match, f"not a sample: {line!r}"
            name, labels, value = match.groups()
            family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in types else name
            assert family in types, f"{name} has no TYPE line before it"
            samples.append((name, dict(LABEL_PAIR.findall(labels or "")), float(value)))
    return types, samples


def value_of(samples: list[Sample], name: str, **labels: str) -> float:
    found = [v for n, ls, v in samples if n == name and all(ls.get(k) == w for k, w in labels.items())]
    assert len(found) == 1, (name, labels, found)
    return found[0]


def test_metrics_are_prometheus_text_with_requests_latency_store_and_build(make_app: AppFactory) -> None:
    with TestClient(make_app(will_write=False)) as client:
        ready = client.get("/readyz").json()
        for _ in range(3):
            assert client.get("/id/state/aa", headers={"Accept": "text/turtle"}).status_code == 200
        assert client.get("/id/state/no-such-state", headers={"Accept": "text/turtle"}).status_code == 404
        assert client.get("/no/such/route").status_code == 404
        response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    types, samples = parse_exposition(response.text)
    assert types["border21_http_requests_total"] == "counter"
    assert types["border21_http_request_duration_seconds"] == "histogram"
    assert types["border21_query_timeouts_total"] == "counter"
    assert types["border21_store_triples"] == "gauge"

    # by route template, not by raw path: one series for every resource
    route = "/id/{kind}/{slug}"
    assert value_of(samples, "border21_http_requests_total", method="GET", route=route, status="200") == 3
    assert value_of(samples, "border21_http_requests_total", method="GET", route=route, status="404") == 1
    assert value_of(samples, "border21_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert not any("no-such-state" in str(labels) for _, labels, _ in samples)

    buckets = [(ls["le"], v) for n, ls, v in samples if n.endswith("_bucket") and ls["route"] == route]
    counts = [v for _, v in buckets]
    assert counts == sorted(counts) and buckets[-1][0] == "+Inf"  # cumulative, up to +Inf
    count = value_of(samples, "border21_http_request_duration_seconds_count", method="GET", route=route)
    assert buckets[-1][1] == count == 4
    assert value_of(samples, "border21_http_request_duration_seconds_sum", method="GET", route=route) > 0

    assert value_of(samples, "border21_query_timeouts_total") == 0
    assert value_of(samples, "border21_store_triples") == ready["triples"]
    (info,) = [labels for name, labels, _ in samples if name == "border21_build_info"]
    assert info["version"] == __version__
    assert info["generation"] == (ready["generation"] or "")


def key_values(line: str) -> dict[str, str]:
    return dict(re.findall(r"(\w+)=(\S+)", line))


@pytest.mark.slow
def test_each_request_is_logged_once_with_its_request_id(own_store: Path, start_server: ServerFactory) -> None:
    server = start_server(own_store, tokens=None)
    given = httpx.get(f"{server.url}/api/v1/actors", headers={"X-Request-ID": "trace-4b1d"}, timeout=30)
    made = httpx.get(f"{server.url}/sparql", params={"query": "ASK {}"}, timeout=30)
    server.stop()

    assert given.headers["X-Request-ID"] == "trace-4b1d"
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-ID"])
    lines = [line for line in server.log_text().splitlines() if "event=request " in line]
    for response, path in ((given, "/api/v1/actors"), (made, "/sparql")):
        (line,) = [line for line in lines if f"request_id={response.headers['X-Request-ID']}" in line]
        fields = key_values(line)
        assert (fields["method"], fields["path"], fields["status"]) == ("GET", path, "200")
        assert float(fields["ms"]) >= 0
        assert fields["logger"] == "service.requests"
