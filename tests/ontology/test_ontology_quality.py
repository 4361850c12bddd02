"""The ontology, vocabularies and shapes as code: labelled, defined, declared, known prefixes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TypeGuard

import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Literal, Node, URIRef

from service.namespaces import B21, ONTOLOGY_IRI, PREFIXES, RESOURCE_KINDS, VANN, resource_namespace
from service.resources import data_dir, ontology_dir

REPO = Path(__file__).resolve().parents[2]
VALID_FIXTURE = REPO / "tests" / "fixtures" / "data" / "valid"
SHAPES_NAMESPACE = "https://w3id.org/border21/shapes#"
BUILT_IN = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
PROPERTY_TYPES = (
    *PROPERTY_KINDS,
    RDF.Property,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
)
# `@prefix p: <iri> .` (Turtle) or `PREFIX p: <iri>` (SPARQL style, any case).
PREFIX_LINE = re.compile(r"^\s*(?:@prefix|(?i:prefix))\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.MULTILINE)


def _turtle_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.ttl")) if root.is_dir() else []


def _source_files() -> list[Path]:
    """The ontology, vocabularies, shapes and curated data: the files a build reads."""
    return _turtle_files(ontology_dir()) + _turtle_files(data_dir())


def _b21_user_files() -> list[Path]:
    return _source_files() + _turtle_files(VALID_FIXTURE)


def _file_id(path: Path) -> str:
    return path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else path.as_posix()


def _is_b21(node: Node) -> TypeGuard[URIRef]:
    return isinstance(node, URIRef) and str(node).startswith(str(B21)) and str(node) != str(B21)


@cache
def _parsed(path: Path) -> rdflib.Graph:
    return rdflib.Graph(bind_namespaces="none").parse(path, format="turtle")


@cache
def _ontology() -> rdflib.Graph:
    return _parsed(ontology_dir() / "border21.ttl")


@cache
def _vocabularies() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in _turtle_files(ontology_dir() / "vocab"):
        graph += _parsed(path)
    return graph


def _prefixed(node: Node) -> str:
    text = str(node)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and text != namespace:
            return f"{prefix}:{text[len(namespace) :]}"
    for kind in RESOURCE_KINDS:
        namespace = resource_namespace(kind)
        if text.startswith(namespace):
            return f"{kind}:{text[len(namespace) :]}"
    return text


def _is_english(value: Node) -> bool:
    language = value.language if isinstance(value, Literal) else None
    return language is not None and (language.lower() == "en" or language.lower().startswith("en-"))


def _b21_terms() -> list[URIRef]:
    graph = _ontology()
    return sorted({subject for subject in graph.subjects(RDF.type, None) if _is_b21(subject)})


def _declared_properties() -> list[URIRef]:
    """Every property the ontology types as one, or relates to another as a property."""
    graph = _ontology()
    properties: set[Node] = set()
    for kind in PROPERTY_TYPES:
        properties.update(graph.subjects(RDF.type, kind))
    for relation in (RDFS.subPropertyOf, OWL.inverseOf, OWL.equivalentProperty, OWL.propertyDisjointWith):
        for subject, value in graph.subject_objects(relation):
            properties.update((subject, value))
    return sorted(p for p in properties if isinstance(p, URIRef) and not str(p).startswith(BUILT_IN))


def _concepts() -> list[URIRef]:
    return sorted(c for c in _vocabularies().subjects(RDF.type, SKOS.Concept) if isinstance(c, URIRef))


def _ancestors(concept: Node) -> Iterator[Node]:
    graph, seen, frontier = _vocabularies(), set(), [concept]
    while frontier:
        for parent in graph.objects(frontier.pop(), SKOS.broader):
            if parent not in seen:
                seen.add(parent)
                frontier.append(parent)
                yield parent


# ---------------------------------------------------------------------------------------
# The ontology header
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "annotation",
    [DCTERMS.title, DCTERMS.description, DCTERMS.license, OWL.versionIRI, OWL.versionInfo],
    ids=_prefixed,
)
def test_header_has(annotation: URIRef) -> None:
    ontology = URIRef(ONTOLOGY_IRI)
    assert (ontology, RDF.type, OWL.Ontology) in _ontology()
    assert _ontology().value(ontology, annotation) is not None


def test_header_names_its_version_by_an_iri_that_ends_in_the_version() -> None:
    ontology = URIRef(ONTOLOGY_IRI)
    version_iri = _ontology().value(ontology, OWL.versionIRI)
    version = _ontology().value(ontology, OWL.versionInfo)
    assert isinstance(version_iri, URIRef)
    assert str(version_iri) == f"{ONTOLOGY_IRI}/{version}"


def test_header_gives_the_preferred_prefix_and_namespace() -> None:
    ontology = URIRef(ONTOLOGY_IRI)
    assert _ontology().value(ontology, VANN.preferredNamespacePrefix) == Literal("b21")
    assert str(_ontology().value(ontology, VANN.preferredNamespaceUri)) == str(B21) == PREFIXES["b21"]


# ---------------------------------------------------------------------------------------
# Every b21: term is labelled and defined in English
# ---------------------------------------------------------------------------------------


def test_the_ontology_declares_b21_terms() -> None:
    assert len(_b21_terms()) > 50


@pytest.mark.parametrize("term", _b21_terms(), ids=_prefixed)
def test_term_has_one_english_label(term: URIRef) -> None:
    labels = list(_ontology().objects(term, RDFS.label))
    assert len(labels) == 1
    assert _is_english(labels[0])


@pytest.mark.parametrize("term", _b21_terms(), ids=_prefixed)
def test_term_has_one_english_definition(term: URIRef) -> None:
    definitions = list(_ontology().objects(term, SKOS.definition))
    assert len(definitions) == 1
    assert _is_english(definitions[0])


# ---------------------------------------------------------------------------------------
# The SKOS vocabularies
# ---------------------------------------------------------------------------------------


def test_every_vocabulary_file_holds_a_scheme_and_concepts() -> None:
    for path in _turtle_files(ontology_dir() / "vocab"):
        graph = _parsed(path)
        assert len(set(graph.subjects(RDF.type, SKOS.ConceptScheme))) == 1, path.name
        assert set(graph.subjects(RDF.type, SKOS.Concept)), path.name


@pytest.mark.parametrize("concept", _concepts(), ids=_prefixed)
def test_concept_has_one_english_pref_label(concept: URIRef) -> None:
    labels = list(_vocabularies().objects(concept, SKOS.prefLabel))
    assert len(labels) == 1
    assert _is_english(labels[0])


@pytest.mark.parametrize("concept", _concepts(), ids=_prefixed)
def test_concept_has_one_definition(concept: URIRef) -> None:
    assert len(list(_vocabularies().objects(concept, SKOS.definition))) == 1


@pytest.mark.parametrize("concept", _concepts(), ids=_prefixed)
def test_concept_is_in_exactly_one_scheme_that_exists(concept: URIRef) -> None:
    # skos:topConceptOf is a sub-property of skos:inScheme: a top concept is in that scheme too.
    schemes = set(_vocabularies().objects(concept, SKOS.inScheme))
    schemes |= set(_vocabularies().objects(concept, SKOS.topConceptOf))
    assert len(schemes) == 1
    assert (schemes.pop(), RDF.type, SKOS.ConceptScheme) in _vocabularies()


@pytest.mark.parametrize("concept", _concepts(), ids=_prefixed)
def test_broader_concepts_exist(concept: URIRef) -> None:
    missing = [
        _prefixed(parent)
        for parent in _vocabularies().objects(concept, SKOS.broader)
        if (parent, RDF.type, SKOS.Concept) not in _vocabularies()
    ]
    assert missing == []


@pytest.mark.parametrize("concept", _concepts(), ids=_prefixed)
def test_concept_is_not_its_own_ancestor(concept: URIRef) -> None:
    assert _prefixed(concept) not in {_prefixed(ancestor) for ancestor in _ancestors(concept)}


# ---------------------------------------------------------------------------------------
# Prefixes: every one is known
# ---------------------------------------------------------------------------------------


def _declared_prefixes(path: Path) -> list[tuple[str, str]]:
    return PREFIX_LINE.findall(path.read_text(encoding="utf-8"))


def _prefix_problem(path: Path, name: str, namespace: str) -> str | None:
    if name in PREFIXES:
        return None if PREFIXES[name] == namespace else f"{name}: binds <{namespace}>, not <{PREFIXES[name]}>"
    if namespace in {resource_namespace(kind) for kind in RESOURCE_KINDS}:
        return None
    if path.parent.name == "shapes" and namespace == SHAPES_NAMESPACE:
        return None
    return f"{name}: <{namespace}> is neither an allowed prefix nor a resource namespace"


def test_there_are_source_files() -> None:
    names = {_file_id(path) for path in _source_files()}
    assert "ontology/border21.ttl" in names
    assert "ontology/shapes/border21-shapes.ttl" in names


@pytest.mark.parametrize("path", _source_files(), ids=_file_id)
def test_every_prefix_is_known(path: Path) -> None:
    problems = [
        problem for name, namespace in _declared_prefixes(path) if (problem := _prefix_problem(path, name, namespace))
    ]
    assert problems == []


@pytest.mark.parametrize("path", _source_files(), ids=_file_id)
def test_prefix_lines_are_all_the_bindings_the_parser_sees(path: Path) -> None:
    # Guards the text scan above: a binding it cannot read would escape the allow-list.
    scanned = set(_declared_prefixes(path))
    parsed = {(name, str(namespace)) for name, namespace in _parsed(path).namespaces()}
    assert parsed <= scanned


# ---------------------------------------------------------------------------------------
# Every b21: IRI used anywhere is defined (catches b21:startdate for b21:startDate)
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", _b21_user_files(), ids=_file_id)
def test_every_b21_iri_used_is_defined(path: Path) -> None:
    defined = set(_b21_terms())
    used = {node for triple in _parsed(path) for node in triple if _is_b21(node)}
    assert sorted(_prefixed(node) for node in used - defined) == []


# ---------------------------------------------------------------------------------------
# OWL 2 DL: declarations
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("prop", _declared_properties(), ids=_prefixed)
def test_property_is_exactly_one_kind(prop: URIRef) -> None:
    kinds = [_prefixed(kind) for kind in PROPERTY_KINDS if (prop, RDF.type, kind) in _ontology()]
    assert len(kinds) == 1, kinds


def test_all_disjoint_classes_name_declared_classes() -> None:
    graph = _ontology()
    axioms = list(graph.subjects(RDF.type, OWL.AllDisjointClasses))
    assert axioms
    for axiom in axioms:
        head = graph.value(axiom, OWL.members)
        assert head is not None
        members = list(Collection(graph, head))
        assert len(members) >= 2
        assert [_prefixed(m) for m in members if (m, RDF.type, OWL.Class) not in graph] == []


def test_class_axioms_name_declared_classes() -> None:
    graph = _ontology()
    named = [c for _, c in graph.subject_objects(RDFS.subClassOf)]
    for prop in graph.subjects(RDF.type, OWL.ObjectProperty):
        named += [*graph.objects(prop, RDFS.domain), *graph.objects(prop, RDFS.range)]
    named += [d for p in graph.subjects(RDF.type, OWL.DatatypeProperty) for d in graph.objects(p, RDFS.domain)]
    assert sorted({_prefixed(c) for c in named if (c, RDF.type, OWL.Class) not in graph}) == []


@pytest.mark.parametrize(
    "path", [p for p in _source_files() if p.parent.name != "shapes" and p.name != "border21.ttl"], ids=_file_id
)
def test_vocabularies_and_data_use_only_declared_terms(path: Path) -> None:
    """Predicates and classes used outside the ontology are declared in it (OWL 2 DL typing)."""
    graph, ontology = _parsed(path), _ontology()
    declared = set(ontology.subjects(RDF.type, None))
    used = set(graph.predicates()) | set(graph.objects(None, RDF.type))
    assert sorted(_prefixed(t) for t in used if t not in declared and not str(t).startswith(BUILT_IN)) == []
