"""Named queries: the #+ header, typed parameters, and defaults for the editor."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from service.errors import InvalidQuery, ValidationFailed
from service.queries import Parameter, load_named_queries, parse_named_query


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_header_that_is_not_yaml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "broken", "#+ summary: a: b: c\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(ValidationFailed, match=r"broken\.rq"):
        parse_named_query(path)


def test_a_parameter_must_be_a_variable_of_the_query(tmp_path: Path) -> None:
    header = "#+ summary: x\n#+ parameters:\n#+   at: {type: date}\n"
    path = write(tmp_path, "unused", header + "SELECT ?s WHERE { ?s ?p ?o }\n")
    with pytest.raises(ValidationFailed, match="unused parameter") as failure:
        parse_named_query(path)
    assert failure.value.problems == ["unused.rq: parameter at is not a variable of the query"]


def test_parameter_values_are_typed_and_checked() -> None:
    date = Parameter("at", "date")
    assert date.term("2021-01-01") == Literal("2021-01-01", datatype=XSD.date)
    with pytest.raises(InvalidQuery, match="at must be a date"):
        date.term("2021-01-01' }")
    iri = Parameter("instrument", "iri")
    assert iri.term("https://example.org/a") == URIRef("https://example.org/a")
    with pytest.raises(InvalidQuery, match="absolute IRI"):
        iri.term("https://example.org/a> } UNION {")
    with pytest.raises(InvalidQuery, match="integer"):
        Parameter("n", "integer").term("1; DROP ALL")


def test_defaults_open_the_where_group_so_the_query_runs_as_it_stands() -> None:
    query = next(q for q in load_named_queries() if q.name == "participants")
    text = query.with_defaults(dt.date(2020, 6, 1))
    where = text.index("WHERE {")
    assert (
        text.index(
            'VALUES (?instrument ?at) { (<https://w3id.org/border21/id/instrument/eaw-framework-decision> "2020-06-01"'
        )
        > where
    )


def test_every_shipped_query_has_a_summary_and_projects_its_parameters() -> None:
    for query in load_named_queries():
        assert query.summary
        select = next(line for line in query.text.splitlines() if line.startswith("SELECT"))
        for parameter in query.parameters:
            assert f"?{parameter.name}" in select, (query.name, parameter.name)
