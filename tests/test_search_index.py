"""The search index on its own: normalising, the four ranking tiers, typos, prefixes, accents,
identifiers, and the cache that keeps it in step with the store."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from service.errors import InvalidQuery
from service.namespaces import B21, ID
from service.search import SearchCache, SearchIndex, Tier, typos_allowed, words
from service.store.base import Bindings, SelectResult

EN = "en"


def entries(*rows: tuple[str, URIRef, str]) -> list[tuple[URIRef, URIRef, Literal]]:
    """(key, property, text) rows; names and definitions in English, identifiers plain."""
    plain = {B21.acronym, B21.celexNumber, B21.treatyNumber, B21.isoCode, B21.unSymbol, B21.eliIdentifier}
    return [
        (ID[key], prop, Literal(text) if prop in plain or prop == DCTERMS.identifier else Literal(text, lang=EN))
        for key, prop, text in rows
    ]


INDEX = SearchIndex.from_entries(
    entries(
        ("instrument/eaw", RDFS.label, "Framework Decision on the European arrest warrant"),
        ("instrument/eaw", B21.acronym, "EAW"),
        ("instrument/eaw", SKOS.altLabel, "EAW"),  # the acronym again, as inference adds it
        ("instrument/eaw", B21.celexNumber, "32002F0584"),
        ("instrument/eaw", B21.eliIdentifier, "http://data.europa.eu/eli/dec_framw/2002/584/oj"),
        ("instrument/europol-regulation", RDFS.label, "Regulation (EU) 2016/794 on Europol"),
        ("instrument/europol-regulation", B21.acronym, "Europol Regulation"),
        ("instrument/europol-regulation", B21.celexNumber, "32016R0794"),
        ("instrument/extradition-convention", RDFS.label, "European Convention on Extradition"),
        ("instrument/extradition-convention", B21.treatyNumber, "ETS 024"),
        ("instrument/unscr-2178", RDFS.label, "Security Council resolution 2178 (2014)"),
        ("instrument/unscr-2178", B21.unSymbol, "S/RES/2178 (2014)"),
        ("agency/europol", RDFS.label, "European Union Agency for Law Enforcement Cooperation"),
        ("agency/europol", B21.acronym, "Europol"),
        ("agency/de-bka", RDFS.label, "Federal Criminal Police Office"),
        ("agency/de-bka", B21.acronym, "BKA"),
        ("organisation/coe", RDFS.label, "Council of Europe"),
        ("channel/prum-dna", RDFS.label, "Prüm DNA exchange"),
        ("channel/siena", RDFS.label, "Secure Information Exchange Network Application"),
        ("channel/siena", B21.acronym, "SIENA"),
        ("state/de", RDFS.label, "Germany"),
        ("state/de", RDFS.label, "Deutschland"),
        ("state/de", B21.isoCode, "DE"),
        ("state/fr", RDFS.label, "France"),
        ("state/fr", B21.isoCode, "FR"),
        ("function/surrender", SKOS.prefLabel, "surrender and extradition"),
        ("function/surrender", RDFS.label, "surrender and extradition"),  # inferred from prefLabel
        ("function/surrender", SKOS.altLabel, "extradition"),
        ("function/surrender", SKOS.definition, "The handing over of a person to another state for prosecution."),
        ("function/mla", SKOS.prefLabel, "mutual legal assistance"),
        ("function/mla", SKOS.definition, "Assistance between judicial authorities, such as hearing witnesses."),
    )
)


def found(query: str, **options: object) -> list[str]:
    return [str(hit.iri).removeprefix(str(ID)) for hit in INDEX.search(query, **options)]  # type: ignore[arg-type]


def first(query: str) -> tuple[str, str, str, Tier]:
    hit = INDEX.search(query)[0]
    return str(hit.iri).removeprefix(str(ID)), hit.matched.field, hit.matched.text, hit.tier


# -- normalising ---------------------------------------------------------------------------


def test_words_fold_case_and_accents_and_split_letters_from_digits() -> None:
    assert words("Prüm DNA-Exchange") == ["prum", "dna", "exchange"]
    assert words("Straße") == ["strasse"]
    assert words("ETS024") == ["ets", "24"] == words("ETS 24") == words("ets-0024")
    assert words("0 / 007") == ["0", "7"]


def test_typos_are_allowed_by_word_length() -> None:
    assert [typos_allowed(w) for w in ("bka", "siena", "europol", "schengen", "12345678")] == [0, 1, 1, 2, 0]


# -- the tiers -----------------------------------------------------------------------------


def test_an_acronym_matches_exactly_and_counts_once() -> None:
    assert first("EAW") == ("instrument/eaw", "acronym", "EAW", Tier.EXACT)
    assert found("eaw") == ["instrument/eaw"]


def test_an_exact_acronym_beats_a_prefix_of_others() -> None:
    hits = INDEX.search("europol")
    assert [str(h.iri).removeprefix(str(ID)) for h in hits[:2]] == ["agency/europol", "instrument/europol-regulation"]
    assert [h.tier for h in hits[:2]] == [Tier.EXACT, Tier.PREFIX]
    assert hits[0].score > hits[1].score


def test_tiers_come_in_order_exact_prefix_words_fuzzy() -> None:
    hits = INDEX.search("extradition")
    tiers = [hit.tier for hit in hits]
    assert tiers == sorted(tiers, reverse=True)
    by_key = {str(h.iri).removeprefix(str(ID)): h for h in hits}
    assert by_key["function/surrender"].tier is Tier.EXACT  # its alternative label
    assert by_key["instrument/extradition-convention"].tier is Tier.WORDS
    assert int(by_key["function/surrender"].score) == Tier.EXACT


def test_a_phrase_prefix_matches_names() -> None:
    assert first("Federal Criminal Po") == ("agency/de-bka", "label", "Federal Criminal Police Office", Tier.PREFIX)


def test_words_match_in_any_order_and_by_their_start() -> None:
    assert first("warrant arrest")[0] == "instrument/eaw"
    assert first("europ arr")[0] == "instrument/eaw"
    assert first("europ arr")[3] is Tier.WORDS


def test_common_words_may_be_missing() -> None:
    assert found("the arrest warrant of") == ["instrument/eaw"]


def test_every_other_word_must_match() -> None:
    assert found("arrest penguin") == []


def test_definitions_are_searched_below_names() -> None:
    assert found("witnesses") == ["function/mla"]
    assert first("witnesses")[1] == "definition"
    hits = INDEX.search("prosecution")
    assert hits[0].matched.field == "definition" and hits[0].tier is Tier.WORDS


# -- typos and accents ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("Siena", "channel/siena"),  # case
        ("SEINA", "channel/siena"),  # two letters swapped: one edit
        ("Germny", "state/de"),  # 6 letters, one deletion
        ("Deutshcland", "state/de"),  # 11 letters, one swap
        ("Dutschlnd", "state/de"),  # 9 letters, two edits
        ("europl", "agency/europol"),  # the common neighbour, not the rare one ("europe")
    ],
)
def test_small_typos_are_forgiven(query: str, key: str) -> None:
    assert found(query)[0] == key


def test_typos_are_not_forgiven_in_short_words_or_numbers() -> None:
    assert found("BKE") == []  # three letters: no typo tolerated
    assert found("Frence") == ["state/fr"]  # six letters: one edit
    assert found("Frnnce") == ["state/fr"]
    assert found("Frnncx") == []  # two edits in a six-letter word
    assert found("32016R0795") == []  # another act, not a typo


def test_accents_do_not_matter() -> None:
    assert first("prum") == ("channel/prum-dna", "label", "Prüm DNA exchange", Tier.PREFIX)
    assert first("PRÜM DNA EXCHANGE")[3] is Tier.EXACT


# -- identifiers ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["32016R0794", "32016r0794", "32016 R 0794", "32016R794"])
def test_a_celex_number_is_found_however_cased_or_spaced(query: str) -> None:
    assert first(query) == ("instrument/europol-regulation", "celexNumber", "32016R0794", Tier.EXACT)


@pytest.mark.parametrize("query", ["ETS 024", "ETS 24", "ets24", "ETS-0024"])
def test_a_treaty_number_is_found_with_or_without_leading_zeros(query: str) -> None:
    assert first(query) == ("instrument/extradition-convention", "treatyNumber", "ETS 024", Tier.EXACT)


def test_other_identifiers() -> None:
    assert first("de") == ("state/de", "isoCode", "DE", Tier.EXACT)
    assert first("S/RES/2178 (2014)")[:2] == ("instrument/unscr-2178", "unSymbol")
    assert first("http://data.europa.eu/eli/dec_framw/2002/584/oj")[:2] == ("instrument/eaw", "eliIdentifier")
    assert first("dec_framw/2002/584")[0] == "instrument/eaw"
    assert found("data europa") == []  # words of the ELI's host are not searched


def test_an_identifier_prefix_keeps_its_zeros_while_typing() -> None:
    assert first("32016R07")[0] == "instrument/europol-regulation"
    assert first("ETS 0")[0] == "instrument/extradition-convention"


# -- kinds, completion, bad queries ----------------------------------------------------------


def test_kinds_filter() -> None:
    assert found("europol", kinds={"instrument"}) == ["instrument/europol-regulation"]
    assert found("europol", kinds={"state"}) == []


def test_completion_uses_names_and_identifiers_only_and_no_typos() -> None:
    completed = [str(h.iri).removeprefix(str(ID)) for h in INDEX.complete("euro", limit=3)]
    assert completed[0] == "agency/europol" and len(completed) == 3
    assert INDEX.complete("witness") == []  # definitions are not completed
    assert INDEX.complete("Germny") == []


def test_hits_are_made_as_they_are_read_and_a_page_is_the_whole_list_cut() -> None:
    hits = INDEX.search("european")
    whole = list(hits)
    assert len(hits) == len(whole) >= 4
    assert hits[1:3] == whole[1:3] and hits[-1] == whole[-1] and hits[len(hits) :] == []
    assert [hit.iri for hit in whole] == [hit.iri for hit in INDEX.search("european")]


def test_a_word_in_a_definition_counts_for_search_and_not_for_completion() -> None:
    # "judicial" is only in function/mla's definition; "assistance" in its name and its definition
    assert found("judicial") == ["function/mla"]
    assert INDEX.complete("judicial") == []
    assert found("judicial assistance") == ["function/mla"]
    assert [str(h.iri).removeprefix(str(ID)) for h in INDEX.complete("assistance")] == ["function/mla"]


@pytest.mark.parametrize("query", ["", "   ", "x" * 201, "?!-"])
def test_a_bad_query_is_refused(query: str) -> None:
    with pytest.raises(InvalidQuery):
        INDEX.search(query)


def test_the_shown_label_is_the_english_label() -> None:
    assert INDEX.labels[ID["function/surrender"]] == "surrender and extradition"
    assert INDEX.labels[ID["state/de"]] == "Deutschland"  # two English labels: the first in order


# -- the cache -----------------------------------------------------------------------------


class FakeStore:
    """A store with one searchable resource whose label can change."""

    def __init__(self) -> None:
        self.generation: Path | None = Path("/store/generation-1")
        self.version = 0
        self.label = "Alphaland"
        self.selects = 0
        self.delay = 0.0

    def select(self, query: str, bindings: Bindings | None = None) -> SelectResult:
        self.selects += 1
        time.sleep(self.delay)
        row = {"resource": ID["state/aa"], "property": RDFS.label, "text": Literal(self.label, lang="en")}
        return SelectResult(["resource", "property", "text"], [row])  # type: ignore[list-item]


def test_the_cache_rebuilds_when_the_store_changes() -> None:
    store, cache = FakeStore(), SearchCache()
    assert cache.get(store).labels[ID["state/aa"]] == "Alphaland"
    assert cache.get(store) is cache.get(store) and store.selects == 1
    store.label, store.version = "Betaland", 1
    assert cache.get(store).labels[ID["state/aa"]] == "Betaland"
    store.label, store.generation = "Gammaland", Path("/store/generation-2")
    assert cache.get(store).labels[ID["state/aa"]] == "Gammaland"
    assert store.selects == 3


def test_concurrent_requests_share_one_build() -> None:
    store, cache = FakeStore(), SearchCache()
    store.delay = 0.2
    results: list[SearchIndex] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get(store))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.selects == 1
    assert len(results) == 8 and all(index is results[0] for index in results)


def test_a_failed_build_is_retried() -> None:
    calls: list[int] = []

    def build(store: object) -> SearchIndex:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("store unavailable")
        return SearchIndex([])

    cache = SearchCache(build)
    with pytest.raises(RuntimeError):
        cache.get(FakeStore())
    assert len(cache.get(FakeStore())) == 0
    assert len(calls) == 2


def test_an_older_build_finishing_late_does_not_replace_a_newer_one() -> None:
    old_started, release_old = threading.Event(), threading.Event()

    def build(store: FakeStore) -> SearchIndex:
        if store.version == 0:
            old_started.set()
            release_old.wait(5)
        return SearchIndex.from_rows(store.select(""))

    cache = SearchCache(build)  # type: ignore[arg-type]
    old, new = FakeStore(), FakeStore()
    new.version, new.label = 1, "Betaland"
    slow = threading.Thread(target=cache.get, args=(old,))
    slow.start()
    assert old_started.wait(5)
    assert cache.get(new).labels[ID["state/aa"]] == "Betaland"  # not blocked by the slow build
    release_old.set()
    slow.join()
    assert cache.get(new).labels[ID["state/aa"]] == "Betaland"
    assert new.selects == 1
