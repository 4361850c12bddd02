"""The page a browser gets for a resource IRI (/id/{kind}/{slug}).

`read_description` gathers what the store says about the resource into a `Description`
(its statements, and what points at it); `resource_page` lays that out as a
`templates.Page`, which `templates.render` writes as HTML.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, TIME, XSD

from service.keys import key_of
from service.namespaces import B21, CV, ELI, INFERRED_GRAPH, ORG, PREFIXES
from service.sparql import sparql
from service.store.base import GraphStore, Term
from service.web.templates import (
    Alternate,
    Code,
    Date,
    Fact,
    Facts,
    Inline,
    Items,
    Link,
    Neighbour,
    Neighbourhood,
    Page,
    Paragraph,
    Section,
    Subsections,
    Text,
)

EN_DASH = "\N{EN DASH}"

# How many of the resources that point at this one a page lists, per property.
INCOMING_SHOWN = 50

# Literals that identify a resource, shown first.
IDENTIFIERS = (
    B21.isoCode,
    B21.celexNumber,
    B21.eliIdentifier,
    B21.treatyNumber,
    B21.unSymbol,
    B21.acronym,
    DCTERMS.identifier,
    SKOS.notation,
)
DATE_TYPES = (XSD.date, XSD.dateTime, XSD.gYear)
# Shown in the page's heading and introduction rather than among the facts.
INTRODUCED = (RDF.type, RDFS.label, SKOS.prefLabel, SKOS.definition, DCTERMS.source)

# Labels for the reused vocabularies' properties (the ontology labels only its own terms).
REUSED_LABELS = {
    RDF.type: "type",
    RDFS.label: "label",
    RDFS.seeAlso: "see also",
    DCTERMS.source: "source",
    DCTERMS.identifier: "identifier",
    DCTERMS.title: "title",
    ORG.subOrganizationOf: "sub-organisation of",
    ORG.hasSubOrganization: "has sub-organisation",
    ORG.transitiveSubOrganizationOf: "sub-organisation (directly or not) of",
    SKOS.prefLabel: "preferred label",
    SKOS.altLabel: "alternative label",
    SKOS.definition: "definition",
    SKOS.notation: "notation",
    SKOS.inScheme: "in scheme",
    SKOS.topConceptOf: "top concept of",
    SKOS.hasTopConcept: "has top concept",
    SKOS.broader: "broader concept",
    SKOS.narrower: "narrower concept",
    ELI.amends: "amends",
    ELI.repeals: "repeals",
    ELI.based_on: "based on",
    SKOS.Concept: "concept",
    SKOS.ConceptScheme: "concept scheme",
    PROV.Agent: "agent",
    ORG.Organization: "organisation",
    ORG.FormalOrganization: "formal organisation",
    CV.PublicOrganisation: "public organisation",
    ELI.LegalResource: "legal resource",
    TIME.TemporalEntity: "temporal entity",
}

# How a page names what points at it: "<phrase> <count> <noun>", as in "participant in 12
# participations". Properties not listed here are named by their label and domain.
INCOMING_WORDING: dict[URIRef, tuple[str, str, str]] = {
    B21.participant: ("participant in", "participation", "participations"),
    B21.accessor: ("accessor in", "channel access", "channel accesses"),
    B21.between: ("linked in", "cooperation link", "cooperation links"),
    B21.instrument: ("instrument of", "participation", "participations"),
    B21.channel: ("channel of", "channel access", "channel accesses"),
    B21.viaInstrument: ("basis of", "cooperation link", "cooperation links"),
    B21.viaChannel: ("channel of", "cooperation link", "cooperation links"),
    B21.supportedBy: ("supports", "cooperation link", "cooperation links"),
    B21.derivedFrom: ("source of", "derived participation", "derived participations"),
    B21.onSideOf: ("side taken by", "derived participation", "derived participations"),
    B21.liftedFrom: ("lifted into", "cooperation link", "cooperation links"),
    B21.participationMode: ("mode of", "participation", "participations"),
    B21.seat: ("seat of", "agency", "agencies"),
    B21.operatedBy: ("operator of", "cooperation channel", "cooperation channels"),
    B21.legalBasis: ("legal basis of", "cooperation channel", "cooperation channels"),
    B21.accessBasis: ("access basis of", "channel access", "channel accesses"),
    B21.establishedBy: ("establishes", "actor", "actors"),
    B21.establishes: ("established by", "legal instrument", "legal instruments"),
    B21.replaces: ("replaced by", "legal instrument", "legal instruments"),
    B21.prevailsOver: ("gives way to", "legal instrument", "legal instruments"),
    B21.succeeds: ("succeeded by", "actor", "actors"),
    B21.cooperatesWith: ("named as a partner by", "actor", "actors"),
    B21.crimeArea: ("crime area of", "instrument or channel", "instruments and channels"),
    B21.cooperationFunction: ("function of", "instrument or channel", "instruments and channels"),
    B21.dataCategory: ("data category of", "instrument or channel", "instruments and channels"),
    ORG.subOrganizationOf: ("has", "sub-organisation", "sub-organisations"),
    SKOS.broader: ("has", "narrower concept", "narrower concepts"),
    SKOS.inScheme: ("contains", "concept", "concepts"),
    SKOS.topConceptOf: ("has", "top concept", "top concepts"),
    ELI.amends: ("amended by", "legal act", "legal acts"),
    ELI.repeals: ("repealed by", "legal act", "legal acts"),
    ELI.based_on: ("basis of", "legal act", "legal acts"),
}

# What a participation, channel access or cooperation link is about, for naming it.
ACTOR_DETAILS = (B21.participant, B21.accessor, B21.between)
BASIS_DETAILS = {B21.instrument: "in", B21.channel: "on", B21.viaInstrument: "via", B21.viaChannel: "via"}

# The neighbourhood picture: at most this many neighbours, and which records it looks through.
NEIGHBOURS_SHOWN = 24
RECORD_KINDS = ("participation", "access", "link")
# What an incoming participation or access joins this resource to, and how that reads:
# an actor's participations lead to instruments, an instrument's to actors, and so on.
THROUGH_RECORDS = {
    B21.participant: "takes part in",
    B21.accessor: "has access to",
    B21.instrument: "takes part",
    B21.channel: "has access",
}
# Outgoing properties the picture leaves out: the kinds, and the records themselves.
NOT_NEIGHBOURS = (RDF.type, DCTERMS.source)

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# -- what the store says ----------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    property: URIRef
    value: Term
    asserted: bool  # in a curated or derived graph, not only inferred by the reasoner


@dataclass
class Referrer:
    """A resource that points at the described one, with what names it at a glance."""

    iri: URIRef
    labels: list[Literal] = field(default_factory=list)
    actors: dict[URIRef, list[Literal]] = field(default_factory=dict)
    bases: dict[URIRef, tuple[str, list[Literal]]] = field(default_factory=dict)
    modes: list[Literal] = field(default_factory=list)
    start: Literal | None = None
    end: Literal | None = None
    start_confirmed_only: bool = False  # the start is the earliest confirmation, not the first day


@dataclass
class IncomingGroup:
    property: URIRef
    property_labels: list[Literal] = field(default_factory=list)
    domain_labels: list[Literal] = field(default_factory=list)
    referrers: dict[URIRef, Referrer] = field(default_factory=dict)


@dataclass
class Description:
    iri: URIRef
    statements: list[Statement]
    labels: dict[Term, list[Literal]]  # of properties and values, as the store gives them
    incoming: list[IncomingGroup]

    def values(self, prop: URIRef, *, asserted: bool | None = True) -> list[Term]:
        return [s.value for s in self.statements if s.property == prop and (asserted is None or s.asserted == asserted)]


def read_description(store: GraphStore, iri: URIRef) -> Description | None:
    """What the store says about `iri`, or None when it says nothing."""
    rows = store.select(sparql("describe-facts"), {"resource": iri}).rows
    if not rows:
        return None
    asserted: dict[tuple[URIRef, Term], bool] = {}
    labels: dict[Term, list[Literal]] = defaultdict(list)
    for row in rows:
        prop, value, graph = row["property"], row["value"], row["graph"]
        if not isinstance(prop, URIRef) or value is None:
            continue
        key = (prop, value)
        asserted[key] = asserted.get(key, False) or graph != INFERRED_GRAPH
        _add_label(labels[prop], row["propertyLabel"])
        _add_label(labels[value], row["valueLabel"])
    statements = [Statement(prop, value, is_asserted) for (prop, value), is_asserted in asserted.items()]
    incoming = _incoming(store.select(sparql("incoming-statements"), {"resource": iri}).rows, iri)
    return Description(iri, statements, dict(labels), incoming)


def _add_label(labels: list[Literal], label: Term | None) -> None:
    if isinstance(label, Literal) and label not in labels:
        labels.append(label)


def _incoming(rows: Iterable[dict[str, Term | None]], iri: URIRef) -> list[IncomingGroup]:
    groups: dict[URIRef, IncomingGroup] = {}
    for row in rows:
        prop, subject = row["property"], row["subject"]
        if not isinstance(prop, URIRef) or not isinstance(subject, URIRef):
            continue
        group = groups.setdefault(prop, IncomingGroup(prop))
        _add_label(group.property_labels, row["propertyLabel"])
        _add_label(group.domain_labels, row["domainLabel"])
        referrer = group.referrers.setdefault(subject, Referrer(subject))
        detail, value, value_label = row["detail"], row["value"], row["valueLabel"]
        if detail == RDFS.label:
            _add_label(referrer.labels, value)
        elif detail in ACTOR_DETAILS and isinstance(value, URIRef) and value != iri:
            _add_label(referrer.actors.setdefault(value, []), value_label)
        elif isinstance(detail, URIRef) and detail in BASIS_DETAILS and isinstance(value, URIRef) and value != iri:
            _add_label(referrer.bases.setdefault(value, (BASIS_DETAILS[detail], []))[1], value_label)
        elif detail == B21.participationMode:
            _add_label(referrer.modes, value_label)
        elif detail == B21.startDate and isinstance(value, Literal):
            referrer.start = value
        elif detail == B21.endDate and isinstance(value, Literal):
            referrer.end = value
        elif detail == B21.startIsEarliestConfirmation and isinstance(value, Literal):
            referrer.start_confirmed_only = value.toPython() is True
    return sorted(groups.values(), key=lambda g: _group_wording(g)[0].casefold())


# -- how it reads -----------------------------------------------------------------------------


def best_label(labels: Iterable[Literal]) -> str | None:
    """The English label, else one without a language, else any (the same one every time)."""
    ranked = sorted(labels, key=lambda label: (label.language not in ("en", None), label.language or "", str(label)))
    preferred = [label for label in ranked if label.language in ("en", None)] or ranked
    return str(preferred[0]) if preferred else None


def prefixed_name(iri: URIRef) -> str:
    text = str(iri)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text


def local_href(iri: URIRef) -> str:
    """Where this service shows `iri`: its /id page, its ontology entry, or the IRI itself."""
    key = key_of(iri)
    if key is not None:
        return f"/id/{key}"
    if str(iri).startswith(str(B21)):
        return f"/ontology#{str(iri)[len(str(B21)) :]}"
    return str(iri)


def term_link(iri: URIRef, labels: Iterable[Literal]) -> Link:
    label = best_label(labels) or REUSED_LABELS.get(iri) or key_of(iri) or prefixed_name(iri)
    return Link(label, local_href(iri), title=str(iri))


def format_date(value: str) -> str:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def literal_inline(value: Literal, *, identifier: bool = False) -> Inline:
    text = str(value)
    if value.datatype == XSD.date:
        return Date(text, format_date(text))
    if value.datatype == XSD.boolean:
        return Text("yes" if text in ("true", "1") else "no")
    if value.datatype == XSD.anyURI:
        return Link(text, text)
    if identifier:
        return Code(text)
    if value.language and value.language != "en":
        return Text(text, lang=value.language)
    return Text(text)


def value_inline(value: Term, labels: dict[Term, list[Literal]], *, identifier: bool = False) -> Inline:
    if isinstance(value, URIRef):
        return term_link(value, labels.get(value, ()))
    if isinstance(value, Literal):
        return literal_inline(value, identifier=identifier)
    assert isinstance(value, BNode)
    return Text("(an unnamed resource)")


def _sort_text(part: Inline) -> str:
    return part.iso if isinstance(part, Date) else part.text.casefold()


def plural_of(noun: str) -> str:
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def _group_wording(group: IncomingGroup) -> tuple[str, str, str]:
    if group.property in INCOMING_WORDING:
        return INCOMING_WORDING[group.property]
    label = best_label(group.property_labels) or REUSED_LABELS.get(group.property) or prefixed_name(group.property)
    noun = best_label(group.domain_labels) or "resource"
    return f"named as “{label}” by", noun, plural_of(noun)


def group_heading(group: IncomingGroup) -> str:
    phrase, singular, plural = _group_wording(group)
    count = len(group.referrers)
    return f"{phrase} {count} {singular if count == 1 else plural}"


def _period(start: Literal | None, end: Literal | None, confirmed_only: bool = False) -> str:
    """A record's dates in words; a start only confirmed on its day reads "or earlier"."""
    begins = f"{format_date(str(start))}{' or earlier' if confirmed_only else ''}" if start is not None else ""
    if start is not None and end is not None:
        return f"{begins} to {format_date(str(end))}"
    if start is not None:
        return f"from {begins}"
    if end is not None:
        return f"until {format_date(str(end))}"
    return ""


