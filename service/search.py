"""Full-text search over the resources of the knowledge graph, in memory and in pure Python.

What is searched
----------------
Every resource in the border21 namespace (`https://w3id.org/border21/id/...`) with its texts,
read by one SPARQL query (`service/sparql/search-texts.rq`) over the union of the graphs:

- names: `rdfs:label`, `skos:prefLabel`, `skos:altLabel` and `b21:acronym` (EAW, SIENA, BKA);
- identifiers: `b21:celexNumber`, `b21:eliIdentifier`, `b21:treatyNumber`, `b21:unSymbol`,
  `b21:isoCode`, `dcterms:identifier`;
- definitions: `skos:definition`.

The build materialises inferences, so an acronym is also an `skos:altLabel` and a
`skos:prefLabel` also an `rdfs:label`; a text a resource has under several properties counts
once, under the most specific one (identifier, then acronym, then preferred label, label,
alternative label, definition).

Normalising
-----------
Text and query alike are folded (Unicode NFKD, combining marks dropped, case-folded: "Prüm"
and "PRUM" are the same, "Straße" is "strasse") and cut into words at every character that is
not a letter or digit and between letters and digits ("ETS024" is "ets 024"). Leading zeros of
numbers are dropped, so **`ETS 24`, `ets024` and `ETS 024` all find ETS 024**, and
`32016r794` finds CELEX 32016R0794: a treaty number is written both ways in the literature
and the zeros carry no meaning. (A phrase prefix is also tried with the zeros kept, so that
typing `32016R07` already completes to 32016R0794.) An ELI is cut into words after its
`/eli/`, so that `http`, `data`, `europa` do not make every act match.

Ranking
-------
Each resource gets the best of four tiers; a hit's `score` is the tier (4 to 1) plus a
fraction below 1 that orders hits within the tier:

4. **exact**: the whole query equals a name or an identifier (`EAW`, `32016R0794`, `de`,
   `Alphaland Police`). Fraction: the field's weight (identifiers and acronyms 1.0, preferred
   labels and labels 0.9, alternative labels 0.8).
3. **prefix**: a name or an identifier starts with the whole query (`Alphaland Po`,
   `ETS 0`). Fraction: the field's weight times how much of the text the query covers.
2. **words**: every word of the query is a word, or the start of a word (two letters or more),
   of one of the resource's names, identifiers or definitions, in any order and across
   fields. Common English words (of, the, and, ...) may be missing, unless the query is
   made of nothing else. Fraction: a BM25-like sum over the query's words of
   `idf(word) x field weight x match factor x length norm`, averaged over the query's words,
   times 0.6 to 1.0 by how much of the best-matching text the query covers (all of "Europol"
   rather than one word of "Council of Europe"), squashed into [0, 1) by x/(1+x). Definitions
   weigh 0.35; an exact word counts 1.0, a prefix 0.3 to 0.9 by how much of the word it
   covers; the length norm (BM25's k1 = 1.2, b = 0.75, per field) prefers short texts. The
   idf of a prefix or typo match is that of the query word with everything it expands to, so
   a rare neighbour ("europe") does not outrank a common one ("europol") for "europl".
1. **fuzzy**: as words, but at least one word only matched with typos: a query word of 5 to 7
   letters may be one edit away (insertion, deletion, substitution or transposition of two
   neighbours) from a word of the index, one of 8 letters or more two edits. Numbers are never
   matched fuzzily (32016R0795 is another act, not a typo). A fuzzy word counts 0.45 (one
   edit) or 0.3 (two) of an exact one.

Ties go to the label in alphabetical order, then the IRI, so a result is stable. Candidate
words come from a sorted vocabulary (prefixes, by bisection) and a trigram map (typos); the
exact and prefix tiers from a sorted list of the names' and identifiers' normalised forms.
Only the resources holding every required word are scored, and a hit is made only when read
(`Hits`): the REST page of a search that matches thousands presents its page only.

Autocompletion uses the same tiers over names and identifiers only, without typos.

Keeping up with the store
-------------------------
`SearchCache` holds the index of one store state, keyed by `(store.generation,
store.version)`, which change with every build adoption and every write; the first request
after a change rebuilds it (one query), requests for the same state wait for that one build
instead of starting their own, and requests for a state already indexed never wait. (A
remote SPARQL store counts only the writes made through this service: data changed at the
remote behind its back is seen after the next write through it, or a restart.)
"""

from __future__ import annotations

import math
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from itertools import compress
from typing import Protocol, overload

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from service.background import PerVersion
from service.errors import InvalidQuery
from service.keys import key_of
from service.namespaces import B21
from service.sparql import sparql
from service.store.base import Bindings, SelectResult

