"""The source files of a build and the named graph each one becomes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node, URIRef

from service.errors import ValidationFailed
from service.namespaces import GRAPH, ONTOLOGY_GRAPH
from service.store.oxigraph import OxigraphStore

ONTOLOGY_FILE = "border21.ttl"


@dataclass
class SourceFile:
    path: Path
    display: str  # how messages name the file, e.g. "data/states.ttl"
    role: str  # ontology | vocab | shapes | rules-free data
    graph_iri: URIRef
    # parsed by rdflib for the ontology, vocabularies and shapes; data is read into a store only
    graph: rdflib.Graph = field(repr=False, default_factory=rdflib.Graph)
    sha256: str = ""
    triple_count: int = 0

    def line_of(self, node: Node) -> int | None:
        """The first line where `node` stands as a subject (else anywhere), for messages."""
        if not isinstance(node, URIRef):
            return None
        text = self.path.read_text(encoding="utf-8")
        spellings = [f"<{node}>"]
        for prefix, namespace in re.findall(r"@prefix\s+([\w-]*):\s*<([^>]*)>", text):
            if str(node).startswith(namespace) and str(node) != namespace:
                spellings.append(f"{prefix}:{str(node)[len(namespace) :]}")
        lines = text.splitlines()
        for wanted_start in (True, False):
            for number, line in enumerate(lines, start=1):
                stripped = line.strip()
                for spelling in spellings:
                    if wanted_start and _starts_with_token(stripped, spelling):
                        return number
                    if not wanted_start and _contains_token(stripped, spelling):
                        return number
        return None


def _starts_with_token(line: str, token: str) -> bool:
    return line.startswith(token) and (len(line) == len(token) or not _name_char(line[len(token)]))


def _contains_token(line: str, token: str) -> bool:
    start = line.find(token)
    while start != -1:
        end = start + len(token)
        before_ok = start == 0 or not _name_char(line[start - 1])
        after_ok = end == len(line) or not _name_char(line[end])
        if before_ok and after_ok:
            return True
        start = line.find(token, start + 1)
    return False


def _name_char(char: str) -> bool:
    return char.isalnum() or char in "_-:."


def _graph_for(role: str, relative: Path) -> URIRef:
    if role == "ontology":
        return ONTOLOGY_GRAPH
    return GRAPH[f"{role}/{relative.with_suffix('').as_posix()}"]


def discover(ontology_dir: Path, data_dir: Path) -> list[SourceFile]:
    """Every source file, in a stable order: ontology, vocabularies, shapes, then data."""
    ontology_dir, data_dir = ontology_dir.resolve(), data_dir.resolve()
    ontology_file = ontology_dir / ONTOLOGY_FILE
    if not ontology_file.is_file():
        raise ValidationFailed(f"no ontology at {ontology_file}", [f"{ontology_file}: missing"])
    if not data_dir.is_dir():
        raise ValidationFailed(f"no data directory at {data_dir}", [f"{data_dir}: missing"])
    found = [SourceFile(ontology_file, f"ontology/{ONTOLOGY_FILE}", "ontology", ONTOLOGY_GRAPH)]
    for role, root, label in (
        ("vocab", ontology_dir / "vocab", "ontology/vocab"),
        ("shapes", ontology_dir / "shapes", "ontology/shapes"),
        ("data", data_dir, "data"),
    ):
        for path in sorted(root.rglob("*.ttl")) if root.is_dir() else []:
            relative = path.relative_to(root)
            found.append(SourceFile(path, f"{label}/{relative.as_posix()}", role, _graph_for(role, relative)))
    if not any(source.role == "shapes" for source in found):
        raise ValidationFailed("no SHACL shapes found", [f"{ontology_dir / 'shapes'}: no .ttl files"])
    return found


def read(source: SourceFile, store: OxigraphStore) -> None:
    """Read one file into its graph in `store` (and, unless it is data, into `source.graph`);
    a syntax error names the file and line."""
    if source.role != "data":
        parse(source)
    else:
        _text(source)
    try:
        store.load_file(source.path, source.graph_iri)
    except ValidationFailed as failure:
        parse(source)  # rdflib's message shows the line in question
        source.graph = rdflib.Graph()
        # rdflib read what the engine does not (a relative IRI, say): the engine's message stands
        problems = []
        for problem in failure.problems:
            line = re.search(r"\bline (\d+)", problem)
            problems.append(f"{source.display}:{line.group(1)}: {problem}" if line else f"{source.display}: {problem}")
        raise ValidationFailed(f"{source.display} is not valid Turtle", problems) from failure
    source.triple_count = store.triple_count(source.graph_iri)


def parse(source: SourceFile) -> None:
    """Parse one file into `source.graph` with rdflib; a syntax error names the file and line."""
    text = _text(source)
    graph = rdflib.Graph()
    try:
        graph.parse(data=text, format="turtle", publicID=source.path.as_uri())
    except BadSyntax as error:
        zero_based = getattr(error, "lines", None)
        detail = _syntax_message(error)
        where = f"{source.display}:{zero_based + 1}" if isinstance(zero_based, int) else source.display
        raise ValidationFailed(f"{source.display} is not valid Turtle", [f"{where}: {detail}"]) from error
    except Exception as error:  # rdflib raises assorted errors for bad literals and IRIs
        raise ValidationFailed(f"{source.display} is not valid Turtle", [f"{source.display}: {error}"]) from error
    source.graph = graph
    source.triple_count = len(graph)


def _text(source: SourceFile) -> str:
    raw = source.path.read_bytes()
    source.sha256 = hashlib.sha256(raw).hexdigest()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ValidationFailed(
            f"{source.display} is not UTF-8", [f"{source.display}:{line}: byte {error.start} is not valid UTF-8"]
        ) from error


def _syntax_message(error: BadSyntax) -> str:
    why = getattr(error, "_why", None) or str(error)
    text, position = getattr(error, "_str", b""), getattr(error, "_i", None)
    if isinstance(text, bytes | bytearray) and isinstance(position, int):
        line_start = text.rfind(b"\n", 0, position) + 1
        line_end = text.find(b"\n", position)
        line = text[line_start : line_end if line_end != -1 else None].decode("utf-8", "replace")
        return f"{why}, at column {position - line_start + 1} in: {line.strip()}"
    return " ".join(str(why).split())