def referrer_name(referrer: Referrer) -> str:
    """A referrer's label or, for participations, accesses and links, what they join."""
    label = best_label(referrer.labels)
    if label:
        return label
    actors = sorted(best_label(names) or key_of(iri) or str(iri) for iri, names in referrer.actors.items())
    bases = sorted(
        (word, best_label(names) or key_of(iri) or str(iri)) for iri, (word, names) in referrer.bases.items()
    )
    name = f" {EN_DASH} ".join(actors)
    for word, basis in bases:
        name = f"{name} {word} {basis}" if name else basis
    return name or key_of(referrer.iri) or str(referrer.iri)


def referrer_item(referrer: Referrer) -> tuple[Inline, ...]:
    link = Link(referrer_name(referrer), local_href(referrer.iri), title=str(referrer.iri))
    period = _period(referrer.start, referrer.end, referrer.start_confirmed_only)
    context = [part for part in (best_label(referrer.modes), period) if part]
    return (link, Text(f" ({', '.join(context)})")) if context else (link,)


# -- the page ---------------------------------------------------------------------------------


def page_title(description: Description) -> str:
    """The resource's label or, for a participation, access or link, what it joins."""
    labels = [v for v in description.values(RDFS.label, asserted=None) if isinstance(v, Literal)]
    label = best_label(labels)
    if label:
        return label
    referrer = Referrer(description.iri)
    for statement in description.statements:
        value = statement.value
        if not isinstance(value, URIRef):
            continue
        names = description.labels.get(value, [])
        if statement.property in ACTOR_DETAILS:
            referrer.actors[value] = names
        elif statement.property in BASIS_DETAILS:
            referrer.bases[value] = (BASIS_DETAILS[statement.property], names)
    return referrer_name(referrer)


