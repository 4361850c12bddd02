"""The synthetic data generator: deterministic, valid under the shapes, about the size asked."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import rdflib

from service.build.pipeline import check
from service.generate import Manifest, Plan, generate
from service.namespaces import B21, ID
from tests.conftest import run_cli


def digest(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def parsed(directory: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted(directory.rglob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def test_the_same_seed_and_size_give_the_same_files(tmp_path: Path) -> None:
    generate(tmp_path / "one", 6000, seed=7)
    generate(tmp_path / "two", 6000, seed=7)
    generate(tmp_path / "other", 6000, seed=8)
    assert digest(tmp_path / "one") == digest(tmp_path / "two")
    assert digest(tmp_path / "one") != digest(tmp_path / "other")


@pytest.mark.parametrize("triples", [3000, 20_000, 100_000])
def test_it_writes_about_the_triples_asked_for(tmp_path: Path, triples: int) -> None:
    manifest = generate(tmp_path, triples, seed=1)
    assert abs(manifest.triples - triples) <= 0.05 * triples
    assert len(parsed(tmp_path)) == manifest.triples
    assert Manifest.read(tmp_path).triples == manifest.triples


def test_files_are_split_so_each_graph_stays_small(tmp_path: Path) -> None:
    manifest = generate(tmp_path, 20_000, seed=1, file_triples=2_000)
    assert len(manifest.files) >= 10
    for name in manifest.files:
        assert len(rdflib.Graph().parse(tmp_path / name, format="turtle")) <= 2_000 + 50


@pytest.mark.java
@pytest.mark.slow
def test_generated_data_passes_the_shapes_and_hermit(ontology: Path, tmp_path: Path) -> None:
    generate(tmp_path, 8000, seed=5, file_triples=3000)
    result = check(ontology, tmp_path, progress=lambda phase, detail: None)
    assert result.triple_count > 8000  # the ontology and vocabularies come too


def test_the_world_has_every_kind_of_entity_the_model_has(tmp_path: Path) -> None:
    generate(tmp_path, 20_000, seed=2)
    graph = parsed(tmp_path)
    classes = set(graph.objects(None, rdflib.RDF.type))
    for cls in (
        "State",
        "InternationalOrganisation",
        "EUAgency",
        "PoliceAuthority",
        "SireneBureau",
        "Treaty",
        "Protocol",
        "Regulation",
        "Directive",
        "FrameworkDecision",
        "CouncilDecision",
        "InternationalAgreement",
        "BilateralAgreement",
        "WorkingArrangement",
        "Participation",
        "ChannelAccess",
    ):
        assert B21[cls] in classes, cls
    for predicate in ("replaces", "prevailsOver", "extendsToMembers", "endDate", "accessBasis", "celexNumber"):
        assert next(graph.triples((None, B21[predicate], None)), None) is not None, predicate


def test_the_named_queries_defaults_exist_at_any_size(tmp_path: Path) -> None:
    generate(tmp_path, 3000, seed=1)
    graph = parsed(tmp_path)
    for key in ("state/de", "state/gb", "state/dk", "instrument/eaw-framework-decision", "instrument/eio-directive"):
        assert (rdflib.URIRef(f"{ID}{key}"), rdflib.RDF.type, None) in graph, key
    participants = set(graph.subjects(B21.instrument, rdflib.URIRef(f"{ID}instrument/eaw-framework-decision")))
    assert len(participants) >= 3


def test_the_plan_scales_states_up_to_the_iso_codes_and_the_rest_linearly() -> None:
    small, large, huge = Plan.for_triples(100_000), Plan.for_triples(1_000_000), Plan.for_triples(10_000_000)
    assert small.states < large.states == huge.states
    assert 9 <= huge.instruments / large.instruments <= 11
    assert 9 <= huge.agencies / large.agencies <= 11


def test_the_command_line_writes_a_directory_the_build_reads(tmp_path: Path) -> None:
    result = run_cli("generate", "--triples", "4000", "--seed", "3", "--out", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    assert "generated" in result.stdout
    assert Manifest.read(tmp_path / "data").seed == 3
    refused = run_cli("generate", "--triples", "10", "--out", str(tmp_path / "small"))
    assert refused.returncode == 1
    assert "at least 2000" in refused.stderr
