"""Resource keys: every resource IRI https://w3id.org/border21/id/{kind}/{slug} has the key
`{kind}/{slug}`; parameters that name a resource take either. States are keyed by their
lower-case ISO 3166-1 alpha-2 code (`state/de`); a parameter that names a cooperation function
also takes the bare slug (`surrender`)."""

from __future__ import annotations

import re

from rdflib import URIRef

from service.errors import InvalidQuery
from service.namespaces import ID, RESOURCE_KINDS

_KEY = re.compile(r"^(?P<kind>[a-z][a-z-]*)/(?P<slug>[A-Za-z0-9][A-Za-z0-9._-]*)$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def key_of(iri: URIRef | str) -> str | None:
    """The key of a resource IRI, or None for IRIs outside the resource namespace."""
    text = str(iri)
    if not text.startswith(str(ID)):
        return None
    key = text[len(str(ID)) :]
    return key if _KEY.match(key) else None


def iri_of(key: str) -> URIRef:
    return URIRef(f"{ID}{key}")


def parse_resource(value: str, parameter: str, *, kinds: tuple[str, ...] = ()) -> URIRef:
    """The IRI named by a parameter given as an IRI or a key; `kinds` restricts what it may
    name. Raises InvalidQuery saying which parameter and why."""
    text = value.strip()
    if text.startswith(str(ID)):
        key = key_of(text)
        if key is None:
            raise InvalidQuery(f"{parameter}: {text[:200]!r} is not a border21 resource IRI")
    elif _KEY.match(text):
        key = text
    elif kinds == ("function",) and _SLUG.match(text):
        key = f"function/{text}"
    else:
        raise InvalidQuery(f"{parameter}: give a resource IRI or a key such as state/de; got {text[:200]!r}")
    kind = key.split("/", 1)[0]
    if kind not in RESOURCE_KINDS:
        raise InvalidQuery(f"{parameter}: unknown kind {kind!r}; kinds are {', '.join(RESOURCE_KINDS)}")
    if kinds and kind not in kinds:
        raise InvalidQuery(f"{parameter}: expected a {' or '.join(kinds)}, got a {kind}")
    return iri_of(key)