def _facts(description: Description, properties: Iterable[URIRef], *, identifier: bool = False) -> tuple[Fact, ...]:
    facts = []
    for prop in properties:
        values = sorted(
            (value_inline(v, description.labels, identifier=identifier) for v in description.values(prop)),
            key=_sort_text,
        )
        if values:
            facts.append(Fact(term_link(prop, description.labels.get(prop, ())), tuple((v,) for v in values)))
    return tuple(facts)


def _kinds(description: Description) -> Paragraph:
    asserted = {v for v in description.values(RDF.type) if isinstance(v, URIRef)}
    inferred = {v for v in description.values(RDF.type, asserted=False) if isinstance(v, URIRef)} - asserted
    parts: list[Inline] = []
    for types, lead in ((asserted, None), (inferred, "; by inference also ")):
        links = sorted((term_link(t, description.labels.get(t, ())) for t in types), key=_sort_text)
        if links and lead:
            parts.append(Text(lead))
        for index, link in enumerate(links):
            parts.extend([Text(", "), link] if index else [link])
    return Paragraph(tuple(parts), role="kinds")


def resource_page(description: Description, alternates: tuple[Alternate, ...]) -> Page:
    title = page_title(description)
    key = key_of(description.iri)
    intro = [_kinds(description)]
    iri_line: list[Inline] = [Text("IRI "), Code(str(description.iri))]
    if key:
        iri_line += [Text(" · key "), Code(key)]
    intro.append(Paragraph(tuple(iri_line), role="iri"))
    definitions = [v for v in description.values(SKOS.definition) if isinstance(v, Literal)]
    definition = best_label(definitions)
    if definition:
        intro.append(Paragraph((Text(definition),), role="lead"))

    asserted = {s.property for s in description.statements if s.asserted}
    dated = {
        s.property for s in description.statements if isinstance(s.value, Literal) and s.value.datatype in DATE_TYPES
    }
    identifiers = [p for p in IDENTIFIERS if p in asserted]
    dates = sorted(
        dated & asserted, key=lambda p: min(str(v) for v in description.values(p)) if description.values(p) else ""
    )
    shown = set(INTRODUCED) | set(identifiers) | set(dates)
    others = sorted(asserted - shown, key=lambda p: term_link(p, description.labels.get(p, ())).text.casefold())

    sections: list[Section] = []
    around = neighbourhood(description, title)
    explore = explorer_links(description, title)
    if around is not None or explore is not None:
        blocks = tuple(block for block in (around, explore) if block is not None)
        sections.append(Section("Neighbourhood", blocks, "neighbourhood"))
    if identifiers:
        sections.append(
            Section("Identifiers", (Facts(_facts(description, identifiers, identifier=True), "key"),), "identifiers")
        )
    if dates:
        sections.append(Section("Dates", (Facts(_facts(description, dates), "key"),), "dates"))
    if others:
        sections.append(Section("Facts", (Facts(_facts(description, others)),), "facts"))
    sources = sorted((value_inline(v, {}) for v in description.values(DCTERMS.source)), key=_sort_text)
    if sources:
        sections.append(Section("Sources", (Items(tuple((s,) for s in sources), noun="sources"),), "sources"))
    if description.incoming:
        sections.append(
            Section(
                "Linked from", (Subsections(tuple(_incoming_section(g) for g in description.incoming)),), "incoming"
            )
        )
    return Page(title=title, intro=tuple(intro), sections=tuple(sections), alternates=alternates)


