"""HTTP content negotiation with q-values (RFC 9110 section 12.5.1)."""

from __future__ import annotations

from dataclasses import dataclass

from service.store.base import (
    JSONLD,
    NTRIPLES,
    RDFXML,
    RESULTS_CSV,
    RESULTS_JSON,
    RESULTS_TSV,
    RESULTS_XML,
    TURTLE,
)

# In order of preference when the client likes several equally.
RESULTS_TYPES = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)
GRAPH_TYPES = (TURTLE, NTRIPLES, JSONLD, RDFXML)

# Names clients send for the same thing.
ALIASES = {
    "application/json": RESULTS_JSON,
    "application/xml": RESULTS_XML,
    "text/xml": RESULTS_XML,
    "application/x-turtle": TURTLE,
    "text/plain": NTRIPLES,
    "application/ntriples": NTRIPLES,
}
GRAPH_ALIASES = {
    "application/json": JSONLD,
    "application/xml": RDFXML,
    "text/xml": RDFXML,
    "application/x-turtle": TURTLE,
    "text/plain": NTRIPLES,
}

# The `format` parameter (also `output`, as Fuseki names it), for browsers that cannot set
# Accept: (results type, graph type). A media type is taken as a format value too.
FORMATS: dict[str, tuple[str | None, str | None]] = {
    "json": (RESULTS_JSON, JSONLD),
    "xml": (RESULTS_XML, RDFXML),
    "csv": (RESULTS_CSV, None),
    "tsv": (RESULTS_TSV, None),
    "turtle": (None, TURTLE),
    "ttl": (None, TURTLE),
    "n3": (None, TURTLE),  # SPARQLWrapper's name when it asks for Turtle; Turtle is valid N3
    "ntriples": (None, NTRIPLES),
    "nt": (None, NTRIPLES),
    "jsonld": (None, JSONLD),
    "json-ld": (None, JSONLD),
    "rdfxml": (None, RDFXML),
    **{media_type: (media_type, None) for media_type in RESULTS_TYPES},
    **{media_type: (None, media_type) for media_type in GRAPH_TYPES},
}


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """How specifically this range matches: 3 exactly, 2 type/*, 1 */*, 0 not at all."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == kind and self.subtype == "*":
            return 2
        if self.type == kind and self.subtype == sub:
            return 3
        return 0


def parse_accept(header: str | None) -> list[MediaRange]:
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for part in header.split(","):
        pieces = [piece.strip() for piece in part.split(";")]
        kind, _, sub = pieces[0].lower().partition("/")
        if not kind or not sub:
            continue
        q = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(kind, sub, q))
    return ranges


def quality(ranges: list[MediaRange], media_type: str, aliases: dict[str, str] | None = None) -> float:
    """The q the client gives `media_type`: the q of the most specific range matching it.
    An alias (application/json for SPARQL JSON results) counts only when named exactly."""
    exact_names = {media_type, *(alias for alias, target in (aliases or {}).items() if target == media_type)}
    best_specificity, best_q = 0, 0.0
    for media_range in ranges:
        specificity = max(
            media_range.matches(media_type),
            3 if f"{media_range.type}/{media_range.subtype}" in exact_names else 0,
        )
        if specificity > best_specificity or (
            specificity and specificity == best_specificity and media_range.q > best_q
        ):
            best_specificity, best_q = specificity, media_range.q
    return best_q


def choose(header: str | None, offers: tuple[str, ...], aliases: dict[str, str] | None = None) -> str | None:
    """The offer the client prefers, server order breaking ties; None if it accepts none."""
    ranges = parse_accept(header)
    best, best_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer, aliases)
        if q > best_q:
            best, best_q = offer, q
    return best


def prefers_html(header: str | None) -> bool:
    """Whether a browser is asking: text/html named explicitly, with a q no lower than any
    RDF or SPARQL results type named explicitly."""
    ranges = parse_accept(header)
    html = max((r.q for r in ranges if (r.type, r.subtype) == ("text", "html")), default=0.0)
    machine_types = (*GRAPH_TYPES, *RESULTS_TYPES, *ALIASES)
    machine = max((r.q for r in ranges if any(r.matches(t) == 3 for t in machine_types)), default=0.0)
    return html > 0 and html >= machine
