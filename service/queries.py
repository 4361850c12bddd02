"""Named SPARQL queries: `queries/*.rq` files with a `#+` YAML header, as grlc reads them.

```
#+ summary: Legal instruments in force on a date
#+ tags: [instruments]
#+ parameters:
#+   at: {type: date, default: today, description: "The date to ask about"}
#+ pagination: 100
SELECT ?at ?instrument ... WHERE { ... FILTER (?entryIntoForce <= ?at) }
```

A parameter is a variable of the query, bound by the engine when the query runs (so the
query projects it); its type says how a request's text value becomes an RDF term.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from service.errors import InvalidQuery, ValidationFailed
from service.resources import queries_dir
from service.sparql_text import first_group_brace
from service.store.base import Term

PARAMETER_TYPES = ("date", "iri", "string", "integer")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*$")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str = ""
    default: str | None = None
    kind: str | None = None  # for iri parameters: the kind of resource expected

    def term(self, value: str) -> Term:
        """The RDF term for a request's value; InvalidQuery names the parameter if it is bad."""
        if self.type == "date":
            try:
                return Literal(dt.date.fromisoformat(value).isoformat(), datatype=XSD.date)
            except ValueError as error:
                raise InvalidQuery(f"{self.name} must be a date as YYYY-MM-DD; got {value!r}") from error
        if self.type == "integer":
            if not re.fullmatch(r"-?[0-9]{1,18}", value):
                raise InvalidQuery(f"{self.name} must be an integer; got {value!r}")
            return Literal(int(value))
        if self.type == "iri":
            if not _IRI.match(value):
                raise InvalidQuery(f"{self.name} must be an absolute IRI; got {value!r}")
            return URIRef(value)
        return Literal(value)

    def default_term(self, today: dt.date | None = None) -> Term | None:
        if self.default is None:
            return None
        if self.type == "date" and self.default == "today":
            return Literal((today or dt.date.today()).isoformat(), datatype=XSD.date)
        return self.term(self.default)


@dataclass(frozen=True)
class NamedQuery:
    name: str
    summary: str
    text: str
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)
    pagination: int | None = None

    def with_defaults(self, today: dt.date | None = None) -> str:
        """The query with its parameters' defaults as a VALUES block opening its WHERE group,
        so that it runs as it stands in an editor and the defaults are there to change."""
        defaults = [(p.name, p.default_term(today)) for p in self.parameters]
        bound = [(name, term) for name, term in defaults if term is not None]
        brace = first_group_brace(self.text)
        if not bound or brace is None:
            return self.text
        variables = " ".join(f"?{name}" for name, _ in bound)
        values = " ".join(term.n3() for _, term in bound)  # rdflib escapes every term it writes
        block = f"\n  VALUES ({variables}) {{ ({values}) }}"
        return self.text[: brace + 1] + block + self.text[brace + 1 :]


def parse_named_query(path: Path) -> NamedQuery:
    """Read one .rq file; a bad header raises ValidationFailed naming the file and field."""
    text = path.read_text(encoding="utf-8")
    where = path.name
    if not _NAME.match(path.stem):
        raise ValidationFailed(f"{where}: bad name", [f"{where}: names are lower-case words joined by hyphens"])
    header_lines = [line[2:] for line in text.splitlines() if line.startswith("#+")]
    try:
        header = yaml.safe_load("\n".join(header_lines)) or {}
    except yaml.YAMLError as error:
        raise ValidationFailed(f"{where}: the #+ header is not YAML", [f"{where}: {error}"]) from error
    if not isinstance(header, dict) or not isinstance(header.get("summary"), str):
        raise ValidationFailed(f"{where}: no summary", [f"{where}: the #+ header needs a summary"])
    parameters = []
    for name, spec in (header.get("parameters") or {}).items():
        if not _VARIABLE.match(str(name)) or not isinstance(spec, dict) or spec.get("type") not in PARAMETER_TYPES:
            raise ValidationFailed(
                f"{where}: bad parameter {name}", [f"{where}: parameter {name} needs a type, one of {PARAMETER_TYPES}"]
            )
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#+"))
        if not re.search(rf"[?$]{re.escape(str(name))}\b", body):
            raise ValidationFailed(
                f"{where}: unused parameter", [f"{where}: parameter {name} is not a variable of the query"]
            )
        parameters.append(
            Parameter(
                name=str(name),
                type=spec["type"],
                description=str(spec.get("description", "")),
                default=None if spec.get("default") is None else str(spec["default"]),
                kind=spec.get("kind"),
            )
        )
    tags = header.get("tags") or []
    pagination = header.get("pagination")
    return NamedQuery(
        name=path.stem,
        summary=header["summary"],
        text=text,
        tags=tuple(str(tag) for tag in tags),
        parameters=tuple(parameters),
        pagination=int(pagination) if pagination else None,
    )


@cache
def load_named_queries(directory: Path | None = None) -> tuple[NamedQuery, ...]:
    """Every named query, loaded once."""
    return tuple(parse_named_query(path) for path in sorted((directory or queries_dir()).glob("*.rq")))