def _kind(iri: URIRef) -> str | None:
    key = key_of(iri)
    return key.split("/", 1)[0] if key else None


def neighbourhood(description: Description, title: str, *, today: dt.date | None = None) -> Neighbourhood | None:
    """What the resource is linked with, one step away: the resources it names, and through
    its participations and accesses the instruments, channels or actors at their other end."""
    today = today or dt.date.today()
    found: dict[URIRef, tuple[Link, str, list[str], list[bool]]] = {}

    def add(iri: URIRef, names: Iterable[Literal], relation: str, ended: bool) -> None:
        kind = _kind(iri)
        if iri == description.iri or kind is None or kind in RECORD_KINDS:
            return
        _, _, relations, endings = found.setdefault(iri, (term_link(iri, names), kind, [], []))
        if relation not in relations:
            relations.append(relation)
        endings.append(ended)

    for statement in description.statements:
        if statement.asserted and isinstance(statement.value, URIRef) and statement.property not in NOT_NEIGHBOURS:
            relation = term_link(statement.property, description.labels.get(statement.property, ())).text
            add(statement.value, description.labels.get(statement.value, ()), relation, False)
    for group in description.incoming:
        for referrer in group.referrers.values():
            if _kind(referrer.iri) not in RECORD_KINDS:
                phrase, singular, _ = _group_wording(group)
                add(referrer.iri, referrer.labels, f"{phrase} {singular}", False)
                continue
            if group.property not in THROUGH_RECORDS:
                continue
            ended = referrer.end is not None and str(referrer.end) < today.isoformat()
            others = {**referrer.actors, **{iri: names for iri, (_, names) in referrer.bases.items()}}
            for iri, names in others.items():
                add(iri, names, THROUGH_RECORDS[group.property], ended)
    if not found:
        return None
    neighbours = [
        Neighbour(link, kind, ", ".join(relations), ended=all(endings))
        for link, kind, relations, endings in found.values()
    ]
    # grouped by how they are linked, so that the picture shows each relation as an arc
    neighbours.sort(key=lambda n: (n.relation, n.ended, n.link.text.casefold()))
    return Neighbourhood(
        centre=title,
        kind=_kind(description.iri) or "",
        neighbours=_fair_share(neighbours, NEIGHBOURS_SHOWN),
        total=len(neighbours),
    )


