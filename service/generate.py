"""Synthetic data for benchmarks: a deterministic world of states, organisations, agencies,
legal instruments, participations, channels and channel accesses, shaped like `data/` and
valid under the SHACL shapes, at any size.

`generate(out, triples=N, seed=S)` writes about N triples of Turtle into `out/` (one folder per
kind, split into files of at most `file_triples` triples so each named graph of the build stays
small) and a `manifest.json` saying what it wrote and which resources a benchmark can ask about.
The same (N, S) gives the same bytes. Memory stays bounded: entities are written as they are
drawn, and only a few compact arrays (one small integer per instrument) are kept.

How the world scales
--------------------
The number of states grows with N up to the 249 ISO 3166-1 codes; agencies, instruments,
participations, channels and accesses grow linearly. Most instruments are bilateral (two states,
or two agencies in a working arrangement); a quarter are multilateral (EU-style acts and treaties
adopted among the members of an organisation, a few parties each), some of them in families
where a later act replaces, repeals and prevails over an earlier one (or a protocol amends a
treaty). The build derives one cooperation link per pair of parties of an instrument or channel,
so the number of parties per multilateral instrument and of accessors per channel is what keeps
the derived graph in proportion (about as large as the generated one).

Resources named as defaults by the named queries (`queries/*.rq`) exist in every generated world
(the states by their ISO code, the instruments as the first multilateral act of a family), so
each named query has rows to return at every size.
"""

from __future__ import annotations

import json
import random
import re
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import TextIO, TypeVar

import rdflib
from rdflib.namespace import RDF, SKOS

from service.namespaces import ID
from service.queries import load_named_queries
from service.resources import ontology_dir

T = TypeVar("T")

# ISO 3166-1 alpha-2, the states the named queries and the curated data name first, then the rest.
_ISO_CODES = (
    "de fr gb dk ie nl be lu it es pt at se fi pl cz sk hu si hr ro bg gr cy mt ee lv lt no is ch li us ca au jp "
    "al me rs md mk ua tr ge am az ba xk by ru il ma tn dz eg lb jo sa ae qa kw bh om ye iq ir sy af pk in bd lk "
    "np cn kr kp mn tw hk mo vn th la kh mm my sg id ph bn tl pg nz fj sb vu nc pf ws to ki tv nr fm mh pw ck nu "
    "mx gt bz sv hn ni cr pa cu jm ht do bs bb ag dm gd kn lc vc tt co ve gy sr br ec pe bo py uy ar cl za na bw "
    "zw zm mw mz tz ke ug rw bi cd cg ga gq cm cf td ne ng bj tg gh ci lr sl gn gw sn gm ml bf mr cv st ao et er "
    "dj so sd ss ly mg mu sc km re yt sh io tf bv hm aq gs fk pm gl fo gi ad mc sm va im je gg ax sj um as gu mp "
    "pr vi vg ai ms ky bm tc aw cw sx bq bl mf gp mq gf kz uz tm kg tj mv bt eh pn nf cx cc wf tk"
)
ISO_CODES = tuple(_ISO_CODES.split())

FIRST_DAY = date(1957, 1, 1)
LAST_DAY = date(2025, 12, 31)
BREXIT_DAY = date(2020, 12, 31)  # participations that end here make lost-on-end-date say something
SOURCE = "https://example.org/border21-synthetic"  # every fact cites a synthetic source, never a real one

PREFIXES = {
    "b21": "https://w3id.org/border21/ontology#",
    "dcterms": "http://purl.org/dc/terms/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "state": f"{ID}state/",
    "org21": f"{ID}organisation/",
    "agency": f"{ID}agency/",
    "instrument": f"{ID}instrument/",
    "participation": f"{ID}participation/",
    "channel": f"{ID}channel/",
    "access": f"{ID}access/",
    "mode": f"{ID}participation-mode/",
    "fn": f"{ID}function/",
    "crime": f"{ID}crime-area/",
    "data": f"{ID}data-category/",
}

