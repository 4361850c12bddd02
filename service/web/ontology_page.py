"""The documentation a browser gets at /ontology: every class and property of the border21
ontology with its label, definition, domain, range and hierarchy, each under an anchor named
by its local name (https://w3id.org/border21/ontology#State is /ontology#State), and the SKOS
concept schemes of the vocabularies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from service.namespaces import B21, ONTOLOGY_GRAPH, ONTOLOGY_IRI, VANN
from service.sparql import sparql
from service.store.base import NTRIPLES, GraphStore
from service.web.resource_page import REUSED_LABELS, best_label, format_date, local_href, prefixed_name
from service.web.templates import (
    Alternate,
    Code,
    Fact,
    Facts,
    Inline,
    Items,
    Link,
    Page,
    Paragraph,
    Section,
    Subsections,
    Text,
)

# The kinds of term, in the order the page documents them: (type, section id, heading).
TERM_KINDS = (
    (OWL.Class, "classes", "Classes"),
    (OWL.ObjectProperty, "object-properties", "Object properties"),
    (OWL.DatatypeProperty, "datatype-properties", "Datatype properties"),
    (OWL.AnnotationProperty, "annotation-properties", "Annotation properties"),
)
CHARACTERISTICS = (
    (OWL.FunctionalProperty, "functional"),
    (OWL.InverseFunctionalProperty, "inverse functional"),
    (OWL.TransitiveProperty, "transitive"),
    (OWL.SymmetricProperty, "symmetric"),
)


@dataclass(frozen=True)
class Scheme:
    iri: URIRef
    label: str | None
    definition: str | None


@dataclass(frozen=True)
class Ontology:
    graph: Graph
    schemes: tuple[Scheme, ...]

    @property
    def version(self) -> str | None:
        value = self.graph.value(URIRef(ONTOLOGY_IRI), OWL.versionInfo)
        return None if value is None else str(value)


def read_ontology(store: GraphStore) -> Ontology:
    """The ontology graph as the store holds it (NotFound before a build loaded it), and the
    concept schemes of the vocabularies."""
    graph = Graph(bind_namespaces="none")
    graph.parse(data=store.graph_bytes(ONTOLOGY_GRAPH, NTRIPLES), format="nt")
    schemes = []
    for row in store.select(sparql("describe-schemes")).rows:
        scheme = row["scheme"]
        if isinstance(scheme, URIRef):
            label, definition = row["label"], row["definition"]
            schemes.append(
                Scheme(scheme, None if label is None else str(label), None if definition is None else str(definition))
            )
    unique = {scheme.iri: scheme for scheme in schemes}
    return Ontology(graph, tuple(sorted(unique.values(), key=lambda s: (s.label or str(s.iri)).casefold())))


def local_name(term: URIRef) -> str:
    return str(term)[len(str(B21)) :]


def own_terms(graph: Graph, kind: URIRef) -> list[URIRef]:
    """The ontology's own terms of one kind (a term of several kinds under the first)."""
    earlier = [k for k, _, _ in TERM_KINDS[: [k for k, _, _ in TERM_KINDS].index(kind)]]
    terms = [
        term
        for term in set(graph.subjects(RDF.type, kind))
        if isinstance(term, URIRef)
        and str(term).startswith(str(B21))
        and local_name(term)
        and not any((term, RDF.type, k) in graph for k in earlier)
    ]
    return sorted(terms, key=lambda t: (_label(graph, t).casefold(), str(t)))


def _label(graph: Graph, term: URIRef) -> str:
    labels = [v for v in graph.objects(term, RDFS.label) if isinstance(v, Literal)]
    return best_label(labels) or REUSED_LABELS.get(term) or prefixed_name(term)


def _text(graph: Graph, term: URIRef, prop: URIRef) -> str | None:
    return best_label(v for v in graph.objects(term, prop) if isinstance(v, Literal))


def _term_link(graph: Graph, term: URIRef) -> Inline:
    if str(term).startswith(str(B21)):
        return Link(_label(graph, term), f"#{local_name(term)}", title=prefixed_name(term))
    if term in (RDFS.Literal, XSD.string, XSD.boolean, XSD.anyURI, XSD.date, XSD.integer):
        return Code(prefixed_name(term))
    return Link(prefixed_name(term), str(term))


def _links(graph: Graph, terms: Iterable[object]) -> tuple[tuple[Inline, ...], ...]:
    named = sorted({t for t in terms if isinstance(t, URIRef)}, key=lambda t: (_label(graph, t).casefold(), str(t)))
    return tuple((_term_link(graph, t),) for t in named)


def _disjoint_with(graph: Graph, term: URIRef) -> set[URIRef]:
    others: set[URIRef] = set()
    for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = graph.value(group, OWL.members)
        classes = set(graph.items(members)) if members is not None else set()
        if term in classes:
            others |= {c for c in classes if isinstance(c, URIRef) and c != term}
    others |= {c for c in graph.objects(term, OWL.disjointWith) if isinstance(c, URIRef)}
    return others


