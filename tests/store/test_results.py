"""The results writers against the reference: pyoxigraph's parsers and its own serialisations."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from service.errors import NotAcceptable
from service.store.base import RESULTS_CSV, RESULTS_JSON, RESULTS_TSV, RESULTS_XML, SelectResult, Term
from service.store.results import ResultsSyntaxError, parse_select, serialize_boolean, serialize_select

FORMATS = {
    RESULTS_JSON: ox.QueryResultsFormat.JSON,
    RESULTS_XML: ox.QueryResultsFormat.XML,
    RESULTS_CSV: ox.QueryResultsFormat.CSV,
    RESULTS_TSV: ox.QueryResultsFormat.TSV,
}
PARSEABLE = [RESULTS_JSON, RESULTS_XML, RESULTS_TSV]  # pyoxigraph has no CSV parser
X = "http://www.w3.org/2001/XMLSchema#"
EX = "https://example.org/"
TRICKY = 'He said "hi",\tthen\nleft\r\\ — ünïcødé 中文 😀 </literal> &amp; <uri>'

# Subject, object: one row per object, in this order (ORDER BY ?i).
OBJECTS: list[ox.NamedNode | ox.BlankNode | ox.Literal] = [
    ox.Literal("plain"),
    ox.Literal("Alpha", language="en"),
    ox.Literal("Zürich", language="de-ch"),
    ox.Literal("42", datatype=ox.NamedNode(X + "integer")),
    ox.Literal("-7", datatype=ox.NamedNode(X + "integer")),
    ox.Literal("1.5", datatype=ox.NamedNode(X + "decimal")),
    ox.Literal("1000", datatype=ox.NamedNode(X + "double")),
    ox.Literal("true", datatype=ox.NamedNode(X + "boolean")),
    ox.Literal("2020-12-31", datatype=ox.NamedNode(X + "date")),
    ox.Literal("not a number", datatype=ox.NamedNode(X + "integer")),
    ox.Literal("x y", datatype=ox.NamedNode(EX + "custom")),
    ox.Literal(TRICKY),
    ox.Literal(TRICKY, language="en"),
    ox.Literal(""),
    ox.NamedNode(EX + "o?q='1'&r=%3C2%3E#f"),
    ox.BlankNode("object"),
]


@pytest.fixture(scope="module")
def reference() -> ox.Store:
    """One subject per object, every third a blank node; ?u bound for one of them only."""
    store = ox.Store()
    for position, value in enumerate(OBJECTS):
        subject = ox.BlankNode(f"s{position}") if position % 3 == 0 else ox.NamedNode(f"{EX}s{position}")
        store.add(ox.Quad(subject, ox.NamedNode(EX + "o"), value))
        store.add(
            ox.Quad(subject, ox.NamedNode(EX + "i"), ox.Literal(str(position), datatype=ox.NamedNode(X + "integer")))
        )
    store.add(ox.Quad(ox.NamedNode(EX + "s1"), ox.NamedNode(EX + "u"), ox.Literal("only once")))
    return store


QUERY = f"SELECT ?s ?o ?u WHERE {{ ?s <{EX}o> ?o ; <{EX}i> ?i OPTIONAL {{ ?s <{EX}u> ?u }} }} ORDER BY ?i"


def to_rdflib(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == X + "string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def as_result(solutions: object) -> SelectResult:
    assert isinstance(solutions, ox.QuerySolutions)
    names = [variable.value for variable in solutions.variables]
    rows = [{name: None if s[name] is None else to_rdflib(s[name]) for name in names} for s in solutions]
    return SelectResult(names, rows)


def ordered_rows(store: ox.Store) -> SelectResult:
    return as_result(store.query(QUERY))


def solutions_of(parsed: object) -> tuple[list[str], list[list[object]]]:
    """Variables and rows, blank nodes renamed in order of appearance (their labels are
    scoped to one result, and TSV relabels them)."""
    assert isinstance(parsed, ox.QuerySolutions)
    names = [variable.value for variable in parsed.variables]
    labels: dict[str, str] = {}
    rows: list[list[object]] = []
    for solution in parsed:
        row: list[object] = []
        for name in names:
            term = solution[name]
            if isinstance(term, ox.BlankNode):
                term = "_:" + labels.setdefault(term.value, f"n{len(labels)}")
            row.append(term)
        rows.append(row)
    return names, rows


def test_the_reference_rows_cover_every_case(reference: ox.Store) -> None:
    result = ordered_rows(reference)
    assert [row["o"] for row in result.rows] == [to_rdflib(value) for value in OBJECTS]
    assert any(row["u"] is not None for row in result.rows) and any(row["u"] is None for row in result.rows)
    assert any(isinstance(row["s"], BNode) for row in result.rows)


@pytest.mark.parametrize("media_type", PARSEABLE)
def test_results_parse_back_with_the_reference_parser(reference: ox.Store, media_type: str) -> None:
    ours = ox.parse_query_results(serialize_select(ordered_rows(reference), media_type), FORMATS[media_type])
    assert solutions_of(ours) == solutions_of(reference.query(QUERY))


@pytest.mark.parametrize("media_type", [RESULTS_JSON, RESULTS_XML])
def test_json_and_xml_mean_what_oxigraph_writes(reference: ox.Store, media_type: str) -> None:
    solutions = reference.query(QUERY)
    assert isinstance(solutions, ox.QuerySolutions)
    theirs = ox.parse_query_results(solutions.serialize(format=FORMATS[media_type]), FORMATS[media_type])
    ours = ox.parse_query_results(serialize_select(ordered_rows(reference), media_type), FORMATS[media_type])
    assert solutions_of(ours) == solutions_of(theirs)


@pytest.mark.parametrize("media_type", [RESULTS_JSON, RESULTS_XML])
def test_json_and_xml_read_back_into_the_same_terms(reference: ox.Store, media_type: str) -> None:
    result = ordered_rows(reference)
    assert parse_select(serialize_select(result, media_type), media_type) == result


@pytest.mark.parametrize("media_type", [RESULTS_CSV, RESULTS_TSV])
def test_csv_and_tsv_are_byte_equal_to_oxigraph(reference: ox.Store, media_type: str) -> None:
    """Once the blank nodes carry the labels the writer gives them (b0, b1, ... in order of
    appearance), the spec leaves no choice that Oxigraph and this writer make apart."""
    order = [str(term) for row in ordered_rows(reference) for term in row.values() if isinstance(term, BNode)]
    labels = {label: ox.BlankNode(f"b{n}") for n, label in enumerate(dict.fromkeys(order))}

    def relabel(term: object) -> object:
        return labels[term.value] if isinstance(term, ox.BlankNode) else term

    store = ox.Store()
    store.extend(ox.Quad(relabel(q.subject), q.predicate, relabel(q.object)) for q in reference)  # type: ignore[arg-type]
    solutions = store.query(QUERY)
    assert isinstance(solutions, ox.QuerySolutions)
    assert serialize_select(ordered_rows(store), media_type) == solutions.serialize(format=FORMATS[media_type])


def test_csv_reads_back_as_rfc_4180(reference: ox.Store) -> None:
    result = ordered_rows(reference)
    body = serialize_select(result, RESULTS_CSV)
    assert body.endswith(b"\r\n")
    records = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert records[0] == ["s", "o", "u"]
    assert len(records) == len(result) + 1
    assert [record[1] for record in records[1:] if not record[1].startswith("_:")] == [
        str(row["o"]) for row in result.rows if not isinstance(row["o"], BNode)
    ]
    assert TRICKY in [record[1] for record in records]
    subjects = [record[0] for record in records[1:] if record[0].startswith("_:")]
    assert subjects == [f"_:b{n}" for n in range(len(subjects))]


def test_csv_header_and_unbound_cells() -> None:
    result = SelectResult(["a", "b"], [{"a": None, "b": Literal("x")}, {"a": None, "b": None}])
    assert serialize_select(result, RESULTS_CSV) == b"a,b\r\n,x\r\n,\r\n"
    assert serialize_select(result, RESULTS_TSV) == b'?a\t?b\n\t"x"\n\t\n'


@pytest.mark.parametrize("media_type", list(FORMATS))
@pytest.mark.parametrize("query", ["SELECT ?x WHERE { FILTER(false) }", "SELECT * WHERE { }", "SELECT ?x WHERE { }"])
def test_empty_results_match_oxigraph(media_type: str, query: str) -> None:
    store = ox.Store()
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    expected = solutions.serialize(format=FORMATS[media_type])
    again = store.query(query)
    assert isinstance(again, ox.QuerySolutions)
    ours = serialize_select(as_result(again), media_type)
    if media_type in (RESULTS_CSV, RESULTS_TSV):
        assert ours == expected
    else:
        mine = ox.parse_query_results(ours, FORMATS[media_type])
        theirs = ox.parse_query_results(expected, FORMATS[media_type])
        assert isinstance(mine, ox.QuerySolutions) and isinstance(theirs, ox.QuerySolutions)
        assert solutions_of(mine) == solutions_of(theirs)


@pytest.mark.parametrize("media_type", list(FORMATS))
@pytest.mark.parametrize("answer", [True, False])
def test_ask_matches_oxigraph(media_type: str, answer: bool) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("o")))
    boolean = store.query(f"ASK {{ ?s ?p {'?o' if answer else '<urn:x:absent>'} }}")
    assert isinstance(boolean, ox.QueryBoolean)
    expected = boolean.serialize(format=FORMATS[media_type])
    ours = serialize_boolean(answer, media_type)
    if media_type in (RESULTS_CSV, RESULTS_TSV):
        assert ours == expected
    if media_type != RESULTS_CSV:
        assert bool(ox.parse_query_results(ours, FORMATS[media_type])) is answer
    if media_type in (RESULTS_JSON, RESULTS_XML):
        assert parse_select(ours, media_type) is answer


def test_tsv_writes_terms_in_turtle_syntax() -> None:
    result = SelectResult(
        ["x"],
        [
            {"x": URIRef(EX + "a")},
            {"x": Literal("chat", lang="fr")},
            {"x": Literal("5", datatype=XSD.integer)},
            {"x": Literal("-0.50", datatype=XSD.decimal, normalize=False)},
            {"x": Literal("5", datatype=XSD.decimal, normalize=False)},
            {"x": Literal("1e3", datatype=XSD.double, normalize=False)},
            {"x": Literal("false", datatype=XSD.boolean)},
            {"x": Literal('a\tb\nc"d\\e')},
            {"x": Literal("typed", datatype=XSD.string)},
        ],
    )
    lines = serialize_select(result, RESULTS_TSV).decode("utf-8").split("\n")
    assert lines == [
        "?x",
        f"<{EX}a>",
        '"chat"@fr',
        "5",
        "-0.50",
        f'"5"^^<{X}decimal>',
        f'"1e3"^^<{X}double>',
        "false",
        '"a\\tb\\nc\\"d\\\\e"',
        '"typed"',
        "",
    ]


def test_blank_nodes_are_relabelled_consistently_in_csv_and_tsv() -> None:
    first, second = BNode("nodeID://b10007"), BNode("x y")
    result = SelectResult(["a", "b"], [{"a": first, "b": second}, {"a": second, "b": first}])
    assert serialize_select(result, RESULTS_CSV) == b"a,b\r\n_:b0,_:b1\r\n_:b1,_:b0\r\n"
    assert serialize_select(result, RESULTS_TSV) == b"?a\t?b\n_:b0\t_:b1\n_:b1\t_:b0\n"
    # JSON and XML carry any label as it is.
    assert parse_select(serialize_select(result, RESULTS_JSON), RESULTS_JSON) == result
    assert parse_select(serialize_select(result, RESULTS_XML), RESULTS_XML) == result


def test_xml_escapes_markup_in_values_and_attributes() -> None:
    hostile = Literal('</literal></binding><binding name="x"><uri>urn:evil</uri>&', lang="en")
    typed = Literal("v", datatype=URIRef(EX + "dt?a='1'&b=%3C2%3E"))
    result = SelectResult(["x", "y"], [{"x": hostile, "y": typed}])
    body = serialize_select(result, RESULTS_XML)
    parsed = ox.parse_query_results(body, ox.QueryResultsFormat.XML)
    assert isinstance(parsed, ox.QuerySolutions)
    [solution] = list(parsed)
    assert solution["x"] == ox.Literal(str(hostile), language="en")
    assert solution["y"] == ox.Literal("v", datatype=ox.NamedNode(str(typed.datatype)))
    assert parse_select(body, RESULTS_XML) == result


def test_xml_refuses_characters_xml_cannot_carry() -> None:
    result = SelectResult(["x"], [{"x": Literal("bell\x07")}])
    with pytest.raises(NotAcceptable, match="XML"):
        serialize_select(result, RESULTS_XML)
    assert parse_select(serialize_select(result, RESULTS_JSON), RESULTS_JSON) == result


def test_simple_literals_state_no_datatype() -> None:
    result = SelectResult(["x"], [{"x": Literal("s", datatype=XSD.string)}])
    assert (
        serialize_select(result, RESULTS_JSON)
        == b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"s"}}]}}'
    )
    assert b"datatype" not in serialize_select(result, RESULTS_XML)


def test_unknown_media_types_are_not_acceptable() -> None:
    with pytest.raises(NotAcceptable):
        serialize_select(SelectResult(["x"]), "text/html")
    with pytest.raises(NotAcceptable):
        serialize_boolean(True, "text/turtle")
    with pytest.raises(ResultsSyntaxError):
        parse_select(b"x\r\n", RESULTS_CSV)


def test_reads_what_virtuoso_writes() -> None:
    """Virtuoso 7 writes the 2007 draft's typed-literal, a link list, distinct/ordered flags,
    tabs between members and keeps xsd:string apart; XML with a schema location."""
    body = (
        b'\n{ "head": { "link": [], "vars": ["s", "n", "t", "l"] },\n'
        b'  "results": { "distinct": false, "ordered": true, "bindings": [\n'
        b'    { "s": { "type": "bnode", "value": "nodeID://b10000" }\t, "n": { "type": "typed-literal", '
        b'"datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "3" }, "t": { "type": "typed-literal", '
        b'"datatype": "http://www.w3.org/2001/XMLSchema#string", "value": "o" }, "l": { "type": "literal", '
        b'"xml:lang": "en-gb", "value": "\\u00E9" }} ] } }'
    )
    expected = SelectResult(
        ["s", "n", "t", "l"],
        [{"s": BNode("nodeID://b10000"), "n": Literal(3), "t": Literal("o"), "l": Literal("é", lang="en-gb")}],
    )
    assert parse_select(body, RESULTS_JSON) == expected
    xml = (
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.w3.org/2001/sw/DataAccess/rf1/result2.xsd">\n <head>\n  <variable name="s"/>'
        '\n  <variable name="n"/>\n  <variable name="t"/>\n  <variable name="l"/>\n </head>\n'
        ' <results distinct="false" ordered="true">\n  <result>\n   <binding name="s"><bnode>nodeID://b10000</bnode>'
        '</binding>\n   <binding name="n"><literal datatype="http://www.w3.org/2001/XMLSchema#integer">3</literal>'
        '</binding>\n   <binding name="t"><literal datatype="http://www.w3.org/2001/XMLSchema#string">o</literal>'
        '</binding>\n   <binding name="l"><literal xml:lang="en-gb">é</literal></binding>\n  </result>\n'
        " </results>\n</sparql>"
    ).encode()
    assert parse_select(xml, RESULTS_XML) == expected


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        (b"<html>error</html>", RESULTS_XML),
        (b'<sparql xmlns="urn:other"/>', RESULTS_XML),
        (b"not json", RESULTS_JSON),
        (b'{"head": {"vars": ["x"]}}', RESULTS_JSON),
        (
            b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "triple", "value": "?"}}]}}',
            RESULTS_JSON,
        ),
        (b'{"boolean": "yes"}', RESULTS_JSON),
    ],
)
def test_malformed_documents_are_refused(body: bytes, media_type: str) -> None:
    with pytest.raises(ResultsSyntaxError):
        parse_select(body, media_type)