# Instrument kinds: (class, slug word, weight). Bilateral ones have two parties.
BILATERAL = "bilateral-agreement"
ARRANGEMENT = "working-arrangement"
KINDS: tuple[tuple[str, str, float], ...] = (
    ("b21:BilateralAgreement", BILATERAL, 0.50),
    ("b21:WorkingArrangement", ARRANGEMENT, 0.25),
    ("b21:Treaty", "treaty", 0.06),
    ("b21:Regulation", "regulation", 0.05),
    ("b21:Directive", "directive", 0.04),
    ("b21:FrameworkDecision", "framework-decision", 0.02),
    ("b21:CouncilDecision", "council-decision", 0.04),
    ("b21:InternationalAgreement", "international-agreement", 0.03),
    ("b21:SecurityCouncilResolution", "security-council-resolution", 0.01),
)
PROTOCOL = ("b21:Protocol", "protocol")
EU_ACTS = {"regulation": "R", "directive": "L", "framework-decision": "F", "council-decision": "D"}
ELI_TYPES = {"regulation": "reg", "directive": "dir", "framework-decision": "dec_framw", "council-decision": "dec"}
MAX_UN_RESOLUTIONS = 9999  # the symbol S/RES/N (YYYY) has at most four digits

NATIONAL_TOP = ("PoliceAuthority", "ProsecutionAuthority", "CustomsAuthority", "BorderGuardAuthority")
NATIONAL_TOP_NAMES = ("Criminal Police Office", "Prosecution Service", "Customs Administration", "Border Guard")
NATIONAL_UNITS = (
    ("SireneBureau", "SIRENE Bureau"),
    ("NationalCentralBureau", "National Central Bureau"),
    ("EuropolNationalUnit", "National Unit"),
    ("FinancialIntelligenceUnit", "Financial Intelligence Unit"),
    ("CentralAuthority", "Central Authority for Mutual Legal Assistance"),
    ("PoliceAuthority", "Regional Police Directorate"),
    ("PoliceAuthority", "Cybercrime Centre"),
    ("ProsecutionAuthority", "Regional Prosecution Office"),
)
CHANNEL_CLASSES = ("b21:InformationSystem", "b21:CommunicationNetwork", "b21:CooperationNetwork")

_SYLLABLES = (
    "al ar ba bel ca cor da del en fa gar ha is ka ker la lor ma mon na nor o pa per qua ra ros sa sel ta tor "
    "u va ven wa xa ya zan bri dra fel gri kal mir nes pol rin sto tav vel zor"
)
SYLLABLES = tuple(_SYLLABLES.split())
TOPICS = (
    "police cooperation",
    "mutual legal assistance in criminal matters",
    "the exchange of information",
    "surrender of wanted persons",
    "the fight against organised crime",
    "the prevention of terrorism",
    "cross-border surveillance",
    "the comparison of fingerprints and DNA profiles",
    "passenger name records",
    "the recovery of criminal assets",
    "joint investigation teams",
    "the exchange of criminal records",
    "border management",
    "combating cybercrime",
    "combating trafficking in human beings",
    "combating drug trafficking",
)

# Participation modes by kind of instrument: (mode slug, weight).
EU_MODES = (("party", 0.80), ("opt-in", 0.06), ("opt-out", 0.08), ("association", 0.06))
TREATY_MODES = (("party", 0.68), ("party-with-reservation", 0.14), ("signatory", 0.12), ("observer", 0.06))

# Shares of the generated triples (calibrated against what the writers below produce).
AGENCY_SHARE = 0.14
CHANNEL_SHARE = 0.015
ACCESS_SHARE = 0.06
TRIPLES_PER_AGENCY = 5.8
TRIPLES_PER_CHANNEL = 10.3
TRIPLES_PER_ACCESS = 5.6
TRIPLES_PER_INSTRUMENT = 26.9  # the instrument with its participations


