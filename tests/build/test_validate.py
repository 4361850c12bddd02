"""SHACL validation in chunks of resources: the same violations as validating everything at once,
in one process or in several, each located in its file; a file only the engine rejects is named."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, RDFS

from service.build.sources import SourceFile, discover, read
from service.build.validate import chunking_hazard, validate_shapes
from service.errors import ValidationFailed
from service.generate import generate
from service.namespaces import B21, SH
from service.store import in_memory_store
from service.store.oxigraph import OxigraphStore


def _every(nth: int, pattern: str, replacement: str, text: str) -> tuple[str, int]:
    """Replace every `nth` match of `pattern`; returns the text and how many were replaced."""
    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return replacement if count % nth == 0 else match.group(0)

    changed = re.sub(pattern, swap, text, flags=re.MULTILINE)
    return changed, count // nth


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory, ontology: Path) -> tuple[list[SourceFile], OxigraphStore, int]:
    """Generated data with broken participations (a mode from no scheme, a state where an
    instrument belongs) and actors without a label, spread over several files."""
    data = tmp_path_factory.mktemp("generated")
    generate(data, 6000, seed=3, file_triples=1500)
    breaks = 0
    for path in sorted(data.rglob("*.ttl")):
        text = path.read_text(encoding="utf-8")
        text, modes = _every(9, r"b21:participationMode mode:member", "b21:participationMode mode:no-such-mode", text)
        text, instruments = _every(11, r"b21:instrument instrument:[\w-]+ ;", "b21:instrument state:de ;", text)
        text, labels = _every(13, r'^    rdfs:label "[^"]*"@en ;\n', "", text)
        path.write_text(text, encoding="utf-8")
        breaks += modes + instruments + labels
    sources = discover(ontology, data)
    store = in_memory_store()
    for source in sources:
        read(source, store)
    return sources, store, breaks


def test_chunks_in_one_process_give_the_violations_of_the_whole(
    broken: tuple[list[SourceFile], OxigraphStore, int],
) -> None:
    sources, store, breaks = broken
    whole = validate_shapes(store, sources, chunk_triples=10**9)
    assert len(whole) >= breaks > 20
    assert validate_shapes(store, sources, chunk_triples=250, workers=1) == whole


def test_chunks_in_two_processes_give_the_violations_of_the_whole(
    broken: tuple[list[SourceFile], OxigraphStore, int],
) -> None:
    sources, store, _ = broken
    whole = validate_shapes(store, sources, chunk_triples=10**9)
    assert validate_shapes(store, sources, chunk_triples=400, workers=2) == whole


def test_each_violation_names_the_file_and_line_of_its_resource(
    broken: tuple[list[SourceFile], OxigraphStore, int],
) -> None:
    sources, store, _ = broken
    violations = validate_shapes(store, sources, chunk_triples=400, workers=1)
    files = {source.display: source.path for source in sources}
    kinds = {v.message.split(" (")[0] for v in violations}
    assert any("participation-modes scheme" in kind for kind in kinds)
    assert any(v.path == "b21:instrument" and "state/de" in v.message for v in violations)
    assert any(v.path == "rdfs:label" for v in violations)
    for violation in violations:
        assert violation.file is not None and violation.line is not None, violation
        line = files[violation.file].read_text(encoding="utf-8").splitlines()[violation.line - 1]
        local = violation.focus.strip("<>").rsplit("/", 1)[-1]
        assert line.split(" ")[0].endswith(f":{local}"), (violation, line)


def test_a_valid_reference_to_a_resource_of_another_chunk_is_no_violation(tmp_path: Path, ontology: Path) -> None:
    generate(tmp_path, 3000, seed=2, file_triples=1000)
    sources = discover(ontology, tmp_path)
    store = in_memory_store()
    for source in sources:
        read(source, store)
    assert validate_shapes(store, sources, chunk_triples=50, workers=1) == []


def test_a_file_only_the_engine_rejects_is_named_with_its_line(
    tmp_path: Path, valid_data: Path, ontology: Path
) -> None:
    # rdflib resolves a relative IRI against the file's location; the store's loader has no base
    (valid_data / "relative.ttl").write_text(
        "@prefix b21: <https://w3id.org/border21/ontology#> .\n\n<state/xx> a b21:State .\n", encoding="utf-8"
    )
    store = in_memory_store()
    (source,) = [s for s in discover(ontology, valid_data) if s.display == "data/relative.ttl"]
    with pytest.raises(ValidationFailed) as failure:
        read(source, store)
    (problem,) = failure.value.problems
    assert problem.startswith("data/relative.ttl:3: "), problem
    assert "state/xx" in problem or "relative" in problem.lower() or "base" in problem.lower(), problem


SEQUENCE_PATH = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix b21: <https://w3id.org/border21/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/shapes#> .

ex:ParticipantNamed a sh:NodeShape ;
    sh:targetClass b21:Participation ;
    sh:property [ sh:path ( b21:participant rdfs:label ) ; sh:minCount 1 ] .
"""


