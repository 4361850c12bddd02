"""OWL reasoning at build time.

HermiT (through owlready2, which needs Java and reads N-Triples, not Turtle) decides whether
the ontology and data are consistent and classifies the individuals; the rules in
`ontology/rules/` then materialise what queries need (subclass, subproperty, inverse,
symmetric, transitive, domain and range) into the inferred graph, to a fixpoint.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.paths import Path as RdfPath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from service.errors import BuildError, ValidationFailed
from service.namespaces import DERIVED_GRAPH, INFERRED_GRAPH, PREFIXES
from service.sparql import sparql
from service.store import Triple, in_memory_store
from service.store.oxigraph import OxigraphStore

logger = logging.getLogger(__name__)

MAX_ROUNDS = 50
DEFAULT_JAVA_MEMORY = 2000  # MB, owlready2's own default
INFERENCES = "http://inferrences/"  # sic: owlready2's name for the reasoner's ontology


def _java(java: str | None) -> str:
    found = java or shutil.which("java")
    if not found:
        raise BuildError("the HermiT reasoner needs Java: put `java` on PATH or set BORDER21_JAVA")
    return found


def hermit_inferences(
    store: OxigraphStore, graphs: list[URIRef], java: str | None = None, java_memory: int = DEFAULT_JAVA_MEMORY
) -> list[Triple]:
    """Run HermiT (with `java_memory` MB of heap) on the triples of `graphs`; return the class
    assertions it infers, or raise ValidationFailed naming what makes them inconsistent."""
    import owlready2  # imported here: loading it starts its own quadstore machinery

    owlready2.JAVA_EXE = _java(java)
    owlready2.reasoning.JAVA_MEMORY = java_memory
    with tempfile.TemporaryDirectory(prefix="border21-hermit-") as scratch:
        ntriples = Path(scratch) / "closure.nt"
        store.write_ntriples(ntriples, graphs)
        # owlready2's quadstore on disk, not in memory: it holds every triple once more
        world = owlready2.World(filename=str(Path(scratch) / "world.sqlite3"))
        try:
            ontology = world.get_ontology(ntriples.as_uri()).load(format="ntriples")
            # outside a `with ontology:` block, owlready2 keeps what the reasoner adds in an
            # ontology of its own, which is all that needs reading back
            owlready2.sync_reasoner_hermit(
                [ontology], infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
            )
            added = world.as_rdflib_graph().get_context(world.get_ontology(INFERENCES))
            inferred = [
                (s, p, o)
                for s, p, o in added.triples((None, RDF.type, None))
                if isinstance(s, URIRef) and isinstance(o, URIRef) and o not in (OWL.Thing, OWL.Ontology)
            ]
        except owlready2.OwlReadyInconsistentOntologyError as error:
            raise ValidationFailed(
                "the ontology and data are inconsistent (HermiT)", explain_inconsistency(store)
            ) from error
        except owlready2.OwlReadyJavaError as error:
            logger.error("event=hermit_failed", exc_info=True)
            if "OutOfMemoryError" in str(error):
                raise BuildError(
                    f"HermiT ran out of its {java_memory} MB of heap: raise BORDER21_JAVA_MEMORY"
                ) from error
            raise BuildError("HermiT could not run; see the log for Java's output") from error
        finally:
            world.close()
    return sorted(inferred)


def explain_inconsistency(store: OxigraphStore) -> list[str]:
    """Name the individuals that belong to disjoint classes: the usual cause, and the one a
    curator can fix by reading the message."""
    reasons = [
        f"{row['x']} is an instance of both {row['a']} and {row['b']}, which are disjoint"
        for row in store.select(sparql("disjoint-members")).rows
    ]
    return reasons or [
        "HermiT found a contradiction that is not a plain disjointness clash; "
        "run HermiT on the N-Triples export to see it"
    ]


def load_rules(rules_dir: Path) -> list[tuple[str, str]]:
    rules = [(path.stem, path.read_text(encoding="utf-8")) for path in sorted(rules_dir.glob("*.rq"))]
    if not rules:
        raise BuildError(f"no inference rules in {rules_dir}")
    return rules


# What the rules' schema premises read (`?class rdfs:subClassOf+ ?super`, `?p a
# owl:TransitiveProperty`, ...). Every rule has at most one premise besides these, except
# transitivity, whose second premise is a transitive property's triple.
SCHEMA_PROPERTIES = (RDFS.subClassOf, RDFS.subPropertyOf, OWL.inverseOf, RDFS.domain, RDFS.range)
SCHEMA_CLASSES = (OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.ObjectProperty)
_SCHEMA = (
    "CONSTRUCT { ?s ?p ?o } WHERE {"
    f" {{ VALUES ?p {{ {' '.join(f'<{p}>' for p in SCHEMA_PROPERTIES)} }} ?s ?p ?o }}"
    f" UNION {{ VALUES ?o {{ {' '.join(f'<{c}>' for c in SCHEMA_CLASSES)} }} ?s a ?o BIND (rdf:type AS ?p) }}"
    " }"
)
_TRANSITIVE = "CONSTRUCT { ?x ?p ?y } WHERE { ?p a owl:TransitiveProperty . ?x ?p ?y }"
_SCHEMA_PROPERTY_IRIS = frozenset(str(p) for p in SCHEMA_PROPERTIES)
_SCHEMA_CLASS_IRIS = frozenset(str(c) for c in SCHEMA_CLASSES)


def data_premises(rule: str) -> int:
    """The most premises outside the schema any solution of the CONSTRUCT rule `rule` joins:
    what semi-naive inference needs to be at most 1 (a later round runs a rule over the new
    triples alone, beside the schema and the transitive properties' triples). A premise is of
    the schema when it reads SCHEMA_PROPERTIES (as a property, a property path of them or a
    variable bound to them by VALUES) or a type among SCHEMA_CLASSES; a rule joining only
    transitive properties' triples besides counts 0, as they are all at hand in a later round."""
    algebra = prepareQuery(rule, initNs=dict(PREFIXES)).algebra
    bgps: list[CompValue] = []
    values: list[dict[Variable, object]] = []

    def walk(node: object) -> None:
        if isinstance(node, CompValue):
            if node.name == "BGP":
                bgps.append(node)
            if node.name == "values":
                values.extend(node["res"])
        for child in _children(node):
            walk(child)

    walk(algebra)
    transitive = {s for bgp in bgps for s, p, o in bgp["triples"] if p == RDF.type and o == OWL.TransitiveProperty}
    bound = {name for row in values for name in row}
    schema_variables = {
        name for name in bound if all(row.get(name) in SCHEMA_PROPERTIES for row in values if name in row)
    }
    data = _premises(algebra, lambda p, o: _is_schema_premise(p, o, set(), schema_variables))
    other = _premises(algebra, lambda p, o: _is_schema_premise(p, o, transitive, schema_variables))
    return data if other else 0


def _children(node: object) -> Iterable[object]:
    return node.values() if isinstance(node, dict) else node if isinstance(node, list | tuple) else ()


def _premises(node: object, schema: Callable[[object, object], bool]) -> int:
    """How many premises of one solution of an algebra node `schema` does not accept: a
    UNION's branches are alternatives (the larger counts), everything else joins (they add)."""
    if isinstance(node, CompValue) and node.name == "BGP":
        return sum(not schema(p, o) for _, p, o in node["triples"])
    if isinstance(node, CompValue) and node.name == "Union":
        return max(_premises(node[side], schema) for side in ("p1", "p2"))
    return sum(_premises(child, schema) for child in _children(node))


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


def _is_schema(triple: ox.Triple) -> bool:
    p, o = triple.predicate.value, triple.object
    return p in _SCHEMA_PROPERTY_IRIS or (
        p == str(RDF.type) and isinstance(o, ox.NamedNode) and o.value in _SCHEMA_CLASS_IRIS
    )


def _round(source: OxigraphStore, store: OxigraphStore, rules: list[tuple[str, str]]) -> set[ox.Triple]:
    """What the rules conclude over `source` that `store` does not hold yet."""
    fresh: set[ox.Triple] = set()
    for name, rule in rules:
        for triple in source.construct_native(rule):
            if triple not in fresh and not store.holds_native(triple):
                fresh.add(triple)
        logger.debug("event=rule_applied rule=%s", name)
    return fresh


def _closure(triples: list[ox.Triple], rules: list[tuple[str, str]]) -> set[ox.Triple]:
    """Everything the rules conclude from `triples` alone, to a fixpoint."""
    scratch = in_memory_store()
    scratch.add_native(INFERRED_GRAPH, triples)
    concluded: set[ox.Triple] = set()
    for _ in range(MAX_ROUNDS):
        fresh = _round(scratch, scratch, rules)
        if not fresh:
            return concluded
        scratch.add_native(INFERRED_GRAPH, fresh)
        concluded |= fresh
    raise BuildError(f"inference did not reach a fixpoint in {MAX_ROUNDS} rounds")


def materialise(store: OxigraphStore, rules: list[tuple[str, str]]) -> int:
    """Apply the CONSTRUCT rules over the union of all graphs until nothing new appears;
    add the new triples to the inferred graph. Returns how many were added.

    Semi-naive: the schema's own closure comes first; then one round over all the data; each
    later round runs over what the round before added, with the schema and the transitive
    properties' triples beside it: a conclusion that is new has a premise that is new, and
    each rule's other premises are in that company (see SCHEMA_PROPERTIES). A round after one
    that added to the schema runs over all the data again. When a rule joins more than one
    premise besides those (`data_premises`), semi-naive rounds could miss conclusions: every
    round then reads all the data."""
    joining = [name for name, rule in rules if data_premises(rule) > 1]
    if joining:
        logger.warning("event=inference_not_semi_naive rules=%s", ",".join(joining))
    schema_closure = [t for t in _closure(store.construct_native(_SCHEMA), rules) if not store.holds_native(t)]
    total = store.add_native(INFERRED_GRAPH, schema_closure)
    added: set[ox.Triple] | None = None  # None: the next round reads all the data
    for _ in range(MAX_ROUNDS):
        if added is None:
            fresh = _round(store, store, rules)
        else:
            company = in_memory_store()
            company.add_native(INFERRED_GRAPH, added)
            company.add_native(INFERRED_GRAPH, store.construct_native(_SCHEMA))
            company.add_native(INFERRED_GRAPH, store.construct_native(_TRANSITIVE))
            fresh = _round(company, store, rules)
            company.close()
        if not fresh:
            return total
        total += store.add_native(INFERRED_GRAPH, fresh)
        added = None if joining or any(_is_schema(triple) for triple in fresh) else fresh
    raise BuildError(f"inference did not reach a fixpoint in {MAX_ROUNDS} rounds")


def infer_and_derive(store: OxigraphStore, ontology_dir: Path) -> tuple[int, int]:
    """The build's rules over every graph of `store`: the inference rules into the inferred
    graph, then the cooperation rules into the derived graph. Returns how many triples each
    added."""
    inferred = materialise(store, load_rules(ontology_dir / "rules"))
    derived = derive_cooperation(store, load_rules(ontology_dir / "rules" / "cooperation"))
    return inferred, derived


def derive_cooperation(
    store: OxigraphStore, rules: list[tuple[str, str]], checkpoint: Callable[[], None] | None = None
) -> int:
    """Apply the cooperation rules once each, in order (each may use what the ones before it
    wrote), into the derived graph. Returns the number of triples derived. `checkpoint` is
    called before each rule (and may raise to stop)."""
    total = 0
    for name, rule in rules:
        if checkpoint is not None:
            checkpoint()
        derived = {triple for triple in store.construct_native(rule) if not store.holds_native(triple)}
        total += store.add_native(DERIVED_GRAPH, derived)
        logger.debug("event=cooperation_rule rule=%s triples=%d", name, len(derived))
    return total
