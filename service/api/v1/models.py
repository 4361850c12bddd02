"""Typed shapes of the REST facade's requests and responses."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

EXAMPLE_STATE = {
    "id": "https://w3id.org/border21/id/state/gb",
    "key": "state/gb",
    "type": "state",
    "label": "United Kingdom",
}


class ResourceRef(BaseModel):
    id: str = Field(..., description="The resource's IRI.", examples=["https://w3id.org/border21/id/state/gb"])
    key: str | None = Field(None, description="{kind}/{slug}, the path of /id/{kind}/{slug}.", examples=["state/gb"])
    type: str | None = Field(None, description="The kind of resource.", examples=["state"])
    label: str = Field(..., examples=["United Kingdom"])


class Support(BaseModel):
    """A participation or channel access a link rests on, as stated in the data."""

    id: str
    kind: Literal["participation", "access"]
    actor: ResourceRef
    basis: ResourceRef = Field(..., description="The instrument taken part in, or the channel accessed.")
    mode: ResourceRef | None = Field(None, description="For participations: party, opt-in, opt-out, ...")
    start: dt.date
    end: dt.date | None = None
    start_confirmed_only: bool = Field(
        False,
        description="True when `start` is the earliest day an official source confirms the record, "
        "not the day it began: it began then or before.",
    )
    sources: list[str] = Field(default_factory=list, description="Official sources of the record.")
    derived_from: list[Support] = Field(
        default_factory=list,
        description="For a participation that follows from membership of an organisation: the records it follows from.",
    )


class Link(BaseModel):
    """A derived cooperation link, with the records that explain it."""

    id: str
    between: list[ResourceRef]
    start: dt.date
    end: dt.date | None = None
    lifted: bool = Field(False, description="True when the link stands for a link between the actors' agencies.")
    start_confirmed_only: bool = Field(
        False,
        description="True when `start` comes from records whose start is only the earliest day an official "
        "source confirms them: the link held then or before.",
    )
    explanation: list[Support]


class Way(BaseModel):
    """An instrument or channel through which one actor can obtain a function from another."""

    basis: ResourceRef
    kind: Literal["instrument", "channel"]
    links: list[Link]


class Resolution(BaseModel):
    applies: list[Way] = Field(..., description="What applies, best first.")
    fallbacks: list[Way] = Field(
        ..., description="What an applicable instrument prevails over: what would apply if it went."
    )


class Outcome(BaseModel):
    a: ResourceRef
    b: ResourceRef
    function: ResourceRef
    before: Resolution
    after: Resolution
    lost: list[ResourceRef] = Field(..., description="What was available before and is not after.")
    gained: list[ResourceRef]
    fallback: Way | None = Field(
        None, description="What the pair falls back on, when what applied before no longer does."
    )


class ChangeIn(BaseModel):
    kind: Literal["end", "remove", "add"] = Field(
        ...,
        description="end: the actor's participations (or accesses) that hold on the scenario date end on `date`; "
        "remove: they are gone; add: a new participation (or access) from `date`.",
    )
    actor: str = Field(..., description="The actor, as IRI or key.", examples=["state/gb"])
    instrument: str | None = Field(None, examples=["instrument/eaw-framework-decision"])
    channel: str | None = Field(None, examples=["channel/sis"])
    date: dt.date | None = Field(None, examples=["2020-12-31"])
    until: dt.date | None = Field(None, description="For add: the last day.")
    mode: str | None = Field(
        None, description="For add to an instrument: the participation mode.", examples=["participation-mode/party"]
    )


class ScenarioIn(BaseModel):
    name: str | None = Field(None, max_length=200, examples=["The UK leaves EU instruments"])
    at: dt.date = Field(..., description="The date the scenario asks about.", examples=["2021-01-01"])
    before: dt.date | None = Field(
        None, description="Compare with the data as it stood on this date instead of `at` (history replay)."
    )
    changes: list[ChangeIn] = Field(default_factory=list, max_length=200)
    pairs: list[tuple[str, str]] = Field(
        default_factory=list,
        max_length=2000,
        description="Pairs of actors to report; default: every pair that changes.",
    )
    functions: list[str] = Field(default_factory=list, max_length=100, description="Functions to report; default: all.")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "name": "The UK leaves the EAW and SIS",
                    "at": "2020-06-01",
                    "changes": [
                        {
                            "kind": "end",
                            "actor": "state/gb",
                            "instrument": "instrument/eaw-framework-decision",
                            "date": "2020-05-31",
                        },
                        {"kind": "remove", "actor": "state/gb", "channel": "channel/sis"},
                    ],
                    "pairs": [["state/gb", "state/de"]],
                },
                {"name": "Replay 1 January 2021", "at": "2021-01-01", "before": "2020-12-31"},
            ]
        }
    }


class ScenarioOut(BaseModel):
    id: str = Field(..., description="The scenario's id: the same request always gets the same id.")
    request: ScenarioIn
    outcomes: list[Outcome]
    total: int


class Comparison(BaseModel):
    a: ResourceRef
    b: ResourceRef
    function: ResourceRef
    first: Resolution
    second: Resolution


class ScenarioComparison(BaseModel):
    first: str
    second: str
    differences: list[Comparison]
    total: int
