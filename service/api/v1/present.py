"""Domain results turned into the REST facade's models."""

from __future__ import annotations

from rdflib import URIRef

from service import cooperation
from service.api.v1 import models
from service.keys import key_of
from service.store.base import GraphStore


class Presenter:
    """Writes resources with their labels and links with their explanations: a link's
    explanation comes from `explained` when given (converted when first asked for), else it is
    read from `store`, once."""

    def __init__(
        self,
        knowledge: cooperation.Knowledge,
        store: GraphStore | None,
        explained: dict[URIRef, list[cooperation.Support]] | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.store = store
        self._given = explained or {}
        self._explained: dict[URIRef, list[models.Support]] = {}
        self._refs: dict[URIRef, models.ResourceRef] = {}

    def ref(self, iri: URIRef) -> models.ResourceRef:
        ref = self._refs.get(iri)
        if ref is None:
            key = key_of(iri)
            ref = models.ResourceRef(
                id=str(iri), key=key, type=key.split("/", 1)[0] if key else None, label=self.knowledge.label(iri)
            )
            self._refs[iri] = ref
        return ref

    def support(self, support: cooperation.Support) -> models.Support:
        return models.Support(
            id=str(support.iri),
            kind=support.kind,
            actor=self.ref(support.actor),
            basis=self.ref(support.basis),
            mode=self.ref(support.mode) if support.mode is not None else None,
            start=support.start,
            end=support.end,
            start_confirmed_only=support.start_confirmed_only,
            sources=[str(source) for source in support.sources],
            derived_from=[self.support(origin) for origin in support.derived_from],
        )

    def explanation(self, link: URIRef) -> list[models.Support]:
        if link not in self._explained:
            if link in self._given:
                supports = self._given[link]
            else:
                supports = cooperation.supports_of(self.store, link) if self.store is not None else []
            self._explained[link] = [self.support(s) for s in supports]
        return self._explained[link]

    def link(self, link: cooperation.Link) -> models.Link:
        explanation = self.explanation(link.iri)
        # The link starts when its last record does: only a bound when every record starting
        # that day is itself dated by a confirmation (an exactly dated one fixes the day).
        latest = [support for support in explanation if support.start == link.start]
        return models.Link(
            id=str(link.iri),
            between=[self.ref(link.a), self.ref(link.b)],
            start=link.start,
            end=link.end,
            lifted=link.lifted,
            start_confirmed_only=bool(latest) and all(support.start_confirmed_only for support in latest),
            explanation=explanation,
        )

    def way(self, way: cooperation.Way) -> models.Way:
        links = [self.link(link) for link in way.links]
        return models.Way(basis=self.ref(way.basis), kind=way.kind, links=links)

    def resolution(self, resolution: cooperation.Resolution) -> models.Resolution:
        return models.Resolution(
            applies=[self.way(w) for w in resolution.applies], fallbacks=[self.way(w) for w in resolution.fallbacks]
        )