MAX_QUERY_LENGTH = 200

# Words that may be missing from a hit when the query has others.
STOPWORDS = frozenset(
    ("a", "an", "and", "as", "at", "between", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with")
)


class Role(IntEnum):
    DEFINITION = 0
    NAME = 1
    IDENTIFIER = 2


@dataclass(frozen=True)
class Field:
    """A property whose texts are searched: its name in results, what it is, its weight."""

    name: str
    role: Role
    weight: float


# Most specific first: a text a resource has under several properties counts under the first.
FIELDS: dict[URIRef, Field] = {
    B21.celexNumber: Field("celexNumber", Role.IDENTIFIER, 1.0),
    B21.eliIdentifier: Field("eliIdentifier", Role.IDENTIFIER, 1.0),
    B21.treatyNumber: Field("treatyNumber", Role.IDENTIFIER, 1.0),
    B21.unSymbol: Field("unSymbol", Role.IDENTIFIER, 1.0),
    B21.isoCode: Field("isoCode", Role.IDENTIFIER, 1.0),
    DCTERMS.identifier: Field("identifier", Role.IDENTIFIER, 1.0),
    B21.acronym: Field("acronym", Role.NAME, 1.0),
    SKOS.prefLabel: Field("prefLabel", Role.NAME, 0.9),
    RDFS.label: Field("label", Role.NAME, 0.9),
    SKOS.altLabel: Field("altLabel", Role.NAME, 0.8),
    SKOS.definition: Field("definition", Role.DEFINITION, 0.35),
}
_PRIORITY = {field.name: rank for rank, field in enumerate(FIELDS.values())}
FIELD_NAMES = tuple(field.name for field in FIELDS.values())


class Tier(IntEnum):
    FUZZY = 1
    WORDS = 2
    PREFIX = 3
    EXACT = 4


# -- normalising ---------------------------------------------------------------------------

_WORD = re.compile(r"[0-9]+|[^\W\d_]+")
_ELI_PATH = re.compile(r"^https?://[^/]+/eli/", re.IGNORECASE)


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a text."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _number(word: str) -> str:
    return (word.lstrip("0") or "0") if word.isdigit() else word


def spelled_words(text: str) -> list[str]:
    """The folded words of a text, numbers as written."""
    return _WORD.findall(fold(text))


def words(text: str) -> list[str]:
    """The folded words of a text, numbers without leading zeros."""
    return [_number(word) for word in spelled_words(text)]


def _osa_distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, substitute, swap neighbours) from a to b; limit + 1 when more."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1] if previous[-1] <= limit else limit + 1


def _trigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def typos_allowed(word: str) -> int:
    """Edits tolerated in a query word: none under 5 letters, one up to 7, two from 8."""
    if not word.isalpha() or len(word) < 5:
        return 0
    return 1 if len(word) < 8 else 2


# -- the query -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    text: str
    phrase: str  # the words joined by spaces, numbers without leading zeros
    spelled: str  # the same, numbers as written
    words: tuple[str, ...]

    @classmethod
    def parse(cls, text: str | None) -> Query:
        """A query as the user typed it; InvalidQuery when empty, too long or without words."""
        stripped = (text or "").strip()
        if not stripped:
            raise InvalidQuery("q is required: give the text to search for")
        if len(stripped) > MAX_QUERY_LENGTH:
            raise InvalidQuery(f"q is too long: at most {MAX_QUERY_LENGTH} characters, got {len(stripped)}")
        spelled = spelled_words(stripped)
        if not spelled:
            raise InvalidQuery("q must contain at least one letter or digit")
        found = tuple(_number(word) for word in spelled)
        return cls(stripped, " ".join(found), " ".join(spelled), found)

    def required(self) -> frozenset[str]:
        """The words a hit must match: all but common ones, unless there is nothing else."""
        content = frozenset(word for word in self.words if word not in STOPWORDS)
        return content or frozenset(self.words)


# -- the index -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """One searchable text of a resource."""

    field: Field
    value: str
    lang: str
    phrase: str
    spelled: str
    words: tuple[str, ...]

    @classmethod
    def of(cls, field: Field, value: str, lang: str = "") -> Text:
        spelled = spelled_words(value)
        indexed = spelled_words(_ELI_PATH.sub("", value)) if field.name == "eliIdentifier" else spelled
        return cls(
            field,
            value,
            lang,
            " ".join(_number(word) for word in spelled),
            " ".join(spelled),
            tuple(_number(word) for word in indexed),
        )


@dataclass(frozen=True)
class Resource:
    iri: URIRef
    kind: str | None
    label: str
    texts: tuple[Text, ...]