@dataclass(frozen=True)
class Plan:
    """How many of each kind of entity a world of about `triples` triples has."""

    triples: int
    states: int
    organisations: int
    agencies: int
    instruments: int
    channels: int
    accesses: int

    @classmethod
    def for_triples(cls, triples: int) -> Plan:
        if triples < 2_000:
            raise ValueError("generate at least 2000 triples")
        states = max(12, min(len(ISO_CODES), round(triples / 4000)))
        organisations = max(2, states // 10)
        agencies = max(states * len(NATIONAL_TOP), round(AGENCY_SHARE * triples / TRIPLES_PER_AGENCY))
        channels = max(3, round(CHANNEL_SHARE * triples / TRIPLES_PER_CHANNEL))
        accesses = max(channels * 2, round(ACCESS_SHARE * triples / TRIPLES_PER_ACCESS))
        fixed = states * 4 + organisations * 60 + agencies * TRIPLES_PER_AGENCY
        fixed += channels * TRIPLES_PER_CHANNEL + accesses * TRIPLES_PER_ACCESS
        instruments = max(10, round((triples - fixed) / TRIPLES_PER_INSTRUMENT))
        return cls(triples, states, organisations, agencies, instruments, channels, accesses)


@dataclass
class Manifest:
    """What a generation wrote, and resources a benchmark can ask about."""

    requested: int
    seed: int
    triples: int = 0
    plan: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    triples_by_folder: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    samples: dict[str, list[str]] = field(default_factory=dict)

    def write(self, directory: Path) -> None:
        (directory / "manifest.json").write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        return cls(**json.loads((directory / "manifest.json").read_text(encoding="utf-8")))


# -- writing Turtle ------------------------------------------------------------------------------

Statement = tuple[str, str | Sequence[str]]


class TurtleFiles:
    """Entities of one kind written into `directory/part-NNNN.ttl`, a new file every
    `max_triples` triples."""

    def __init__(self, root: Path, folder: str, max_triples: int, heading: str) -> None:
        self.directory = root / folder
        self.directory.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.max_triples = max_triples
        self.heading = heading
        self.triples = 0
        self.entities = 0
        self.paths: list[Path] = []
        self._out: TextIO | None = None
        self._in_file = 0

    def _open(self) -> TextIO:
        if self._out is None or self._in_file >= self.max_triples:
            self.close()
            path = self.directory / f"part-{len(self.paths) + 1:04d}.ttl"
            self.paths.append(path)
            self._out = path.open("w", encoding="utf-8", newline="\n")
            self._out.write("".join(f"@prefix {name}: <{iri}> .\n" for name, iri in PREFIXES.items()))
            self._out.write(
                f"\n# {self.heading}\n# Synthetic data (`border21 generate`): names, dates and sources are made up.\n"
            )
            self._in_file = 0
        return self._out

    def entity(self, subject: str, classes: str, statements: Sequence[Statement]) -> None:
        out = self._open()
        lines = [f"\n{subject} a {classes}"]
        count = classes.count(",") + 1
        for predicate, value in statements:
            if isinstance(value, str):
                lines.append(f"    {predicate} {value}")
                count += 1
            elif value:
                lines.append(f"    {predicate} {' , '.join(value)}")
                count += len(value)
        out.write(" ;\n".join(lines) + " .\n")
        self.triples += count
        self._in_file += count
        self.entities += 1

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


def text(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def english(value: str) -> str:
    return f"{text(value)}@en"


def day(value: date) -> str:
    return f'"{value.isoformat()}"^^xsd:date'


def source(kind: str, slug: str) -> str:
    return f"<{SOURCE}/{kind}/{slug}>"


# -- the world -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    functions: tuple[str, ...]
    crime_areas: tuple[str, ...]
    data_categories: tuple[str, ...]
    modes: frozenset[str]

    @classmethod
    def read(cls, ontology: Path) -> Vocabulary:
        """The concepts of each scheme, from the ontology's vocabularies (slugs, sorted)."""
        graph = rdflib.Graph()
        for path in sorted((ontology / "vocab").glob("*.ttl")):
            graph.parse(path, format="turtle")
        schemes: dict[str, list[str]] = {}
        for concept in graph.subjects(RDF.type, SKOS.Concept):
            for scheme in graph.objects(concept, SKOS.inScheme):
                schemes.setdefault(str(scheme).rsplit("/", 1)[-1], []).append(str(concept).rsplit("/", 1)[-1])
        vocabulary = cls(
            tuple(sorted(schemes.get("cooperation-functions", []))),
            tuple(sorted(schemes.get("crime-areas", []))),
            tuple(sorted(schemes.get("data-categories", []))),
            frozenset(schemes.get("participation-modes", [])),
        )
        wanted = {mode for mode, _ in EU_MODES + TREATY_MODES} | {"member", "provisional-application"}
        missing = wanted - vocabulary.modes
        if missing or not vocabulary.functions or not vocabulary.crime_areas or not vocabulary.data_categories:
            raise ValueError(f"the ontology's vocabularies lack what the generator uses: {sorted(missing)}")
        return vocabulary


def anchors_from_named_queries() -> tuple[list[str], list[str]]:
    """The state codes and instrument slugs the named queries use as defaults."""
    states: list[str] = []
    instruments: list[str] = []
    for query in load_named_queries():
        for parameter in query.parameters:
            if parameter.type != "iri" or not parameter.default:
                continue
            match = re.fullmatch(re.escape(str(ID)) + r"(state|instrument)/([a-z0-9][a-z0-9._-]*)", parameter.default)
            if match is None:
                continue
            target = states if match.group(1) == "state" else instruments
            if match.group(2) not in target:
                target.append(match.group(2))
    return states, instruments


class Names:
    """Pronounceable made-up names, the same for the same seed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def word(self, syllables: int = 3) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()

    def acronym(self) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPRSTUVWZ") for _ in range(self.rng.randint(3, 5)))


@dataclass
class World:
    """Everything later entities refer back to, kept small: names of states and organisations,
    organisation memberships, and per instrument its kind and (for multilateral ones) index."""

    plan: Plan
    vocabulary: Vocabulary
    state_codes: list[str]
    state_names: list[str] = field(default_factory=list)
    organisation_names: list[str] = field(default_factory=list)
    members: list[list[int]] = field(default_factory=list)
    founding: list[str] = field(default_factory=list)
    org_agencies: list[list[str]] = field(default_factory=list)
    instrument_slugs: dict[int, str] = field(default_factory=dict)  # anchors only
    instrument_kind: bytearray = field(default_factory=bytearray)
    instrument_start: array[int] = field(default_factory=lambda: array("i"))
    multilateral: array[int] = field(default_factory=lambda: array("i"))

    def state(self, index: int) -> str:
        return f"state:{self.state_codes[index]}"

    def national_agencies(self) -> int:
        return self.plan.agencies

    def agency_state(self, index: int) -> int:
        return index % self.plan.states

    def agency(self, index: int) -> str:
        return f"agency:{self.state_codes[self.agency_state(index)]}-{index}"

    def instrument_slug(self, index: int) -> str:
        kind = self.instrument_kind[index]
        word = PROTOCOL[1] if kind == len(KINDS) else KINDS[kind][1]
        return self.instrument_slugs.get(index, f"{word}-{index:06d}")

    def instrument(self, index: int) -> str:
        return f"instrument:{self.instrument_slug(index)}"


def weighted(rng: random.Random, choices: Sequence[tuple[T, float]]) -> T:
    point = rng.random() * sum(weight for _, weight in choices)
    for value, weight in choices:
        point -= weight
        if point < 0:
            return value
    return choices[-1][0]


def later(rng: random.Random, start: date, most_days: int) -> date:
    return min(LAST_DAY, start + timedelta(days=rng.randint(0, most_days)))


def generate(
    out: Path,
    triples: int,
    seed: int = 0,
    *,
    ontology: Path | None = None,
    file_triples: int = 50_000,
) -> Manifest:
    """Write a synthetic world of about `triples` triples into `out` (created; existing files of
    the kinds it writes are replaced). Returns the manifest it also writes."""
    plan = Plan.for_triples(triples)
    out.mkdir(parents=True, exist_ok=True)
    for folder in ("actors", "instruments", "participations", "channels", "accesses"):
        for old in (out / folder).glob("part-*.ttl") if (out / folder).is_dir() else ():
            old.unlink()
    vocabulary = Vocabulary.read(ontology or ontology_dir())
    anchor_states, anchor_instruments = anchors_from_named_queries()
    codes = [c for c in anchor_states if c in ISO_CODES]
    codes += [c for c in ISO_CODES if c not in codes]
    world = World(plan, vocabulary, codes[: plan.states])
    manifest = Manifest(requested=triples, seed=seed, plan=asdict(plan))
    writers = {
        name: TurtleFiles(out, name, file_triples, heading)
        for name, heading in (
            ("actors", "States, international organisations and agencies."),
            ("instruments", "Legal instruments."),
            ("participations", "Who takes part in which instrument, in which mode, from when to when."),
            ("channels", "Cooperation channels."),
            ("accesses", "Who has access to which channel, from when to when."),
        )
    }
    try:
        _states_and_organisations(world, writers, random.Random(f"{seed}:actors"))
        _agencies(world, writers["actors"], random.Random(f"{seed}:agencies"))
        _instruments(world, writers, random.Random(f"{seed}:instruments"), anchor_instruments)
        _channels(world, writers, random.Random(f"{seed}:channels"))
    finally:
        for writer in writers.values():
            writer.close()
    manifest.triples = sum(w.triples for w in writers.values())
    manifest.counts = {name: w.entities for name, w in writers.items()}
    manifest.triples_by_folder = {name: w.triples for name, w in writers.items()}
    manifest.files = sorted(str(p.relative_to(out)) for w in writers.values() for p in w.paths)
    manifest.samples = _samples(world, random.Random(f"{seed}:samples"), anchor_instruments)
    manifest.write(out)
    return manifest


def _states_and_organisations(world: World, writers: dict[str, TurtleFiles], rng: random.Random) -> None:
    names = Names(rng)
    actors = writers["actors"]
    for index, code in enumerate(world.state_codes):
        name = names.word(3)
        world.state_names.append(name)
        actors.entity(
            world.state(index),
            "b21:State",
            [
                ("rdfs:label", english(name)),
                ("b21:isoCode", text(code.upper())),
                ("dcterms:source", source("state", code)),
            ],
        )
    states = world.plan.states
    for number in range(world.plan.organisations):
        slug = f"org-{number:03d}"
        name = f"{names.word(2)} {rng.choice(('Union', 'Community', 'Council', 'Pact', 'Partnership'))}"
        world.organisation_names.append(name)
        world.founding.append(f"instrument:founding-{slug}")
        size = min(states, rng.randint(6, 14))
        first = (number * 7) % states
        world.members.append(sorted({(first + step) % states for step in range(size)}))
        actors.entity(
            f"org21:{slug}",
            "b21:InternationalOrganisation",
            [
                ("rdfs:label", english(name)),
                ("b21:acronym", text(names.acronym())),
                ("b21:establishedBy", world.founding[-1]),
                ("dcterms:source", source("organisation", slug)),
            ],
        )
        agencies = []
        for unit in range(rng.randint(1, 3)):
            agency = f"agency:{slug}-{unit}"
            agencies.append(agency)
            actors.entity(
                agency,
                "b21:EUAgency" if number == 0 else "b21:PoliceAuthority",
                [
                    ("rdfs:label", english(f"{name} Agency for {rng.choice(TOPICS).capitalize()}")),
                    ("b21:acronym", text(names.acronym())),
                    ("org:subOrganizationOf", f"org21:{slug}"),
                    ("b21:establishedBy", world.founding[-1]),
                    ("dcterms:source", source("agency", f"{slug}-{unit}")),
                ],
            )
        world.org_agencies.append(agencies)
    # The founding treaties and the memberships they carry (mode member), written with the
    # other instruments and participations.
    for number, members in enumerate(world.members):
        slug = f"org-{number:03d}"
        adopted = date(rng.randint(1957, 2000), rng.randint(1, 12), rng.randint(1, 28))
        in_force = later(rng, adopted, 700)
        writers["instruments"].entity(
            world.founding[number],
            "b21:Treaty",
            [
                ("rdfs:label", english(f"Treaty establishing the {world.organisation_names[number]}")),
                ("b21:treatyNumber", text(f"UNTS {100000 + number}")),
                ("b21:dateAdopted", day(adopted)),
                ("b21:dateEntryIntoForce", day(in_force)),
                ("b21:establishes", f"org21:{slug}"),
                ("b21:cooperationFunction", "fn:information-exchange"),
                ("dcterms:source", source("instrument", f"founding-{slug}")),
            ],
        )
        for member in members:
            joined = later(rng, in_force, 9000)
            statements: list[Statement] = [
                ("b21:participant", world.state(member)),
                ("b21:instrument", world.founding[number]),
                ("b21:participationMode", "mode:member"),
                ("b21:startDate", day(joined)),
            ]
            if rng.random() < 0.04 and joined < BREXIT_DAY:
                statements.append(("b21:endDate", day(BREXIT_DAY)))
            statements.append(("dcterms:source", source("participation", f"founding-{slug}--{member}")))
            writers["participations"].entity(
                f"participation:founding-{slug}--{world.state_codes[member]}", "b21:Participation", statements
            )


def _agencies(world: World, actors: TurtleFiles, rng: random.Random) -> None:
    """National agencies, three levels deep at most, as national administrations are: the first
    layer of each state (one agency per state and layer; agency `i` belongs to state `i mod S`)
    hangs off the state, the next layers off an agency of the first layers of the same state."""
    states = world.plan.states
    top = len(NATIONAL_TOP)
    names = Names(rng)
    for index in range(world.plan.agencies):
        state = world.agency_state(index)
        state_name = world.state_names[state]
        layer = index // states
        if layer < top:
            cls, label = f"b21:{NATIONAL_TOP[layer]}", f"{state_name} {NATIONAL_TOP_NAMES[layer]}"
            parent = world.state(state)
        else:
            unit_class, unit_name = rng.choice(NATIONAL_UNITS)
            cls, label = f"b21:{unit_class}", f"{state_name} {unit_name} {names.word(2)}"
            parent_layer = rng.randrange(top) if layer < 3 * top else rng.randrange(top, 3 * top)
            parent = world.agency(state + states * parent_layer)
        statements: list[Statement] = [("rdfs:label", english(label))]
        if rng.random() < 0.3:
            statements.append(("b21:acronym", text(names.acronym())))
        statements += [("org:subOrganizationOf", parent), ("b21:seat", world.state(state))]
        if rng.random() < 0.5:
            statements.append(("b21:seatCity", text(names.word(2))))
        statements.append(("dcterms:source", source("agency", world.agency(index).split(":", 1)[1])))
        actors.entity(world.agency(index), cls, statements)


def _instruments(world: World, writers: dict[str, TurtleFiles], rng: random.Random, anchors: list[str]) -> None:
    """Instruments with their participations. Multilateral acts come in families: a later
    member replaces, repeals and prevails over the one before (or, for treaties, a protocol
    amends the treaty)."""
    plan = world.plan
    kinds = [(position, weight) for position, (_, _, weight) in enumerate(KINDS)]
    index = 0
    un_resolutions = 0
    pending_anchors = list(anchors)
    while index < plan.instruments:
        kind = weighted(rng, kinds)
        word = KINDS[kind][1]
        if pending_anchors and word not in EU_ACTS:
            continue  # the named queries' default instruments come first, as EU acts in families
        if word == "security-council-resolution" and un_resolutions >= MAX_UN_RESOLUTIONS:
            continue
        size = 1
        if word in EU_ACTS or word == "treaty":
            size = rng.randint(2, 3) if pending_anchors else weighted(rng, ((1, 0.7), (2, 0.2), (3, 0.1)))
        size = min(size, plan.instruments - index)
        family = Family(
            word=word,
            kind=kind,
            functions=rng.sample(world.vocabulary.functions, rng.randint(1, 3)),
            crimes=rng.sample(world.vocabulary.crime_areas, rng.randint(0, 2)),
            categories=rng.sample(world.vocabulary.data_categories, rng.randint(1, 2)) if rng.random() < 0.5 else [],
            organisation=rng.randrange(plan.organisations),
        )
        parties = _parties(world, rng, word, family.organisation)
        adopted = date(rng.randint(1960, 2024), rng.randint(1, 12), rng.randint(1, 28))
        head = index
        for position in range(size):
            is_protocol = word == "treaty" and position > 0
            world.instrument_kind.append(len(KINDS) if is_protocol else kind)
            if position == 0 and pending_anchors:
                world.instrument_slugs[index] = pending_anchors.pop(0)
            in_force = later(rng, adopted, 900)
            applies = later(rng, in_force, 700) if word == "regulation" and rng.random() < 0.5 else None
            successor_adopted = later(rng, in_force + timedelta(days=365), 3000) if position + 1 < size else None
            ended = None
            if successor_adopted is not None and word != "treaty":
                ended = successor_adopted - timedelta(days=1)
                if ended < (applies or in_force):
                    ended = None
            start = applies or in_force
            world.instrument_start.append(start.toordinal())
            if word not in (BILATERAL, ARRANGEMENT, "security-council-resolution"):
                world.multilateral.append(index)
            statements = _instrument_statements(
                world, rng, index, family, is_protocol, adopted, in_force, applies, ended
            )
            if position > 0 and is_protocol:
                statements.append(("eli:amends", world.instrument(head)))
            elif position > 0:
                statements += [
                    (p, world.instrument(index - 1)) for p in ("b21:replaces", "eli:repeals", "b21:prevailsOver")
                ]
            statements.append(("dcterms:source", source("instrument", world.instrument_slug(index))))
            cls = PROTOCOL[0] if is_protocol else KINDS[kind][0]
            writers["instruments"].entity(world.instrument(index), cls, statements)
            if word == "security-council-resolution":
                un_resolutions += 1
            else:
                _participations(world, writers["participations"], rng, index, parties, start)
            adopted = successor_adopted or adopted
            index += 1


@dataclass(frozen=True)
class Family:
    """What the members of one family of instruments share."""

    word: str
    kind: int
    functions: list[str]
    crimes: list[str]
    categories: list[str]
    organisation: int


def _instrument_statements(
    world: World,
    rng: random.Random,
    index: int,
    family: Family,
    is_protocol: bool,
    adopted: date,
    in_force: date,
    applies: date | None,
    ended: date | None,
) -> list[Statement]:
    word = family.word
    names = Names(rng)
    topic = rng.choice(TOPICS)
    identifiers: list[Statement] = []
    if word in EU_ACTS:
        number = index % 9999 + 1
        year = adopted.year
        organisation = world.organisation_names[family.organisation]
        label = f"{word.replace('-', ' ').capitalize()} {year}/{number} of the {organisation} on {topic}"
        identifiers = [
            ("b21:celexNumber", text(f"3{year}{EU_ACTS[word]}{number:04d}")),
            (
                "b21:eliIdentifier",
                f'"http://data.europa.eu/eli/{ELI_TYPES[word]}/{year}/{number}/oj"^^xsd:anyURI',
            ),
        ]
    elif word == BILATERAL:
        label = f"Agreement on {topic} ({names.word(2)} {adopted.year})"
        identifiers = [("dcterms:identifier", text(f"BA/{adopted.year}/{index}"))]
    elif word == ARRANGEMENT:
        label = f"Working arrangement on {topic} ({names.word(2)} {adopted.year})"
    elif word == "security-council-resolution":
        number = index % MAX_UN_RESOLUTIONS + 1
        label = f"Security Council resolution {number} ({adopted.year}) on {topic}"
        identifiers = [("b21:unSymbol", text(f"S/RES/{number} ({adopted.year})"))]
    else:
        series = f"CETS {index % 1000:03d}" if index % 7 == 0 else f"UNTS {index + 1}"
        what = "Protocol to the Convention" if is_protocol else "Convention"
        label = f"{what} of {names.word(3)} on {topic}"
        identifiers = [("b21:treatyNumber", text(series))]
    statements: list[Statement] = [("rdfs:label", english(label))]
    if rng.random() < 0.5:
        statements.append(("b21:acronym", text(names.acronym())))
    statements += identifiers
    statements += [("b21:dateAdopted", day(adopted)), ("b21:dateEntryIntoForce", day(in_force))]
    if applies is not None:
        statements.append(("b21:dateOfApplication", day(applies)))
    if ended is not None:
        statements.append(("b21:dateNoLongerInForce", day(ended)))
    statements.append(("b21:cooperationFunction", [f"fn:{f}" for f in family.functions]))
    if family.crimes:
        statements.append(("b21:crimeArea", [f"crime:{c}" for c in family.crimes]))
    if family.categories:
        statements.append(("b21:dataCategory", [f"data:{c}" for c in family.categories]))
    return statements


def _parties(world: World, rng: random.Random, word: str, organisation: int) -> list[tuple[str, str]]:
    """Who takes part in an instrument: (actor, mode) pairs; mode `org-party` marks an
    organisation whose participation extends to its members."""
    states = world.plan.states
    if word == BILATERAL:
        if rng.random() < 0.15:
            outsiders = [s for s in range(states) if s not in world.members[organisation]] or list(range(states))
            return [(f"org21:org-{organisation:03d}", "org-party"), (world.state(rng.choice(outsiders)), "party")]
        first, second = rng.sample(range(states), 2)
        return [(world.state(first), "party"), (world.state(second), "party")]
    if word == ARRANGEMENT:
        first = rng.randrange(world.plan.agencies)
        if rng.random() < 0.3:
            return [(rng.choice(world.org_agencies[organisation]), "party"), (world.agency(first), "party")]
        second = rng.randrange(world.plan.agencies)
        while world.agency_state(second) == world.agency_state(first):
            second = rng.randrange(world.plan.agencies)
        return [(world.agency(first), "party"), (world.agency(second), "party")]
    if word == "international-agreement":
        outsiders = [s for s in range(states) if s not in world.members[organisation]] or list(range(states))
        picked = rng.sample(outsiders, min(len(outsiders), rng.randint(1, 2)))
        return [(f"org21:org-{organisation:03d}", "org-party")] + [(world.state(s), "party") for s in picked]
    members = world.members[organisation]
    count = min(len(members), 3 + int(rng.expovariate(1 / 2.0)))
    chosen = sorted(rng.sample(members, count))
    modes = EU_MODES if word in EU_ACTS else TREATY_MODES
    return [(world.state(s), weighted(rng, modes)) for s in chosen]


def _participations(
    world: World,
    writer: TurtleFiles,
    rng: random.Random,
    index: int,
    parties: list[tuple[str, str]],
    start: date,
) -> None:
    slug = world.instrument_slug(index)
    for number, (actor, mode) in enumerate(parties):
        begins = later(rng, start, 730) if rng.random() < 0.3 else start
        statements: list[Statement] = [
            ("b21:participant", actor),
            ("b21:instrument", world.instrument(index)),
            ("b21:participationMode", "mode:party" if mode == "org-party" else f"mode:{mode}"),
            ("b21:startDate", day(begins)),
        ]
        ends: date | None = None
        if begins < BREXIT_DAY and rng.random() < (0.4 if actor == "state:gb" else 0.03):
            ends = BREXIT_DAY
        elif rng.random() < 0.09:
            ends = later(rng, begins, 6000)
        if ends is not None:
            statements.append(("b21:endDate", day(ends)))
        if mode == "org-party":
            statements.append(("b21:extendsToMembers", '"true"^^xsd:boolean'))
        statements.append(("dcterms:source", source("participation", f"{slug}--{number}")))
        writer.entity(f"participation:{slug}--{number}", "b21:Participation", statements)


def _channels(world: World, writers: dict[str, TurtleFiles], rng: random.Random) -> None:
    plan = world.plan
    vocabulary = world.vocabulary
    names = Names(rng)
    per_channel = max(2, round(plan.accesses / plan.channels))
    for number in range(plan.channels):
        slug = f"channel-{number:05d}"
        organisation = rng.randrange(plan.organisations)
        bases = {world.multilateral[rng.randrange(len(world.multilateral))] for _ in range(rng.randint(1, 2))}
        opened = max(date.fromordinal(world.instrument_start[b]) for b in bases)
        opened = later(rng, opened, 1500)
        acronym = names.acronym()
        statements: list[Statement] = [
            (
                "rdfs:label",
                english(f"{names.word(2)} {rng.choice(('Exchange', 'Network', 'System'))} for {rng.choice(TOPICS)}"),
            ),
            ("b21:acronym", text(acronym)),
            ("b21:operatedBy", rng.choice(world.org_agencies[organisation])),
            ("b21:legalBasis", [world.instrument(b) for b in sorted(bases)]),
            ("b21:startDate", day(opened)),
            ("b21:cooperationFunction", [f"fn:{f}" for f in rng.sample(vocabulary.functions, rng.randint(1, 2))]),
        ]
        if rng.random() < 0.6:
            statements.append(
                ("b21:dataCategory", [f"data:{c}" for c in rng.sample(vocabulary.data_categories, rng.randint(1, 2))])
            )
        if rng.random() < 0.4:
            statements.append(("b21:crimeArea", f"crime:{rng.choice(vocabulary.crime_areas)}"))
        statements.append(("dcterms:source", source("channel", slug)))
        writers["channels"].entity(f"channel:{slug}", rng.choice(CHANNEL_CLASSES), statements)
        members = world.members[organisation]
        accessors: list[str] = []
        for _ in range(max(2, round(rng.gauss(per_channel, per_channel / 3)))):
            state = rng.choice(members)
            if rng.random() < 0.5:
                # an agency of that state: indices of one state share their remainder
                steps = max(1, (plan.agencies - state) // plan.states)
                accessors.append(world.agency(state + plan.states * rng.randrange(steps)))
            else:
                accessors.append(world.state(state))
        for position, accessor in enumerate(dict.fromkeys(accessors)):
            begins = later(rng, opened, 2500)
            statements = [("b21:accessor", accessor), ("b21:channel", f"channel:{slug}")]
            if rng.random() < 0.5:
                statements.append(("b21:accessBasis", world.instrument(min(bases))))
            statements.append(("b21:startDate", day(begins)))
            if rng.random() < 0.08:
                statements.append(("b21:endDate", day(later(rng, begins, 4000))))
            statements.append(("dcterms:source", source("access", f"{slug}--{position}")))
            writers["accesses"].entity(f"access:{slug}--{position}", "b21:ChannelAccess", statements)


def _samples(world: World, rng: random.Random, anchors: list[str]) -> dict[str, list[str]]:
    """Keys of resources a benchmark asks about, drawn from what was generated."""
    plan = world.plan
    states = [f"state/{c}" for c in world.state_codes]
    agencies = [world.agency(rng.randrange(plan.agencies)).replace("agency:", "agency/") for _ in range(8)]
    instruments = [f"instrument/{a}" for a in anchors]
    instruments += [f"instrument/{world.instrument_slug(rng.randrange(plan.instruments))}" for _ in range(8)]
    channels = [f"channel/channel-{rng.randrange(plan.channels):05d}" for _ in range(4)]
    members = world.members[0]
    pairs = [f"state/{world.state_codes[a]} state/{world.state_codes[b]}" for a, b in pairwise(members)]
    search = [
        world.state_names[0],
        world.state_names[1][:4],
        f"{world.state_names[2]} police",
        "regulation on terrorism",
    ]
    search += [world.organisation_names[0].split()[0], "mutual legal asistance", "SIRENE"]
    return {
        "states": states[:8],
        "agencies": agencies,
        "instruments": instruments,
        "channels": channels,
        "pairs": pairs[:6],
        "functions": ["function/information-exchange", "function/surrender", "function/fingerprint-comparison"],
        "search": search,
    }


def iter_files(directory: Path) -> Iterator[Path]:
    """The Turtle files of a generated directory, in a stable order."""
    yield from sorted(directory.rglob("*.ttl"))
