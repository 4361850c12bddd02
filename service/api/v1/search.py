"""Full-text search over the resources, and prefix completion for the UI (see `service.search`
for what is searched and how hits are ranked)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from service.api.deps import StoreDep
from service.api.errors import ERROR_RESPONSES
from service.api.v1.common import Page, PagingDep
from service.api.v1.models import ResourceRef
from service.api.v1.present import Presenter
from service.cooperation import Knowledge
from service.errors import InvalidQuery
from service.namespaces import RESOURCE_KINDS
from service.search import FIELD_NAMES, MAX_QUERY_LENGTH, Hit, SearchCache, SearchIndex

router = APIRouter(prefix="/api/v1/search", tags=["search"])

MAX_SUGGESTIONS = 25

ERRORS: dict[int | str, dict[str, object]] = {
    **ERROR_RESPONSES,
    400: {
        "description": "q is empty, too long or has no letter or digit; or kind names no resource kind",
        "content": {"application/json": {"example": {"detail": "q is required: give the text to search for"}}},
    },
}

HOW = Literal["exact", "prefix", "words", "fuzzy"]


class Matched(BaseModel):
    field: str = Field(
        ..., description=f"The property the match was found in: {', '.join(FIELD_NAMES)}.", examples=["acronym"]
    )
    text: str = Field(..., description="The text that matched, as stated in the data.", examples=["EAW"])
    by: HOW = Field(
        ...,
        description="exact: the whole query equals the text; prefix: the text starts with the query; "
        "words: every word of the query is (the start of) a word of the resource's texts; fuzzy: as words, with typos.",
        examples=["exact"],
    )


class SearchHit(ResourceRef):
    score: float = Field(
        ...,
        description="Orders the hits of one search; its integer part is the tier: 4 exact, 3 prefix, 2 words, 1 fuzzy.",
        examples=[4.99],
    )
    matched: Matched


class Suggestion(ResourceRef):
    matched: Matched


class Suggestions(BaseModel):
    q: str = Field(..., description="The query completed.", examples=["euro"])
    items: list[Suggestion]


def search_index(request: Request, store: StoreDep) -> SearchIndex:
    cache: SearchCache = request.app.state.search
    return cache.get(store)


SearchIndexDep = Annotated[SearchIndex, Depends(search_index)]

QParameter = Annotated[
    str | None,
    Query(
        description=f"The text to search for: a name, an acronym, an identifier or words (at most {MAX_QUERY_LENGTH} "
        "characters). Case and accents do not matter.",
        examples=["EAW"],
    ),
]


def kinds_parameter(
    kind: Annotated[
        list[str] | None,
        Query(
            description="Only resources of these kinds (repeat the parameter or separate kinds with commas): "
            + ", ".join(RESOURCE_KINDS),
            examples=["instrument"],
        ),
    ] = None,
) -> frozenset[str]:
    kinds = frozenset(part.strip() for value in kind or () for part in value.split(",") if part.strip())
    unknown = sorted(kinds - set(RESOURCE_KINDS))
    if unknown:
        raise InvalidQuery(f"kind: unknown kind {unknown[0][:40]!r}; kinds are {', '.join(RESOURCE_KINDS)}")
    return kinds


KindsDep = Annotated[frozenset[str], Depends(kinds_parameter)]


def _presenter(index: SearchIndex) -> Presenter:
    # labels from the index itself: read in the same query, so always of the same store state
    return Presenter(Knowledge(labels=index.labels), None)


def _matched(hit: Hit) -> Matched:
    return Matched(field=hit.matched.field, text=hit.matched.text, by=hit.matched.by.name.lower())


@router.get(
    "",
    response_model=Page[SearchHit],
    summary="Search resources by name, acronym, identifier or definition",
    description="Hits best first: exact names and identifiers, then names starting with the query, then resources "
    "holding every word of the query, then the same with small typos. `Link` gives the next and previous pages.",
    responses=ERRORS,
)
def search(
    index: SearchIndexDep,
    paging: PagingDep,
    kinds: KindsDep,
    request: Request,
    response: Response,
    q: QParameter = None,
) -> Page[SearchHit]:
    page = paging.page(index.search(q or "", kinds), request, response)
    present = _presenter(index)
    items = [
        SearchHit(**present.ref(hit.iri).model_dump(), score=hit.score, matched=_matched(hit)) for hit in page.items
    ]
    return Page[SearchHit](items=items, total=page.total, limit=page.limit, offset=page.offset)


@router.get(
    "/autocomplete",
    response_model=Suggestions,
    summary="Complete what the user is typing",
    description="Names, acronyms and identifiers that are, or start with, the query, or whose words start with its "
    "words; no typos, no definitions.",
    responses=ERRORS,
)
def autocomplete(
    index: SearchIndexDep,
    kinds: KindsDep,
    q: QParameter = None,
    limit: Annotated[int, Query(ge=1, le=MAX_SUGGESTIONS, description="At most this many suggestions.")] = 10,
) -> Suggestions:
    hits = index.complete(q or "", limit, kinds)
    present = _presenter(index)
    items = [Suggestion(**present.ref(hit.iri).model_dump(), matched=_matched(hit)) for hit in hits]
    return Suggestions(q=(q or "").strip(), items=items)
