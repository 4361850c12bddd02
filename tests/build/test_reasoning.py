"""OWL consistency with HermiT: the ontology and data are consistent; contradictions are caught."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF
from rdflib.paths import Path as RdfPath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from service.build.pipeline import check
from service.build.reasoning import SCHEMA_CLASSES, SCHEMA_PROPERTIES, hermit_inferences, load_rules, materialise
from service.build.sources import discover
from service.errors import BuildError, ValidationFailed
from service.generate import generate
from service.namespaces import B21, ID, INFERRED_GRAPH, ONTOLOGY_GRAPH, PREFIXES
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


def _data_premises(node: object, schema: Callable[[object, object], bool]) -> int:
    """How many premises of one solution of an algebra node `schema` does not accept: a
    UNION's branches are alternatives (the larger counts), everything else joins (they add)."""
    if isinstance(node, CompValue) and node.name == "BGP":
        return sum(not schema(p, o) for _, p, o in node["triples"])
    if isinstance(node, CompValue) and node.name == "Union":
        return max(_data_premises(node[side], schema) for side in ("p1", "p2"))
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list | tuple) else ()
    return sum(_data_premises(child, schema) for child in children)


def _is_schema_premise(p: object, o: object, transitive: set[Variable], schema_variables: set[Variable]) -> bool:
    if isinstance(p, RdfPath):
        return all(term in SCHEMA_PROPERTIES for term in _path_terms(p))
    if isinstance(p, Variable):  # bound to schema properties, or a transitive property's triple
        return p in schema_variables or p in transitive
    return p in SCHEMA_PROPERTIES or (p == RDF.type and o in SCHEMA_CLASSES)


def _path_terms(path: object) -> list[object]:
    if isinstance(path, RdfPath):
        parts = [getattr(path, name) for name in ("path", "arg") if hasattr(path, name)]
        parts += list(getattr(path, "args", ()))
        return [term for part in parts for term in _path_terms(part)]
    return [path]


def _premise_check(text: str) -> int:
    """The most data premises any solution of the rule `text` joins."""
    algebra = prepareQuery(text, initNs=dict(PREFIXES)).algebra
    bgps: list[CompValue] = []
    values: list[dict[Variable, object]] = []

    def walk(node: object) -> None:
        if isinstance(node, CompValue):
            if node.name == "BGP":
                bgps.append(node)
            if node.name == "values":
                values.extend(node["res"])
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list | tuple) else ()
        for child in children:
            walk(child)

    walk(algebra)
    transitive = {s for bgp in bgps for s, p, o in bgp["triples"] if p == RDF.type and o == OWL.TransitiveProperty}
    bound = {name for row in values for name in row}
    schema_variables = {
        name for name in bound if all(row.get(name) in SCHEMA_PROPERTIES for row in values if name in row)
    }
    data = _data_premises(algebra, lambda p, o: _is_schema_premise(p, o, set(), schema_variables))
    other = _data_premises(algebra, lambda p, o: _is_schema_premise(p, o, transitive, schema_variables))
    # A later round has every transitive property's triple at hand: a rule joining only those
    # sees all it needs; one joining them with other data sees only the new of the other.
    return data if other else 0


def test_every_inference_rule_joins_at_most_one_premise_outside_the_schema() -> None:
    """What semi-naive inference assumes of `ontology/rules/` (see SCHEMA_PROPERTIES): a later
    round runs a rule on the new triples alone, with the schema and the transitive properties'
    triples, so a rule may join at most one other premise."""
    for path in sorted((ontology_dir() / "rules").glob("*.rq")):
        assert _premise_check(path.read_text(encoding="utf-8")) <= 1, path.name
    # and the check sees a rule that joins two data premises, or reads schema it is not told of
    assert _premise_check("CONSTRUCT { ?x b21:p ?z } WHERE { ?x b21:a ?y . ?y b21:b ?z }") == 2
    assert _premise_check("CONSTRUCT { ?x a ?c } WHERE { ?x b21:p ?y . ?p owl:equivalentClass ?c }") == 2
    chained = "CONSTRUCT { ?x b21:q ?z } WHERE { ?p a owl:TransitiveProperty . ?x ?p ?y . ?y b21:q ?z }"
    assert _premise_check(chained) == 2
