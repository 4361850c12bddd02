"""The IRIs the project mints and the vocabularies it reuses."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

BASE = "https://w3id.org/border21/"
B21 = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
ORG = Namespace("http://www.w3.org/ns/org#")
CV = Namespace("http://data.europa.eu/m8g/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")
VOID = Namespace("http://rdfs.org/ns/void#")
VANN = Namespace("http://purl.org/vocab/vann/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

ONTOLOGY_IRI = BASE + "ontology"
ONTOLOGY_GRAPH = GRAPH["ontology"]
INFERRED_GRAPH = GRAPH["inferred"]
DERIVED_GRAPH = GRAPH["derived"]
PROVENANCE_GRAPH = GRAPH["provenance"]

# Prefixes predeclared for SPARQL and used in serialisations. A prefix outside this list in
# the ontology, vocabularies or data is a mistake (tests hold the sources to it).
PREFIXES: dict[str, str] = {
    "b21": str(B21),
    "org": str(ORG),
    "cv": str(CV),
    "eli": str(ELI),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "time": str(TIME),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "sh": str(SH),
    "void": str(VOID),
    "vann": str(VANN),
    "sd": str(SD),
}

# Namespaces of the resources the dataset mints, by kind; prefixes the data files may bind.
RESOURCE_KINDS = (
    "state",
    "organisation",
    "agency",
    "instrument",
    "participation",
    "channel",
    "access",
    "function",
    "crime-area",
    "data-category",
    "participation-mode",
    "scheme",
    "link",
)


def resource_namespace(kind: str) -> str:
    return f"{ID}{kind}/"


def sparql_prologue() -> str:
    """PREFIX lines for every predeclared prefix, for queries the project itself writes."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
