"""SHACL validation in chunks of resources: the same violations as validating everything at once,
in one process or in several, each located in its file; a file only the engine rejects is named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.build.sources import SourceFile, discover, read
from service.build.validate import Violation, validate_shapes
from service.errors import ValidationFailed
from service.generate import generate
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


def test_violations_compare_by_value() -> None:
    one = Violation("data/a.ttl", 3, "state:aa", "rdfs:label", "needs a label", "Violation")
    assert one == Violation("data/a.ttl", 3, "state:aa", "rdfs:label", "needs a label", "Violation")
    assert len({one, Violation("data/a.ttl", 3, "state:aa", "rdfs:label", "needs a label", "Violation")}) == 1
