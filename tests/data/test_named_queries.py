"""The named queries of issue 3, run on the built curated dataset with their parameters bound by
the engine; each asserts answers that are sourced in data/."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from service.queries import load_named_queries

ID = "https://w3id.org/border21/id/"


def run(store, name: str, **parameters: str):
    query = {q.name: q for q in load_named_queries()}[name]
    bindings = {}
    for parameter in query.parameters:
        text = parameters.get(parameter.name)
        term = parameter.term(text) if text is not None else parameter.default_term()
        if term is not None:
            bindings[parameter.name] = term
    return store.select(query.text, bindings).rows


def iris(rows, column: str) -> set[str]:
    return {str(row[column]) for row in rows}


def instrument(slug: str) -> str:
    return f"{ID}instrument/{slug}"


def state(code: str) -> str:
    return f"{ID}state/{code}"


# -- which instruments cover foreign terrorist fighters ----------------------------------------


def test_foreign_terrorist_fighter_instruments(curated_store):
    rows = run(curated_store, "instruments-by-crime-area")
    assert iris(rows, "instrument") == {
        instrument("unscr-2178"),
        instrument("unscr-2396"),
        instrument("coe-terrorism-prevention-protocol"),
        instrument("terrorism-directive"),
    }
    by_instrument = {str(row["instrument"]): row for row in rows}
    assert str(by_instrument[instrument("unscr-2178")]["identifier"]) == "S/RES/2178 (2014)"
    assert str(by_instrument[instrument("coe-terrorism-prevention-protocol")]["identifier"]) == "CETS 217"
    # ordered by adoption: resolution 2178 (24 September 2014) first
    assert str(rows[0]["instrument"]) == instrument("unscr-2178")


def test_terrorism_includes_the_narrower_foreign_terrorist_fighters(curated_store):
    rows = run(curated_store, "instruments-by-crime-area", crimeArea=f"{ID}crime-area/terrorism")
    found = iris(rows, "instrument")
    assert instrument("unscr-2396") in found  # tagged only with terrorism and foreign terrorist fighters
    assert instrument("jit-framework-decision") in found
    assert instrument("cepol-regulation") in found


# -- what replaced a given instrument (transitively) -------------------------------------------


def test_replaced_by_is_transitive(curated_store):
    rows = run(curated_store, "replaced-by", instrument=instrument("frontex-regulation-2004"))
    by_successor = {str(row["successor"]): row for row in rows}
    assert set(by_successor) == {instrument("ebcg-regulation-2016"), instrument("ebcg-regulation")}
    assert by_successor[instrument("ebcg-regulation-2016")]["direct"] == Literal(True)
    assert by_successor[instrument("ebcg-regulation")]["direct"] == Literal(False)


def test_replaced_by_default_cepol_chain(curated_store):
    rows = run(curated_store, "replaced-by")
    assert iris(rows, "successor") == {instrument("cepol-council-decision-2005"), instrument("cepol-regulation")}


def test_swedish_initiative_replaced_by_the_2023_directive(curated_store):
    rows = run(curated_store, "replaced-by", instrument=instrument("swedish-initiative"))
    assert iris(rows, "successor") == {instrument("information-exchange-directive")}
    assert str(rows[0]["entryIntoForce"]) == "2023-06-11"


def test_an_instrument_not_replaced_has_no_successor(curated_store):
    assert run(curated_store, "replaced-by", instrument=instrument("terrorism-directive")) == []


# -- which states are not bound by an instrument at a date -------------------------------------


def test_states_not_bound_by_the_eio(curated_store):
    rows = run(curated_store, "states-not-bound", instrument=instrument("eio-directive"), at="2020-01-01")
    reasons = {str(row["state"]): str(row["reason"]) for row in rows}
    assert reasons[state("dk")] == "opt-out"
    # Germany and Belgium implemented it on 22 May 2017 (EJN): bound
    assert state("de") not in reasons and state("be") not in reasons
    # Austria implemented it only on 1 July 2018
    assert state("at") not in reasons
    # Ireland: not taking part in the EIO (EJN news of 23 May 2017), recorded as opt-out
    assert reasons[state("ie")] == "opt-out"


def test_not_bound_depends_on_the_date(curated_store):
    rows = run(curated_store, "states-not-bound", instrument=instrument("eio-directive"), at="2018-01-01")
    reasons = {str(row["state"]): str(row["reason"]) for row in rows}
    assert reasons[state("at")] == "no binding participation recorded"  # before 1 July 2018


def test_signatories_are_not_bound(curated_store):
    rows = run(
        curated_store,
        "states-not-bound",
        instrument=instrument("coe-terrorism-prevention-protocol"),
        at="2024-01-01",
    )
    reasons = {str(row["state"]): str(row["reason"]) for row in rows}
    assert reasons[state("is")] == "signatory only"
    assert reasons[state("pl")] == "signatory only"
    assert state("dk") not in reasons and state("no") not in reasons  # parties by then
    # Norway's ratification took effect on 1 October 2023: not bound a year earlier
    earlier = run(
        curated_store,
        "states-not-bound",
        instrument=instrument("coe-terrorism-prevention-protocol"),
        at="2022-10-01",
    )
    assert state("no") in iris(earlier, "state")


def test_ecris_directive_opt_outs(curated_store):
    rows = run(curated_store, "states-not-bound", instrument=instrument("ecris-directive-2019"), at="2023-01-01")
    opted_out = {str(row["state"]) for row in rows if str(row["reason"]) == "opt-out"}
    assert opted_out == {state("dk"), state("ie")}


# -- which channels give state A access to fingerprint comparison with state B -----------------


def test_fingerprint_channels_between_germany_and_france(curated_store):
    rows = run(curated_store, "shared-channels-for-function", at="2010-01-01")
    assert iris(rows, "channel") == {f"{ID}channel/interpol-i247"}
    assert str(rows[0]["basisA"]) == instrument("interpol-constitution")


def test_no_fingerprint_channel_before_the_sourced_start(curated_store):
    assert run(curated_store, "shared-channels-for-function", at="2001-01-01") == []


def test_dna_channels_between_poland_and_australia(curated_store):
    rows = run(
        curated_store,
        "shared-channels-for-function",
        stateA=state("pl"),
        stateB=state("au"),
        function=f"{ID}function/dna-comparison",
        at="2015-06-01",
    )
    assert iris(rows, "channel") == {f"{ID}channel/interpol-i247"}


def test_uk_and_germany_share_prum_under_the_tca_and_interpol_for_fingerprints(curated_store):
    # The UK's Prüm access rests on the TCA from 2021; Germany's on the Prüm Decisions, its start
    # confirmed by the UK's fingerprint pilot run; both also have INTERPOL I-24/7 accesses.
    rows = run(curated_store, "shared-channels-for-function", stateA=state("gb"), stateB=state("de"), at="2022-01-01")
    assert iris(rows, "channel") == {f"{ID}channel/interpol-i247", f"{ID}channel/prum-fingerprints"}
    prum = next(row for row in rows if str(row["channel"]) == f"{ID}channel/prum-fingerprints")
    assert str(prum["basisA"]) == instrument("eu-uk-tca")
    assert str(prum["basisB"]) in {instrument("prum-decision"), instrument("prum-implementing-decision")}


def test_germany_and_france_share_prum_fingerprints_once_both_are_confirmed(curated_store):
    # France's fingerprint exchange is confirmed from 10 November 2015, Germany's from 2 December 2019
    before = run(curated_store, "shared-channels-for-function", at="2019-12-01")
    assert iris(before, "channel") == {f"{ID}channel/interpol-i247"}
    after = run(curated_store, "shared-channels-for-function", at="2019-12-02")
    assert iris(after, "channel") == {f"{ID}channel/interpol-i247", f"{ID}channel/prum-fingerprints"}


# -- what a state lost on the date its participation ended -------------------------------------


def test_what_the_uk_lost_on_31_december_2020(curated_store):
    rows = run(curated_store, "lost-on-end-date")
    lost = {str(row["item"]): row for row in rows}
    assert set(lost) == {
        instrument("eaw-framework-decision"),
        instrument("eurojust-regulation"),
        instrument("europol-regulation"),
        instrument("eu-mla-convention-2000"),
        f"{ID}channel/sis",
        f"{ID}channel/siena",
    }
    assert str(lost[f"{ID}channel/sis"]["kind"]) == "channel access"
    assert "surrender and extradition" in str(lost[instrument("eaw-framework-decision")]["functions"])
    assert "alerts on persons and objects" in str(lost[f"{ID}channel/sis"]["functions"])


def test_end_of_provisional_application_is_not_a_loss(curated_store):
    # TCA: provisional application ended 30 April 2021, in force from 1 May 2021
    assert run(curated_store, "lost-on-end-date", endDate="2021-04-30") == []
    assert run(curated_store, "lost-on-end-date", actor=f"{ID}organisation/eu", endDate="2021-04-30") == []


def test_denmark_left_the_europol_council_decision(curated_store):
    rows = run(curated_store, "lost-on-end-date", actor=state("dk"), endDate="2017-04-30")
    assert iris(rows, "item") == {instrument("europol-council-decision")}


def test_instruments_in_force_lists_each_instrument_once_with_its_most_specific_kind(curated_store):
    rows = run(curated_store, "instruments-in-force", at="2024-01-01")
    listed = [str(row["instrument"]) for row in rows]
    assert len(listed) == len(set(listed))
    kinds = {str(row["instrument"]): str(row["kind"]) for row in rows if row.get("kind") is not None}
    # a protocol is also a treaty, a bilateral agreement also an international agreement
    # (rdfs:subClassOf): the answer names the narrower kind
    assert kinds[instrument("coe-extradition-protocol-1")].endswith("#Protocol")
    assert kinds[instrument("europol-switzerland-agreement")].endswith("#BilateralAgreement")
    assert kinds[instrument("coe-extradition-convention")].endswith("#Treaty")


def test_every_named_query_projects_its_parameters():
    for query in load_named_queries():
        head = query.text.split("WHERE", 1)[0]
        for parameter in query.parameters:
            assert f"?{parameter.name}" in head, (query.name, parameter.name)


def test_date_parameters_bind_as_xsd_date():
    query = {q.name: q for q in load_named_queries()}["states-not-bound"]
    at = next(p for p in query.parameters if p.name == "at")
    assert at.term("2020-01-01") == Literal("2020-01-01", datatype=XSD.date)
    assert isinstance(next(p for p in query.parameters if p.name == "instrument").term(instrument("x")), URIRef)
