"""Validation of IRIs that arrive as request parameters."""

from __future__ import annotations

import re

from fastapi import HTTPException
from rdflib import URIRef

# An absolute IRI: a scheme, then no character the IRIREF production forbids.
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*$")


def parse_iri(value: str, parameter: str) -> URIRef:
    if not _ABSOLUTE_IRI.match(value):
        raise HTTPException(400, f"{parameter} must be an absolute IRI; got {value[:200]!r}")
    return URIRef(value)