def _fair_share(neighbours: list[Neighbour], limit: int) -> tuple[Neighbour, ...]:
    """At most `limit` neighbours, taken in turn from each relation so that every relation is
    seen, in their order."""
    by_relation: dict[str, list[Neighbour]] = defaultdict(list)
    for neighbour in neighbours:
        by_relation[neighbour.relation].append(neighbour)
    chosen: set[int] = set()
    queues = [iter(group) for group in by_relation.values()]
    while len(chosen) < min(limit, len(neighbours)):
        for queue in queues:
            taken = next(queue, None)
            if taken is not None and len(chosen) < limit:
                chosen.add(id(taken))
    return tuple(n for n in neighbours if id(n) in chosen)


def _first(description: Description, *properties: URIRef) -> URIRef | None:
    for prop in properties:
        for value in description.values(prop, asserted=None):
            if isinstance(value, URIRef):
                return value
    return None


def explorer_href(path: str = "/", **parameters: str) -> str:
    query = urlencode({name: value for name, value in parameters.items() if value})
    return f"{path}?{query}" if query else path


def explorer_links(description: Description, title: str) -> Paragraph | None:
    """Where the network explorer (and the matrix) show this resource."""
    key = key_of(description.iri)
    kind = _kind(description.iri)
    if key is None or kind is None:
        return None
    links: list[Link] = []
    if kind in ("state", "organisation", "agency"):
        level = "state" if kind == "state" else "agency"
        links.append(Link(f"{title} in the network explorer", explorer_href(level=level, focus=key)))
        links.append(Link("only its links", explorer_href(level=level, actor=key, focus=key)))
    elif kind in ("instrument", "channel"):
        links.append(Link(f"the network through this {kind}", explorer_href(**{kind: key})))
        links.append(Link("the same between agencies", explorer_href(level="agency", **{kind: key})))
    elif kind in ("function", "crime-area", "data-category"):
        links.append(Link(f"the network for {title}", explorer_href(capability=key)))
        if kind == "function":
            links.append(Link("the matrix, state by state", explorer_href("/matrix", function=key)))
    elif kind in ("participation", "access"):
        actor = _first(description, B21.participant, B21.accessor)
        basis = _first(description, B21.instrument, B21.channel)
        actor_key, basis_key = key_of(actor) if actor else None, key_of(basis) if basis else None
        if actor_key and basis_key:
            level = "state" if actor_key.startswith("state/") else "agency"
            basis_kind = basis_key.split("/", 1)[0]
            href = explorer_href(level=level, focus=actor_key, **{basis_kind: basis_key})
            links.append(Link("this in the network explorer", href))
    elif kind == "link":
        ends = sorted(key for value in description.values(B21.between, asserted=None) if (key := key_of(value)))
        if len(ends) == 2:
            level = "state" if all(end.startswith("state/") for end in ends) else "agency"
            href = explorer_href(level=level, focus=ends[0], edge="~".join(ends))
            links.append(Link("why these two are linked, in the network explorer", href))
    if not links:
        return None
    parts: list[Inline] = [Text("See ")]
    for index, link in enumerate(links):
        if index:
            parts.append(Text(" or "))
        parts.append(link)
    parts.append(Text("."))
    return Paragraph(tuple(parts), role="explore")


def _incoming_section(group: IncomingGroup) -> Section:
    referrers = sorted(group.referrers.values(), key=lambda r: (referrer_name(r).casefold(), str(r.iri)))
    _, _, plural = _group_wording(group)
    items = Items(tuple(referrer_item(r) for r in referrers[:INCOMING_SHOWN]), total=len(referrers), noun=plural)
    return Section(group_heading(group), (items,), id=f"in-{prefixed_name(group.property).replace(':', '-')}")


def not_found_page(detail: str) -> Page:
    return Page(
        title="Not found",
        intro=(
            Paragraph((Text(detail),), role="lead"),
            Paragraph(
                (
                    Text("Try the "),
                    Link("ontology", "/ontology"),
                    Text(" or the "),
                    Link("SPARQL editor", "/sparql"),
                    Text("."),
                )
            ),
        ),
    )