@dataclass(frozen=True)
class Match:
    field: str
    text: str
    by: Tier


@dataclass(frozen=True)
class Hit:
    iri: URIRef
    kind: str | None
    label: str
    score: float
    matched: Match

    @property
    def tier(self) -> Tier:
        return self.matched.by


_Best = tuple[Tier, float, int]
"""A resource's best match: (tier, fraction, text); the first two rank it."""


@dataclass(frozen=True, slots=True)
class _Postings:
    """The texts holding one word, as parallel arrays (compact, and quick to walk)."""

    resources: array[int]
    texts: array[int]
    # the text's field weight times its BM25 length norm: what the word is worth in it
    weights: array[float]
    # 1 where the text is a name or an identifier, 0 where it is a definition
    named: bytes


_WordMatch = tuple[bool, float, int]
"""A resource's best match of one query word: (by typo, contribution, text)."""

Entry = tuple[URIRef, URIRef, Literal]
"""(resource, property, text): one row of the index query."""

_K1, _B = 1.2, 0.75


def _display_label(texts: Iterable[Text], iri: URIRef) -> str:
    """The English label (as the rest of the API shows it), else any label, else the slug."""
    names = [t for t in texts if t.field.name in ("prefLabel", "label")]
    for accept in (("en",), ("",), None):
        chosen = sorted(t.value for t in names if accept is None or t.lang in accept)
        if chosen:
            return chosen[0]
    return str(iri).rsplit("/", 1)[-1]


