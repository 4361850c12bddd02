"""SPARQL query results in the four W3C formats, written from and read into rdflib terms.

- SPARQL 1.1 Query Results JSON Format: https://www.w3.org/TR/sparql11-results-json/
- SPARQL Query Results XML Format (Second Edition): https://www.w3.org/TR/rdf-sparql-XMLres/
- SPARQL 1.1 Query Results CSV and TSV Formats: https://www.w3.org/TR/sparql11-results-csv-tsv/

Engine-free on purpose: the embedded backend and the remote one write their results through
the same functions, so a client sees the same bytes whichever store answers. Where the specs
leave a choice (TSV's abbreviated numbers, line ends, the CSV/TSV of an ASK result) the choice
is Oxigraph's, the engine the service embeds.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rdflib.namespace import RDF, XSD
from rdflib.term import BNode, Literal, URIRef

from service.errors import NotAcceptable
from service.store.base import RESULTS_CSV, RESULTS_JSON, RESULTS_TSV, RESULTS_XML, SelectResult, Term

RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RESULTS_MEDIA_TYPES = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)

_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)


# -- writing ----------------------------------------------------------------------------------


def serialize_select(result: SelectResult, media_type: str) -> bytes:
    """The solutions of a SELECT query in `media_type`, one of the four results formats."""
    return _writer(media_type)[0](result)


def serialize_boolean(value: bool, media_type: str) -> bytes:
    """The answer of an ASK query in `media_type`. CSV and TSV have no boolean form in the
    spec; like Oxigraph (and Jena), they are the bare word `true` or `false`."""
    return _writer(media_type)[1](value)


def _writer(media_type: str) -> tuple[Callable[[SelectResult], bytes], Callable[[bool], bytes]]:
    writers: dict[str, tuple[Callable[[SelectResult], bytes], Callable[[bool], bytes]]] = {
        RESULTS_JSON: (_select_json, _boolean_json),
        RESULTS_XML: (_select_xml, _boolean_xml),
        RESULTS_CSV: (_select_csv, _boolean_word),
        RESULTS_TSV: (_select_tsv, _boolean_word),
    }
    try:
        return writers[media_type]
    except KeyError:
        raise NotAcceptable(f"query results cannot be written as {media_type}") from None


def _plain_datatype(literal: Literal) -> str | None:
    """The datatype IRI a results format should state: none for simple literals (RDF 1.1
    makes "x" and "x"^^xsd:string one term) and for language-tagged ones."""
    if literal.language or literal.datatype is None or str(literal.datatype) == _XSD_STRING:
        return None
    return str(literal.datatype)


# JSON


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    encoded = {"type": "literal", "value": str(term)}
    if term.language:
        encoded["xml:lang"] = term.language
    elif (datatype := _plain_datatype(term)) is not None:
        encoded["datatype"] = datatype
    return encoded


def _select_json(result: SelectResult) -> bytes:
    bindings = [
        {name: _json_term(value) for name in result.variables if (value := row.get(name)) is not None}
        for row in result.rows
    ]
    document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _boolean_json(value: bool) -> bytes:
    return json.dumps({"head": {}, "boolean": value}, separators=(",", ":")).encode("utf-8")


# XML

# Characters XML 1.0 cannot carry at all, not even as a character reference.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    if _NOT_XML.search(text):
        raise NotAcceptable("the result holds characters XML 1.0 cannot represent; ask for JSON instead")
    # \r as a reference, so an XML parser's line-end normalisation keeps it.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _xml_attribute(text: str) -> str:
    # Attribute-value normalisation would turn raw tabs and newlines into spaces.
    escaped = _xml_text(text).replace('"', "&quot;")
    return escaped.replace("\t", "&#9;").replace("\n", "&#10;")


def _xml_term(term: Term) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{_xml_text(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{_xml_text(str(term))}</bnode>"
    attributes = ""
    if term.language:
        attributes = f' xml:lang="{_xml_attribute(term.language)}"'
    elif (datatype := _plain_datatype(term)) is not None:
        attributes = f' datatype="{_xml_attribute(datatype)}"'
    return f"<literal{attributes}>{_xml_text(str(term))}</literal>"


_XML_START = f'<?xml version="1.0"?><sparql xmlns="{RESULTS_NS}">'


def _select_xml(result: SelectResult) -> bytes:
    parts = [_XML_START, "<head>"]
    parts.extend(f'<variable name="{_xml_attribute(name)}"/>' for name in result.variables)
    parts.append("</head><results>")
    for row in result.rows:
        parts.append("<result>")
        for name in result.variables:
            value = row.get(name)
            if value is not None:
                parts.append(f'<binding name="{_xml_attribute(name)}">{_xml_term(value)}</binding>')
        parts.append("</result>")
    parts.append("</results></sparql>")
    return "".join(parts).encode("utf-8")


def _boolean_xml(value: bool) -> bytes:
    return f"{_XML_START}<head></head><boolean>{'true' if value else 'false'}</boolean></sparql>".encode()


# CSV and TSV


def _boolean_word(value: bool) -> bytes:
    return b"true" if value else b"false"


class _BlankLabels:
    """Blank node labels for CSV and TSV, `b0`, `b1`, ... in order of appearance: the labels
    are scoped to the result, and an engine's own (Virtuoso's `nodeID://b1000`) need not be
    valid Turtle."""

    def __init__(self) -> None:
        self._labels: dict[BNode, str] = {}

    def __call__(self, node: BNode) -> str:
        return "_:" + self._labels.setdefault(node, f"b{len(self._labels)}")


def _csv_field(text: str) -> str:
    # RFC 4180: quote a field holding a comma, a quote or a line break; double the quotes.
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _select_csv(result: SelectResult) -> bytes:
    label = _BlankLabels()

    def field(term: Term | None) -> str:
        if term is None:
            return ""
        if isinstance(term, BNode):
            return label(term)
        return _csv_field(str(term))

    lines = [",".join(_csv_field(name) for name in result.variables)]
    lines.extend(",".join(field(row.get(name)) for name in result.variables) for row in result.rows)
    return "".join(line + "\r\n" for line in lines).encode("utf-8")


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
# Turtle's INTEGER and DECIMAL productions, which TSV may write bare; Turtle's DOUBLE needs an
# exponent, which canonical doubles lack, so doubles keep their datatype (as Oxigraph does).
_TURTLE_NUMBER = {
    str(XSD.integer): re.compile(r"[+-]?[0-9]+"),
    str(XSD.decimal): re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    str(XSD.boolean): re.compile(r"true|false"),
}


def sparql_string(text: str) -> str:
    """A quoted SPARQL/Turtle string: STRING_LITERAL_QUOTE with ECHAR escapes, on one line."""
    return '"' + text.translate(_TSV_ESCAPES) + '"'


def _tsv_term(term: Term, label: _BlankLabels) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return label(term)
    text = str(term)
    if term.language:
        return f"{sparql_string(text)}@{term.language}"
    datatype = _plain_datatype(term)
    if datatype is None:
        return sparql_string(text)
    number = _TURTLE_NUMBER.get(datatype)
    if number is not None and number.fullmatch(text):
        return text
    return f"{sparql_string(text)}^^<{datatype}>"


def _select_tsv(result: SelectResult) -> bytes:
    label = _BlankLabels()
    lines = ["\t".join(f"?{name}" for name in result.variables)]
    lines.extend(
        "\t".join("" if (value := row.get(name)) is None else _tsv_term(value, label) for name in result.variables)
        for row in result.rows
    )
    return "".join(line + "\n" for line in lines).encode("utf-8")


# -- reading ----------------------------------------------------------------------------------


class ResultsSyntaxError(ValueError):
    """A results document that does not follow its format."""


def parse_select(body: bytes, media_type: str) -> SelectResult | bool:
    """Read a JSON or XML results document: the solutions of a SELECT, or an ASK's boolean.

    Also reads the 2007 draft's `typed-literal` JSON type, which Virtuoso still writes, and
    reads `"x"^^xsd:string` as the simple literal "x" it is in RDF 1.1."""
    if media_type == RESULTS_JSON:
        return _parse_json(body)
    if media_type == RESULTS_XML:
        return _parse_xml(body)
    raise ResultsSyntaxError(f"cannot read query results written as {media_type}")


def _literal(value: str, *, language: str | None, datatype: str | None) -> Literal:
    if language:
        return Literal(value, lang=language)
    if datatype is None or datatype in (_XSD_STRING, _LANG_STRING):
        return Literal(value)
    # Keep the lexical form the store gave, as the store wrote it.
    return Literal(value, datatype=URIRef(datatype), normalize=False)


def _parse_json(body: bytes) -> SelectResult | bool:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ResultsSyntaxError(f"not a JSON document: {error}") from error
    if not isinstance(document, dict):
        raise ResultsSyntaxError("a JSON results document is an object")
    if "boolean" in document:
        if not isinstance(document["boolean"], bool):
            raise ResultsSyntaxError("boolean must be true or false")
        return document["boolean"]
    try:
        variables = [str(name) for name in document["head"]["vars"]]
        bindings = document["results"]["bindings"]
        rows = [_json_row(binding, variables) for binding in bindings]
    except (KeyError, TypeError, AttributeError) as error:
        raise ResultsSyntaxError(f"malformed JSON results: {error!r}") from error
    return SelectResult(variables, rows)


def _json_row(binding: Mapping[str, Any], variables: Iterable[str]) -> dict[str, Term | None]:
    row: dict[str, Term | None] = dict.fromkeys(variables)
    for name, encoded in binding.items():
        row[name] = _json_value(encoded)
    return row


def _json_value(encoded: Mapping[str, Any]) -> Term:
    kind, value = encoded["type"], encoded["value"]
    if not isinstance(value, str):
        raise ResultsSyntaxError("a term's value is a string")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        return _literal(value, language=encoded.get("xml:lang"), datatype=encoded.get("datatype"))
    raise ResultsSyntaxError(f"unknown term type {kind!r}")


def _parse_xml(body: bytes) -> SelectResult | bool:
    # The standard library's expat refuses entity-expansion bombs (billion laughs).
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise ResultsSyntaxError(f"not an XML document: {error}") from error
    ns = {"r": RESULTS_NS}
    if root.tag != f"{{{RESULTS_NS}}}sparql":
        raise ResultsSyntaxError("the root element is not sparql in the results namespace")
    boolean = root.find("r:boolean", ns)
    if boolean is not None:
        text = (boolean.text or "").strip()
        if text not in ("true", "false"):
            raise ResultsSyntaxError("boolean must be true or false")
        return text == "true"
    variables = [variable.attrib["name"] for variable in root.findall("r:head/r:variable", ns)]
    rows: list[dict[str, Term | None]] = []
    for result in root.findall("r:results/r:result", ns):
        row: dict[str, Term | None] = dict.fromkeys(variables)
        for binding in result.findall("r:binding", ns):
            row[binding.attrib["name"]] = _xml_value(binding)
        rows.append(row)
    return SelectResult(variables, rows)


def _xml_value(binding: ElementTree.Element) -> Term:
    children = list(binding)
    if len(children) != 1:
        raise ResultsSyntaxError("a binding holds exactly one term")
    element = children[0]
    kind = element.tag.removeprefix(f"{{{RESULTS_NS}}}")
    text = element.text or ""
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind == "literal":
        return _literal(text, language=element.attrib.get(XML_LANG), datatype=element.attrib.get("datatype"))
    raise ResultsSyntaxError(f"unknown term element {kind!r}")
