"""SHACL validation of the data against the shapes, with violations located in their files."""

from __future__ import annotations

from dataclasses import dataclass

import pyshacl
import rdflib
from rdflib.namespace import RDF
from rdflib.term import Node, URIRef

from service.build.sources import SourceFile
from service.namespaces import PREFIXES, SH


@dataclass(frozen=True)
class Violation:
    file: str | None
    line: int | None
    focus: str
    path: str
    message: str
    severity: str

    def __str__(self) -> str:
        where = self.file or "(no file)"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.severity}: {self.focus} {self.path}: {self.message}"


def union(sources: list[SourceFile], roles: set[str]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for source in sources:
        if source.role in roles:
            graph += source.graph
    return graph


def validate_shapes(sources: list[SourceFile]) -> list[Violation]:
    """Every violation (and warning) of the shapes by the ontology, vocabularies and data."""
    data_graph = union(sources, {"ontology", "vocab", "data"})
    shapes_graph = union(sources, {"shapes"})
    _, results, _ = pyshacl.validate(
        data_graph,
        shacl_graph=shapes_graph,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=False,
    )
    assert isinstance(results, rdflib.Graph)
    owners = _owners(sources)
    violations = []
    nested = set(results.objects(None, SH.detail))
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if result in nested:  # reported through the result that points at it
            continue
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        value = results.value(result, SH.value)
        owner = owners.get(focus) if focus is not None else None
        text = str(message) if message is not None else "violates a shape"
        if value is not None and value != focus:
            text = f"{text} (value: {_short(value)})"
        violations.append(
            Violation(
                file=owner.display if owner else None,
                line=owner.line_of(focus) if owner and focus is not None else None,
                focus=_short(focus),
                path=_short(path) if path is not None else "",
                message=text,
                severity=_short(severity).removeprefix("sh:") if severity is not None else "Violation",
            )
        )
    return sorted(violations, key=lambda v: (v.file or "", v.line or 0, v.focus, v.path, v.message))


def _owners(sources: list[SourceFile]) -> dict[Node, SourceFile]:
    """The file that describes each subject: the one typing it, else the first naming it."""
    owners: dict[Node, SourceFile] = {}
    for source in sources:
        for subject in source.graph.subjects(RDF.type, None):
            owners.setdefault(subject, source)
    for source in sources:
        for subject in source.graph.subjects():
            owners.setdefault(subject, source)
    return owners


def _short(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        text = str(node)
        for prefix, namespace in PREFIXES.items():
            if text.startswith(namespace) and len(text) > len(namespace):
                return f"{prefix}:{text[len(namespace) :]}"
        return f"<{text}>"
    return node.n3()
