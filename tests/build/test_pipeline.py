"""The build: named graphs with provenance, inferences, and atomicity."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from service.build.pipeline import BuildReport, build
from service.errors import BuildError, ValidationFailed
from service.namespaces import B21, GRAPH, ID, INFERRED_GRAPH, ORG, PROVENANCE_GRAPH, SKOS
from service.store import OpenStore, StoreHome

STATE_AA = ID["state/aa"]
STATE_BB = ID["state/bb"]


def open_read_only(store: Path) -> OpenStore:
    return OpenStore(StoreHome(store), read_only=True)


def test_each_source_file_becomes_its_own_named_graph(built_store: Path) -> None:
    with open_read_only(built_store) as store:
        graphs = set(store.named_graphs())
    assert {
        GRAPH["ontology"],
        GRAPH["vocab/cooperation-functions"],
        GRAPH["shapes/border21-shapes"],
        GRAPH["data/actors"],
        GRAPH["data/instruments"],
        INFERRED_GRAPH,
        PROVENANCE_GRAPH,
    } <= graphs
    with open_read_only(built_store) as store:
        assert store.ask("ASK { GRAPH ?g { ?s a b21:State } }", {"g": GRAPH["data/actors"]})
        assert not store.ask("ASK { GRAPH ?g { ?s a b21:State } }", {"g": GRAPH["data/instruments"]})


def test_provenance_describes_every_graph_with_file_time_and_count(built_store: Path) -> None:
    with open_read_only(built_store) as store:
        rows = store.select(
            """
            SELECT ?provenance ?graph ?file ?count ?time ?sha WHERE {
              GRAPH ?provenance {
                ?graph b21:sourceFile ?file ; void:triples ?count ;
                       prov:generatedAtTime ?time ; b21:sha256 ?sha ; prov:wasGeneratedBy ?build .
                ?build a prov:Activity .
              }
            }
            """,
            {"provenance": PROVENANCE_GRAPH},
        ).rows
        by_file = {str(row["file"]): row for row in rows}
        assert by_file["data/actors.ttl"]["graph"] == GRAPH["data/actors"]
        for row in rows:
            assert int(row["count"]) == store.triple_count(row["graph"])  # type: ignore[arg-type]
            assert len(str(row["sha"])) == 64
    assert "ontology/border21.ttl" in by_file


@pytest.mark.parametrize(
    ("triple", "rule"),
    [
        ((STATE_AA, RDF.type, B21.Actor), "subclass"),
        ((ID["agency/aa-police"], RDF.type, ORG.Organization), "subclass, several levels"),
        ((ID["agency/aa-police"], ORG.transitiveSubOrganizationOf, STATE_AA), "subproperty"),
        ((ID["agency/aa-police"], SKOS.altLabel, Literal("AP")), "subproperty of an annotation"),
        ((STATE_AA, B21.hasParticipation, ID["participation/old-convention--aa"]), "inverse"),
        ((ID["instrument/old-convention"], B21.replacedBy, ID["instrument/office-regulation"]), "inverse"),
        ((STATE_BB, B21.cooperatesWith, STATE_AA), "symmetric"),
        ((ID["instrument/office-regulation-recast"], B21.replaces, ID["instrument/old-convention"]), "transitive"),
        (
            (ID["function/fingerprint-comparison"], SKOS.broaderTransitive, ID["function/information-exchange"]),
            "subproperty",
        ),
        ((ID["access/union-net--aa"], RDF.type, B21.ChannelAccess), "stated, not inferred"),
    ],
)
def test_inferences_are_materialised_into_the_inferred_graph(built_store: Path, triple: tuple, rule: str) -> None:
    with open_read_only(built_store) as store:
        in_inferred = store.ask(
            "ASK { GRAPH ?g { ?s ?p ?o } }",
            {"g": INFERRED_GRAPH, "s": triple[0], "p": triple[1], "o": triple[2]},
        )
        anywhere = store.contains(triple)
    assert anywhere, rule
    assert in_inferred == (rule != "stated, not inferred"), rule


def test_inferred_graph_holds_nothing_already_stated(built_store: Path) -> None:
    with open_read_only(built_store) as store:
        assert not store.ask(
            """ASK { GRAPH ?inferred { ?s ?p ?o }
                     GRAPH ?other { ?s ?p ?o } FILTER (?other NOT IN (?inferred)) }""",
            {"inferred": INFERRED_GRAPH},
        )


def count_actors(store_path: Path) -> int:
    with open_read_only(store_path) as store:
        row = store.select("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a b21:State }").rows[0]
    return int(row["n"])  # type: ignore[arg-type]


def add_state(data: Path, code: str) -> None:
    with open(data / "actors.ttl", "a", encoding="utf-8") as turtle:
        turtle.write(
            f'\nstate:{code.lower()} a b21:State ; rdfs:label "State {code}"@en ; b21:isoCode "{code}" ;\n'
            f"    dcterms:source <https://example.org/{code.lower()}> .\n"
        )


def test_a_second_build_replaces_the_first(tmp_path: Path, valid_data: Path, build_into) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    first: BuildReport = build_into(store, valid_data)
    assert count_actors(store) == 2
    add_state(valid_data, "CC")
    second: BuildReport = build_into(store, valid_data)
    assert second.generation != first.generation
    assert count_actors(store) == 3
    assert StoreHome(store).current() == second.generation


def test_old_generations_are_pruned_but_current_and_previous_kept(tmp_path: Path, valid_data: Path, build_into) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    reports = [build_into(store, valid_data) for _ in range(4)]
    remaining = sorted(p for p in (store / "generations").iterdir() if p.is_dir())
    assert remaining == sorted(r.generation for r in reports[-2:])


def test_a_build_cannot_start_while_another_holds_the_lock(tmp_path: Path, valid_data: Path, ontology: Path) -> None:
    home = StoreHome(tmp_path / "store")
    with home.build_lock(), pytest.raises(BuildError, match="another build is running"):
        build(home, ontology, valid_data)


def test_failed_validation_writes_no_generation(tmp_path: Path, valid_data: Path, build_into) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    build_into(store, valid_data)
    before = sorted((store / "generations").iterdir())
    (valid_data / "actors.ttl").write_text(
        (valid_data / "actors.ttl").read_text().replace('b21:isoCode "BB"', 'b21:isoCode "bbb"')
    )
    with pytest.raises(ValidationFailed):
        build_into(store, valid_data)
    assert sorted((store / "generations").iterdir()) == before


def test_syntax_error_names_file_and_line(tmp_path: Path, valid_data: Path, build_into) -> None:  # type: ignore[no-untyped-def]
    text = (valid_data / "instruments.ttl").read_text().splitlines()
    broken_line = next(i for i, line in enumerate(text) if "ETS 999" in line)
    text[broken_line] = text[broken_line].replace(" ;", "")
    (valid_data / "instruments.ttl").write_text("\n".join(text) + "\n")
    with pytest.raises(ValidationFailed) as failure:
        build_into(tmp_path / "store", valid_data)
    (problem,) = failure.value.problems
    assert problem.startswith(f"data/instruments.ttl:{broken_line + 2}:") or problem.startswith(
        f"data/instruments.ttl:{broken_line + 1}:"
    )


def test_data_file_that_is_not_utf8_is_reported(tmp_path: Path, valid_data: Path, build_into) -> None:  # type: ignore[no-untyped-def]
    (valid_data / "latin1.ttl").write_bytes("# r\xe9sum\xe9\n".encode("latin-1"))
    with pytest.raises(ValidationFailed) as failure:
        build_into(tmp_path / "store", valid_data)
    assert failure.value.problems == ["data/latin1.ttl:1: byte 3 is not valid UTF-8"]


def test_provenance_uses_uri_literals_not_local_paths(built_store: Path) -> None:
    with open_read_only(built_store) as store:
        files = [row["file"] for row in store.select("SELECT ?file WHERE { ?g b21:sourceFile ?file }").rows]
    assert files and all(not str(f).startswith("/") for f in files)
    assert all(isinstance(f, Literal) for f in files)
    assert not any(isinstance(f, URIRef) for f in files)