class SearchIndex:
    """Resources with their searchable texts, and the maps that find them."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.resources = sorted(resources, key=lambda r: str(r.iri))
        # the label shown for each resource: its English label, else any label, else its slug
        self.labels = {resource.iri: resource.label for resource in self.resources}
        self._sort_labels = [resource.label.casefold() for resource in self.resources]
        phrases: list[tuple[str, int, int]] = []
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        frequency: dict[str, int] = defaultdict(int)
        lengths: dict[str, list[int]] = defaultdict(list)
        for r, resource in enumerate(self.resources):
            seen: set[str] = set()
            for t, text in enumerate(resource.texts):
                lengths[text.field.name].append(len(text.words))
                if text.field.role is not Role.DEFINITION:
                    phrases.extend((form, r, t) for form in dict.fromkeys((text.phrase, text.spelled)))
                for word in dict.fromkeys(text.words):
                    postings[word].append((r, t))
                    if word not in seen:
                        seen.add(word)
                        frequency[word] += 1
        trigrams: dict[str, set[str]] = defaultdict(set)
        for word in postings:
            if word.isalpha() and len(word) >= 4:
                for gram in _trigrams(word):
                    trigrams[gram].add(word)
        average = {name: max(1.0, sum(values) / len(values)) for name, values in lengths.items()}
        # many threads read these at once: plain dicts, which a lookup never changes
        self._phrases = sorted(phrases)
        self._postings = {word: self._compact(found, average) for word, found in postings.items()}
        self._frequency = dict(frequency)
        self._vocabulary = sorted(postings)
        self._trigrams = dict(trigrams)

    def _compact(self, found: list[tuple[int, int]], average: dict[str, float]) -> _Postings:
        texts = [self.resources[r].texts[t] for r, t in found]
        return _Postings(
            array("I", (r for r, _ in found)),
            array("I", (t for _, t in found)),
            array(
                "d",
                (
                    text.field.weight
                    * (_K1 + 1)
                    / (1 + _K1 * (1 - _B + _B * len(text.words) / average[text.field.name]))
                    for text in texts
                ),
            ),
            bytes(text.field.role is not Role.DEFINITION for text in texts),
        )

    # -- building ------------------------------------------------------------------------

    @classmethod
    def from_entries(cls, entries: Iterable[Entry]) -> SearchIndex:
        """An index of (resource, property, text) triples; unknown properties are ignored."""
        texts: dict[URIRef, dict[tuple[str, str], Text]] = defaultdict(dict)
        for resource, prop, literal in entries:
            field = FIELDS.get(prop)
            if field is None:
                continue
            text = Text.of(field, str(literal), literal.language or "")
            if not text.words:
                continue
            known = texts[resource]
            # the same text under two properties (inferred super-properties) counts once
            same = (text.phrase, text.lang) if field.role is not Role.DEFINITION else (text.value, "definition")
            held = known.get(same)
            if held is None or _PRIORITY[field.name] < _PRIORITY[held.field.name]:
                known[same] = text
        resources = []
        for iri, by_text in texts.items():
            ordered = tuple(sorted(by_text.values(), key=lambda t: (_PRIORITY[t.field.name], t.value)))
            key = key_of(iri)
            kind = key.split("/", 1)[0] if key else None
            resources.append(Resource(iri, kind, _display_label(ordered, iri), ordered))
        return cls(resources)

    @classmethod
    def from_rows(cls, result: SelectResult) -> SearchIndex:
        entries = []
        for row in result.rows:
            resource, prop, text = row.get("resource"), row.get("property"), row.get("text")
            if isinstance(resource, URIRef) and isinstance(prop, URIRef) and isinstance(text, Literal):
                entries.append((resource, prop, text))
        return cls.from_entries(entries)

    @classmethod
    def from_store(cls, store: Searchable) -> SearchIndex:
        return cls.from_rows(store.select(sparql("search-texts")))

    def __len__(self) -> int:
        return len(self.resources)

    # -- asking --------------------------------------------------------------------------

    def search(self, query: str, kinds: Iterable[str] = ()) -> Hits:
        """Every resource matching `query` (of one of `kinds`, when given), best first."""
        return self._rank(Query.parse(query), frozenset(kinds), definitions=True, fuzzy=True)

    def complete(self, query: str, limit: int = 10, kinds: Iterable[str] = ()) -> list[Hit]:
        """The best `limit` names or identifiers starting with, or with words starting with, `query`."""
        return self._rank(Query.parse(query), frozenset(kinds), definitions=False, fuzzy=False)[:limit]

    def _rank(self, query: Query, kinds: frozenset[str], *, definitions: bool, fuzzy: bool) -> Hits:
        best: dict[int, _Best] = {}

        def offer(r: int, candidate: _Best) -> None:
            held = best.get(r)
            if held is None or candidate[:2] > held[:2]:
                best[r] = candidate

        for r, t, tier, fraction in self._phrase_matches(query):
            offer(r, (tier, fraction, t))
        for r, candidate in self._word_matches(query, definitions=definitions, fuzzy=fuzzy).items():
            offer(r, candidate)
        if kinds:
            best = {r: found for r, found in best.items() if self.resources[r].kind in kinds}
        labels = self._sort_labels
        ordered = sorted(best, key=lambda r: (-best[r][0], -best[r][1], labels[r], r))
        return Hits(self, [(r, best[r]) for r in ordered])

    def hit(self, r: int, found: _Best) -> Hit:
        """The hit for resource number `r`, matched as `found` says."""
        resource = self.resources[r]
        tier, fraction, t = found
        text = resource.texts[t]
        return Hit(
            iri=resource.iri,
            kind=resource.kind,
            label=resource.label,
            score=round(tier + fraction, 4),
            matched=Match(text.field.name, text.value, tier),
        )

    def _phrase_matches(self, query: Query) -> Iterable[tuple[int, int, Tier, float]]:
        """Names and identifiers equal to, or starting with, the whole query."""
        for form in dict.fromkeys((query.phrase, query.spelled)):
            i = bisect_left(self._phrases, (form,))
            while i < len(self._phrases) and self._phrases[i][0].startswith(form):
                phrase, r, t = self._phrases[i]
                weight = self.resources[r].texts[t].field.weight
                if phrase == form:
                    yield r, t, Tier.EXACT, 0.99 * weight
                else:
                    yield r, t, Tier.PREFIX, 0.99 * weight * len(form) / len(phrase)
                i += 1

    def _candidates(self, word: str, fuzzy: bool) -> list[tuple[str, float, bool]]:
        """Words of the index a query word stands for: (word, match factor, by typo)."""
        found: list[tuple[str, float, bool]] = []
        if word in self._postings:
            found.append((word, 1.0, False))
        if len(word) >= 2:
            i = bisect_left(self._vocabulary, word)
            while i < len(self._vocabulary) and self._vocabulary[i].startswith(word):
                longer = self._vocabulary[i]
                if longer != word:
                    found.append((longer, 0.3 + 0.6 * len(word) / len(longer), False))
                i += 1
        limit = typos_allowed(word) if fuzzy else 0
        if limit:
            near: set[str] = set()
            for gram in _trigrams(word):
                near |= self._trigrams.get(gram, set())
            for other in sorted(near):
                if other == word or other.startswith(word):
                    continue
                distance = _osa_distance(word, other, limit)
                if distance <= limit:
                    found.append((other, 0.45 if distance == 1 else 0.3, True))
        return found

    def _word_matches(self, query: Query, *, definitions: bool, fuzzy: bool) -> dict[int, _Best]:
        """Resources whose texts hold every required word of the query (or its start, or a near miss)."""
        total = len(self.resources)
        candidates = {word: self._candidates(word, fuzzy) for word in dict.fromkeys(query.words)}
        # First the resources holding every required word, then the scores of those only: a
        # common word ("on", and the 49 words starting with it) is not scored everywhere.
        holders: dict[str, int] = {}
        common: set[int] | None = None
        required = query.required()
        for word, found in candidates.items():
            anywhere: set[int] = set()
            usable: set[int] = set()
            for candidate, _, _ in found:
                postings = self._postings[candidate]
                anywhere.update(postings.resources)
                if word in required:
                    usable.update(postings.resources if definitions else compress(postings.resources, postings.named))
            holders[word] = len(anywhere)
            if word in required:
                common = usable if common is None else common & usable
        assert common is not None  # a query has at least one required word
        per_word: list[dict[int, _WordMatch]] = []
        for word, found in candidates.items():
            matches: dict[int, _WordMatch] = {}
            for candidate, factor, by_typo in found:
                # A completion or a near miss weighs as rare as the query word is, with all it
                # stands for: a rare neighbour ("europe") must not beat a common one ("europol").
                frequency = self._frequency[candidate] if candidate == word else holders[word]
                scale = math.log(1 + (total - frequency + 0.5) / (frequency + 0.5)) * factor
                postings = self._postings[candidate]
                for r, t, weight, named in zip(
                    postings.resources, postings.texts, postings.weights, postings.named, strict=True
                ):
                    if r not in common or not (named or definitions):
                        continue
                    contribution = scale * weight
                    held = matches.get(r)
                    # a match without typos always beats one with them
                    if held is None or by_typo < held[0] or (by_typo == held[0] and contribution > held[1]):
                        matches[r] = (by_typo, contribution, t)
            per_word.append(matches)

        found_for: dict[int, _Best] = {}
        resources, words, fuzzy_tier, words_tier = self.resources, len(per_word), Tier.FUZZY, Tier.WORDS
        for r in common:
            # the usual case, every word in one text, without building a map of texts
            typo, best_text, one_text, total_contribution, covered = False, -1, True, 0.0, 0
            for matches in per_word:
                if (word_match := matches.get(r)) is not None:
                    by_typo, contribution, t = word_match
                    typo = typo or by_typo
                    if best_text < 0:
                        best_text = t
                    elif t != best_text:
                        one_text = False
                    total_contribution += contribution
                    covered += 1
            if not one_text:
                by_text: dict[int, float] = {}
                counted: dict[int, int] = {}
                for matches in per_word:
                    if (word_match := matches.get(r)) is not None:
                        _, contribution, t = word_match
                        by_text[t] = by_text.get(t, 0.0) + contribution
                        counted[t] = counted.get(t, 0) + 1
                best_text = max(by_text, key=lambda t: (by_text[t], -t))
                total_contribution = sum(by_text.values())
                covered = counted[best_text]
            coverage = min(1.0, covered / len(resources[r].texts[best_text].words))
            raw = total_contribution / words * (0.6 + 0.4 * coverage)
            found_for[r] = (fuzzy_tier if typo else words_tier, raw / (1 + raw), best_text)
        return found_for


class Hits(Sequence[Hit]):
    """The hits of one search, best first; each is made when read, so a page costs a page."""

    def __init__(self, index: SearchIndex, ranked: list[tuple[int, _Best]]) -> None:
        self._index = index
        self._ranked = ranked

    def __len__(self) -> int:
        return len(self._ranked)

    @overload
    def __getitem__(self, at: int) -> Hit: ...

    @overload
    def __getitem__(self, at: slice) -> list[Hit]: ...

    def __getitem__(self, at: int | slice) -> Hit | list[Hit]:
        if isinstance(at, slice):
            return [self._index.hit(r, found) for r, found in self._ranked[at]]
        return self._index.hit(*self._ranked[at])


# -- keeping up with the store -------------------------------------------------------------


class Searchable(Protocol):
    """A store as the search needs it: a SELECT, and a key that changes with its data."""

    @property
    def generation(self) -> object: ...

    @property
    def version(self) -> int: ...

    def select(self, query: str, bindings: Bindings | None = None) -> SelectResult: ...


class SearchCache(PerVersion[Searchable, SearchIndex]):
    """The search index of a store's current state, rebuilt when the state changes
    (`PerVersion`)."""

    def __init__(
        self, build: Callable[[Searchable], SearchIndex] = SearchIndex.from_store, limit: float = 900.0
    ) -> None:
        super().__init__("The search index", build, limit, lambda store: (store.generation, store.version))

    def get(self, store: Searchable) -> SearchIndex:
        index = super().get(store)
        assert index is not None  # the key is never None
        return index
