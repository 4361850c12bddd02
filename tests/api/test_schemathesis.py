"""Property-based testing of the whole HTTP interface from its OpenAPI description: no answer
is a server error, and every answer matches the schema it is documented with."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from service.api import create_app
from service.build.pipeline import build
from service.config import Settings
from service.resources import ontology_dir
from service.store import StoreHome
from tests.conftest import FIXTURES

pytestmark = pytest.mark.slow


def _app(tmp: Path):  # type: ignore[no-untyped-def]
    store = tmp / "store"
    build(StoreHome(store), ontology_dir(), FIXTURES / "data" / "world")
    app = create_app(Settings(store=store, query_timeout=10, log_level="WARNING"))
    client = TestClient(app)
    client.__enter__()  # runs the lifespan: opens the store for the whole module
    return app, client


_SCRATCH = Path(__import__("tempfile").mkdtemp(prefix="border21-schemathesis-"))
APP, CLIENT = _app(_SCRATCH)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_answers_match_their_schema(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])


def teardown_module() -> None:
    CLIENT.__exit__(None, None, None)
    shutil.rmtree(_SCRATCH, ignore_errors=True)