def test_shapes_reading_further_than_a_chunk_holds_are_validated_whole(tmp_path: Path, ontology: Path) -> None:
    """A participation's participant is usually described in another chunk: a shape that reads
    the participant's label cannot be checked chunk by chunk, so the data is validated whole."""
    shutil.copytree(ontology, tmp_path / "ontology")
    (tmp_path / "ontology" / "shapes" / "participant-named.ttl").write_text(SEQUENCE_PATH, encoding="utf-8")
    generate(tmp_path / "data", 3000, seed=2, file_triples=1000)
    sources = discover(tmp_path / "ontology", tmp_path / "data")
    store = in_memory_store()
    for source in sources:
        read(source, store)
    assert validate_shapes(store, sources, chunk_triples=50, workers=1) == []


@pytest.mark.parametrize(
    ("shape", "hazard"),
    [
        (
            "ex:S sh:targetClass b21:State ;"
            " sh:property [ sh:path [ sh:inversePath b21:participant ] ; sh:minCount 1 ] .",
            "longer than one property",
        ),
        ("ex:S sh:targetClass b21:State ; sh:sparql [ sh:select 'SELECT $this WHERE { }' ] .", "SPARQL"),
        ("ex:S sh:targetObjectsOf b21:participant ; sh:nodeKind sh:IRI .", "sh:targetObjectsOf"),
        ("ex:S sh:targetNode b21:x ; sh:nodeKind sh:IRI .", "sh:targetNode"),
        (
            "ex:S sh:targetClass b21:Participation ; sh:property [ sh:path b21:participant ; sh:node ex:Named ] .\n"
            "ex:Named sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .",
            "reads rdfs:label of it",
        ),
        (
            "ex:S sh:targetClass b21:Participation ; sh:property [ sh:path b21:participant ; sh:or ( ex:Named ) ] .\n"
            "ex:Named sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .",
            "reads rdfs:label of it",
        ),
        (
            "ex:S sh:targetClass b21:Participation ; sh:property [ sh:path b21:participant ; sh:node ex:Dated ] .\n"
            "ex:Dated sh:property [ sh:path rdf:type ; sh:lessThan b21:endDate ] .",
            "compares its properties",
        ),
    ],
)
def test_chunking_hazards_are_recognised(shape: str, hazard: str) -> None:
    prefixes = "\n".join(f"@prefix {p}: <{ns}> ." for p, ns in (("sh", SH), ("b21", B21), ("rdfs", RDFS), ("rdf", RDF)))
    graph = rdflib.Graph().parse(
        data=f"{prefixes}\n@prefix ex: <https://example.org/shapes#> .\n{shape}", format="turtle"
    )
    reason = chunking_hazard(graph)
    assert reason is not None and hazard in reason, reason


def test_the_bundled_shapes_can_be_validated_in_chunks(ontology: Path) -> None:
    shapes = rdflib.Graph()
    for path in (ontology / "shapes").glob("*.ttl"):
        shapes.parse(path)
    assert chunking_hazard(shapes) is None
