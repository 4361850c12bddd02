"""The service's own SPARQL, one .rq file per query, loaded once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@cache
def sparql(name: str) -> str:
    """The text of `service/sparql/{name}.rq`."""
    return (_HERE / f"{name}.rq").read_text(encoding="utf-8")