def _term_facts(graph: Graph, term: URIRef, kind: URIRef) -> list[Fact]:
    rows: list[tuple[str, tuple[tuple[Inline, ...], ...]]] = []
    if kind == OWL.Class:
        rows += [
            ("superclasses", _links(graph, graph.objects(term, RDFS.subClassOf))),
            ("subclasses", _links(graph, graph.subjects(RDFS.subClassOf, term))),
            ("disjoint with", _links(graph, _disjoint_with(graph, term))),
            ("domain of", _links(graph, graph.subjects(RDFS.domain, term))),
            ("range of", _links(graph, graph.subjects(RDFS.range, term))),
        ]
    else:
        inverses = {*graph.objects(term, OWL.inverseOf), *graph.subjects(OWL.inverseOf, term)}
        characteristics = tuple((Text(name),) for kind_, name in CHARACTERISTICS if (term, RDF.type, kind_) in graph)
        rows += [
            ("domain", _links(graph, graph.objects(term, RDFS.domain))),
            ("range", _links(graph, graph.objects(term, RDFS.range))),
            ("inverse of", _links(graph, inverses)),
            ("superproperties", _links(graph, graph.objects(term, RDFS.subPropertyOf))),
            ("subproperties", _links(graph, graph.subjects(RDFS.subPropertyOf, term))),
            ("characteristics", characteristics),
        ]
    return [Fact(Text(name), values) for name, values in rows if values]


def _term_section(graph: Graph, term: URIRef, kind: URIRef) -> Section:
    blocks: list[Paragraph | Facts] = [Paragraph((Text("IRI "), Code(str(term))), role="iri")]
    definition = _text(graph, term, SKOS.definition)
    if definition:
        blocks.append(Paragraph((Text(definition),), role="definition"))
    facts = _term_facts(graph, term, kind)
    if facts:
        blocks.append(Facts(tuple(facts)))
    return Section(_label(graph, term), tuple(blocks), id=local_name(term))


def _about(ontology: Ontology) -> Section:
    graph, iri = ontology.graph, URIRef(ONTOLOGY_IRI)
    facts: list[Fact] = [Fact(Text("IRI"), ((Code(ONTOLOGY_IRI),),))]
    if ontology.version:
        facts.append(Fact(Text("version"), ((Text(ontology.version),),)))
    for prop, name in ((OWL.versionIRI, "version IRI"), (DCTERMS.license, "licence")):
        values = [v for v in graph.objects(iri, prop) if isinstance(v, URIRef)]
        if values:
            facts.append(Fact(Text(name), tuple((Link(str(v), local_href(v)),) for v in sorted(values))))
    created = graph.value(iri, DCTERMS.created)
    if created is not None:
        facts.append(Fact(Text("created"), ((Text(format_date(str(created))),),)))
    creator = _text(graph, iri, DCTERMS.creator)
    if creator:
        facts.append(Fact(Text("creator"), ((Text(creator),),)))
    prefix, namespace = graph.value(iri, VANN.preferredNamespacePrefix), graph.value(iri, VANN.preferredNamespaceUri)
    if prefix is not None and namespace is not None:
        facts.append(Fact(Text("preferred prefix"), ((Code(f"{prefix}: <{namespace}>"),),)))
    return Section("About", (Facts(tuple(facts)),), id="about")


def _contents(sections: list[Section]) -> Paragraph:
    parts: list[Inline] = [Text("Contents: ")]
    for index, section in enumerate(sections):
        if index:
            parts.append(Text(" · "))
        parts.append(Link(section.heading, f"#{section.id}"))
    return Paragraph(tuple(parts), role="contents")


def ontology_page(ontology: Ontology, alternates: tuple[Alternate, ...]) -> Page:
    graph, iri = ontology.graph, URIRef(ONTOLOGY_IRI)
    title = _text(graph, iri, DCTERMS.title) or _label(graph, iri)
    intro = []
    description = _text(graph, iri, DCTERMS.description)
    if description:
        intro.append(Paragraph((Text(description),), role="lead"))

    sections = [_about(ontology)]
    for kind, section_id, heading in TERM_KINDS:
        terms = own_terms(graph, kind)
        if terms:
            index = Items(tuple((_term_link(graph, t),) for t in terms), noun="terms")
            details = Subsections(tuple(_term_section(graph, t, kind) for t in terms))
            sections.append(Section(f"{heading} ({len(terms)})", (index, details), id=section_id))
    if ontology.schemes:
        items = tuple(
            (
                Link(s.label or prefixed_name(s.iri), local_href(s.iri)),
                *((Text(f": {s.definition}"),) if s.definition else ()),
            )
            for s in ontology.schemes
        )
        note = Paragraph((Text("The capabilities and participation modes are SKOS concepts, in these schemes:"),))
        sections.append(Section("Concept schemes", (note, Items(items, noun="schemes")), id="schemes"))
    intro.append(_contents(sections))
    return Page(title=title, intro=tuple(intro), sections=tuple(sections), alternates=alternates)
