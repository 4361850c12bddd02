"""OWL consistency with HermiT: the ontology and data are consistent; contradictions are caught."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF

from service.build.pipeline import check
from service.build.reasoning import data_premises, hermit_inferences, load_rules, materialise
from service.build.sources import discover
from service.errors import BuildError, ValidationFailed
from service.generate import generate
from service.namespaces import B21, ID, INFERRED_GRAPH, ONTOLOGY_GRAPH
from service.resources import data_dir, ontology_dir
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
    store = in_memory_store()
    store.add_triples(ONTOLOGY_GRAPH, graph)
    inferred = hermit_inferences(store, [ONTOLOGY_GRAPH])
    assert (access, RDF.type, B21.ChannelAccess) in inferred
    assert all(o != OWL.Thing for _, _, o in inferred)


def test_a_reasoner_out_of_heap_says_which_setting_to_raise(ontology: Path) -> None:
    with pytest.raises(BuildError, match="out of its 4 MB of heap: raise BORDER21_JAVA_MEMORY"):
        check(ontology, VALID_DATA, java_memory=4)


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


def test_every_inference_rule_joins_at_most_one_premise_outside_the_schema() -> None:
    """What semi-naive inference assumes of `ontology/rules/` (see SCHEMA_PROPERTIES): a later
    round runs a rule on the new triples alone, with the schema and the transitive properties'
    triples, so a rule may join at most one other premise."""
    for path in sorted((ontology_dir() / "rules").glob("*.rq")):
        assert data_premises(path.read_text(encoding="utf-8")) <= 1, path.name
    # and the check sees a rule that joins two data premises, or reads schema it is not told of
    assert data_premises("CONSTRUCT { ?x b21:p ?z } WHERE { ?x b21:a ?y . ?y b21:b ?z }") == 2
    assert data_premises("CONSTRUCT { ?x a ?c } WHERE { ?x b21:p ?y . ?p owl:equivalentClass ?c }") == 2
    chained = "CONSTRUCT { ?x b21:q ?z } WHERE { ?p a owl:TransitiveProperty . ?x ?p ?y . ?y b21:q ?z }"
    assert data_premises(chained) == 2


def test_a_rule_joining_two_data_premises_is_applied_over_all_the_data_every_round(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Semi-naive rounds would miss `c grand a`: `b parent a` is stated, `c parent b` is
    concluded in the first round, and the second round would read only what the first added.
    A rule joining two data premises makes every round read all the data."""
    store = in_memory_store()
    ex = "https://example.org/"
    a, b, c = (rdflib.URIRef(ex + name) for name in "abc")
    parent, child = rdflib.URIRef(ex + "parent"), rdflib.URIRef(ex + "child")
    store.add_triples(ID["graph/test"], [(b, parent, a), (b, child, c)])
    rules = [
        ("parent", f"CONSTRUCT {{ ?y <{parent}> ?x }} WHERE {{ ?x <{child}> ?y }}"),
        ("grand", f"CONSTRUCT {{ ?a <{ex}grand> ?c }} WHERE {{ ?a <{parent}> ?b . ?b <{parent}> ?c }}"),
    ]
    materialise(store, rules)
    grand = store.select(f"SELECT ?x ?y WHERE {{ ?x <{ex}grand> ?y }}").rows
    assert {(row["x"], row["y"]) for row in grand} == {(c, a)}
    assert "inference_not_semi_naive rules=grand" in caplog.text
