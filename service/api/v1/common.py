"""What every /api/v1 route shares: dates, paging with Link headers, the knowledge cache."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Annotated, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, Field
from rdflib import URIRef
from starlette.datastructures import State

from service import catalog, cooperation
from service.api.deps import StoreDep
from service.background import PerVersion
from service.cooperation import Knowledge
from service.errors import InvalidQuery, StoreUnavailable
from service.store.served import ServiceStore
from service.store.worker import give_back_memory

logger = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(..., description="How many items match, over all pages.")
    limit: int
    offset: int


def parse_date(value: str | None, parameter: str = "at") -> dt.date:
    """A YYYY-MM-DD date; today when absent."""
    if value is None or value == "":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise InvalidQuery(f"{parameter} must be a date as YYYY-MM-DD; got {value[:40]!r}") from error


def at_parameter(
    at: Annotated[
        str | None, Query(description="The date to ask about, YYYY-MM-DD; default today.", examples=["2021-01-01"])
    ] = None,
) -> dt.date:
    return parse_date(at)


AtDep = Annotated[dt.date, Depends(at_parameter)]


class Paging:
    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset

    def page(self, items: Sequence[T], request: Request, response: Response) -> Page[T]:
        """Cut one page out of `items` and set the Link header for the pages around it."""
        self.set_links(len(items), request, response)
        return Page[T](
            items=list(items[self.offset : self.offset + self.limit]),
            total=len(items),
            limit=self.limit,
            offset=self.offset,
        )

    def set_links(self, total: int, request: Request, response: Response) -> None:
        """The Link header for the pages around this one, of `total` items."""
        links = []
        if self.offset + self.limit < total:
            links.append(f'<{self._url(request, self.offset + self.limit)}>; rel="next"')
        if self.offset > 0:
            links.append(f'<{self._url(request, max(0, self.offset - self.limit))}>; rel="prev"')
        if links:
            response.headers["Link"] = ", ".join(links)

    def _url(self, request: Request, offset: int) -> str:
        parameters = [(k, v) for k, v in request.query_params.multi_items() if k not in ("offset", "limit")]
        parameters += [("limit", str(self.limit)), ("offset", str(offset))]
        return f"{request.url.path}?{urlencode(parameters)}"


PagingDep = Annotated[Paging, Depends(Paging)]


class KnowledgeCache(PerVersion[ServiceStore, Knowledge]):
    """Labels, functions and precedence, read once per store version (`PerVersion`)."""

    def __init__(self, limit: float = 900.0) -> None:
        super().__init__(
            "The labels and precedence", lambda store: Knowledge.read(store), limit, lambda s: (s.generation, s.version)
        )

    def get(self, store: ServiceStore) -> Knowledge:
        knowledge = super().get(store)
        assert knowledge is not None  # the key is never None
        return knowledge


def knowledge(request: Request, store: StoreDep) -> Knowledge:
    cache: KnowledgeCache = request.app.state.knowledge
    return cache.get(store)


KnowledgeDep = Annotated[Knowledge, Depends(knowledge)]


class DateCache:
    """Links and their explanations on a date, and the network's arrangements, per store
    version: the network and paths ask for the same date again and again while the store does
    not change. A store that cannot say when it changed (a remote one) is not cached."""

    def __init__(self, size: int = 16) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._entries: OrderedDict[tuple[str, str, dt.date | None], object] = OrderedDict()

    def get(self, store: ServiceStore, kind: str, day: dt.date | None, compute: Callable[[], V]) -> V:
        version = store.cache_key()
        if version is None:
            return compute()
        key = (version, kind, day)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value


def _cache_key(store: ServiceStore) -> str | None:
    return store.cache_key()


def _link_index(store: ServiceStore) -> cooperation.LinkIndex:
    index = cooperation.LinkIndex.read(store)
    give_back_memory()  # what the scan and the build held
    return index


class LinkIndexCache(PerVersion[ServiceStore, cooperation.LinkIndex]):
    """The store's link index (`cooperation.LinkIndex`) for its current version, instead of
    joining in the store for each date (`PerVersion`: a remote store has none). At a million
    triples it scans for seconds and holds hundreds of MB while it builds; at ten million,
    minutes."""

    def __init__(self, limit: float = 900.0) -> None:
        super().__init__("The link index", lambda store: _link_index(store), limit, _cache_key)


class Lists:
    """The actor and channel lists per store version (`PerVersion`); a remote store's are read
    for each request."""

    def __init__(self, limit: float = 900.0) -> None:
        self.actors = PerVersion("The actor list", lambda store: catalog.actors(store), limit, _cache_key)
        self.channels = PerVersion("The channel list", lambda store: catalog.channels(store), limit, _cache_key)


def links_on(
    request: Request, store: ServiceStore, day: dt.date, party: URIRef | None = None
) -> list[cooperation.Link]:
    """The links on a date (with `party`, that actor's only), cached per store version."""
    return _dated(
        request,
        store,
        f"links {party or ''}",
        day,
        lambda index: index.links_at(day, party),
        lambda: cooperation.links_at(store, day, party),
    )


def supports_on(
    request: Request, store: ServiceStore, day: dt.date, party: URIRef | None = None
) -> dict[URIRef, list[cooperation.Support]]:
    """What those links rest on, cached the same way."""
    return _dated(
        request,
        store,
        f"supports {party or ''}",
        day,
        lambda index: index.supports_at(day, party),
        lambda: cooperation.supports_at(store, day, party),
    )


def _dated(
    request: Request,
    store: ServiceStore,
    kind: str,
    day: dt.date,
    from_index: Callable[[cooperation.LinkIndex], V],
    from_store: Callable[[], V],
) -> V:
    """From the link index where the store has one, else joined in the store for `day` alone."""
    dates: DateCache = request.app.state.dates
    links: LinkIndexCache = request.app.state.links

    def read() -> V:
        index = links.get(store)
        return from_index(index) if index is not None else from_store()

    return dates.get(store, kind, day, read)


def actors_of(request: Request, store: ServiceStore) -> list[catalog.Actor]:
    return _actors(request.app.state.lists, store)


def channels_of(request: Request, store: ServiceStore) -> list[catalog.Channel]:
    return _channels(request.app.state.lists, store)


def _actors(lists: Lists, store: ServiceStore) -> list[catalog.Actor]:
    kept = lists.actors.get(store)
    return list(kept if kept is not None else catalog.actors(store))


def _channels(lists: Lists, store: ServiceStore) -> list[catalog.Channel]:
    kept = lists.channels.get(store)
    return list(kept if kept is not None else catalog.channels(store))


class WarmUp:
    """Where the start-up warm-up is: `running`, then `done`, `failed` (requests fill the caches
    themselves), `skipped` (a remote store, or nothing built yet) or `stopped` (shut down
    first); `off` when the settings turn it off. `/readyz?warm=true` waits for its end."""

    def __init__(self, enabled: bool) -> None:
        self.outcome = "running" if enabled else "off"
        self.ended = threading.Event()
        if not enabled:
            self.ended.set()

    def end(self, outcome: str) -> None:
        self.outcome = outcome
        self.ended.set()


def warm_up(
    state: State,
    store: ServiceStore,
    stop: threading.Event,
    settle: float = 0.0,
    refresh: Callable[[], object] | None = None,
) -> None:
    """Fill the caches every planner request needs (knowledge, actors, channels, link index,
    search index) for the store's current version, so that the first request does not pay for
    them: at a million triples they take seconds. Run in a background thread until done or
    `stop` is set (checked between the reads; closing the store ends the one under way). A
    failure is only logged: the request that needs the cache then reads it itself. How it
    ended is kept in `state.warm_up` (a `WarmUp`).

    With `settle` > 0 the thread then stays, and fills the caches again for each new state of
    the store (a build adopted, a write) once that state has lasted `settle` seconds: a burst
    of writes is warmed once, after its last write.

    `refresh`, when given, runs before each filling (at start-up too): it brings what the
    caches are read from up to date with the writes (`ServedStore.derive_again`); a failure
    is only logged."""
    progress: WarmUp = state.warm_up
    try:
        _refresh(refresh)
        warmed = _key(store)
        outcome = _warm_up(state, store, stop)
    except BaseException:
        progress.end("failed")
        raise
    progress.end(outcome)
    if settle > 0 and outcome != "stopped":
        _keep_warm(state, store, stop, settle, warmed, refresh)


def _keep_warm(
    state: State,
    store: ServiceStore,
    stop: threading.Event,
    settle: float,
    warmed: str | None,
    refresh: Callable[[], object] | None,
) -> None:
    seen = warmed
    while not stop.wait(settle):
        key = _key(store)  # asking also adopts a newly published build
        if key is None or key == warmed:
            seen = key
            continue
        if key != seen:  # changed within the last period: wait for it to keep still
            seen = key
            continue
        _refresh(refresh)
        key = _key(store)  # what the refresh wrote is warmed now, not after another period
        if _warm_up(state, store, stop) == "stopped":
            return
        warmed = seen = key


def _refresh(refresh: Callable[[], object] | None) -> None:
    if refresh is None:
        return
    try:
        refresh()
    except StoreUnavailable:  # nothing built yet, or closed: the warm-up says so itself
        logger.debug("event=refresh_skipped", exc_info=True)
    except Exception:
        logger.warning("event=refresh_failed", exc_info=True)


def _key(store: ServiceStore) -> str | None:
    try:
        return store.cache_key()
    except StoreUnavailable:
        return None


def _warm_up(state: State, store: ServiceStore, stop: threading.Event) -> str:
    started = time.monotonic()
    if _key(store) is None:  # a remote store (what is read now would not be kept), or nothing built yet
        return "skipped"
    steps: list[Callable[[], object]] = [
        lambda: state.knowledge.get(store),
        lambda: _actors(state.lists, store),
        lambda: _channels(state.lists, store),
        lambda: state.links.get(store),
        lambda: state.search.get(store),
    ]
    for step in steps:
        if stop.is_set():
            return "stopped"
        try:
            step()
        except Exception:
            if stop.is_set():  # the store was closed under it, as asked
                return "stopped"
            logger.warning("event=warm_up_failed", exc_info=True)
            return "failed"
    logger.info("event=warm_up_done seconds=%.1f", time.monotonic() - started)
    return "done"
