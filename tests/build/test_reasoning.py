"""OWL consistency with HermiT: the ontology and data are consistent; contradictions are caught."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF

from service.build.pipeline import check
from service.build.reasoning import hermit_inferences, load_rules, materialise
from service.build.sources import discover
from service.errors import ValidationFailed
from service.generate import generate
from service.namespaces import B21, ID, INFERRED_GRAPH
from service.resources import data_dir
from service.store import GraphStore, in_memory_store
from service.store.oxigraph import OxigraphStore
from tests.conftest import FIXTURES, VALID_DATA, run_cli

pytestmark = pytest.mark.java


def test_java_is_present_for_hermit() -> None:
    assert shutil.which("java"), "HermiT needs Java; .ci/run installs it"


def test_ontology_with_the_curated_data_is_consistent(ontology: Path) -> None:
    result = check(ontology, data_dir())
    assert result.triple_count > 0


def test_ontology_with_the_valid_fixture_is_consistent(ontology: Path) -> None:
    check(ontology, VALID_DATA)


def test_hermit_catches_an_individual_in_two_disjoint_classes(ontology: Path) -> None:
    with pytest.raises(ValidationFailed, match="inconsistent") as failure:
        check(ontology, FIXTURES / "data" / "inconsistent")
    assert failure.value.problems == [
        "https://w3id.org/border21/id/state/zz is an instance of both "
        "https://w3id.org/border21/ontology#Agency and https://w3id.org/border21/ontology#State, which are disjoint"
    ]


def test_hermit_classifies_individuals_from_property_domains(ontology: Path) -> None:
    graph = rdflib.Graph().parse(ontology / "border21.ttl")
    access = ID["access/untyped"]
    graph.add((access, B21.accessor, ID["state/aa"]))
    graph.add((ID["state/aa"], RDF.type, B21.State))
    inferred = hermit_inferences(graph)
    assert (access, RDF.type, B21.ChannelAccess) in inferred
    assert all(o != OWL.Thing for _, _, o in inferred)


def test_validate_command_reports_the_inconsistency_and_fails() -> None:
    result = run_cli("validate", "--data", str(FIXTURES / "data" / "inconsistent"))
    assert result.returncode == 1
    assert "state/zz is an instance of both" in result.stderr
    assert "inconsistent (HermiT)" in result.stderr


def _loaded(ontology: Path, data: Path) -> OxigraphStore:
    store = in_memory_store()
    for source in discover(ontology, data):
        if source.role != "shapes":
            store.load_file(source.path, source.graph_iri)
    return store


def _materialised_naively(store: GraphStore, rules: list[tuple[str, str]]) -> None:
    """Every rule over all the data, round after round: the plain fixpoint."""
    while True:
        fresh = {t for _, rule in rules for t in store.construct(rule) if not store.contains(t)}
        if not fresh:
            return
        store.add_triples(INFERRED_GRAPH, sorted(fresh))


def _inferred(store: GraphStore) -> set[tuple[object, object, object]]:
    return {
        (s, p, o)
        for s, p, o in store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}")
    }


@pytest.mark.parametrize("data", ["curated", "synthetic"])
def test_semi_naive_inference_reaches_the_same_fixpoint_as_the_plain_one(
    ontology: Path, tmp_path: Path, data: str
) -> None:
    """Later rounds read only what the round before added: the inferred graph must be the
    one every rule over all the data, round after round, gives."""
    if data == "curated":
        folder = data_dir()
    else:
        folder = tmp_path / "synthetic"
        generate(folder, 20_000, seed=3)
    rules = load_rules(ontology / "rules")
    semi, plain = _loaded(ontology, folder), _loaded(ontology, folder)
    added = materialise(semi, rules)
    _materialised_naively(plain, rules)
    assert added > 1000
    assert _inferred(semi) == _inferred(plain)
