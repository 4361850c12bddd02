"""Dependencies shared by the routers. Route functions take these, never globals."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.config import Settings
from service.store import GraphStore, StoreProvider


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_provider(request: Request) -> StoreProvider:
    provider: StoreProvider = request.app.state.store_provider
    return provider


def get_store(provider: Annotated[StoreProvider, Depends(get_provider)]) -> GraphStore:
    return provider.get()


SettingsDep = Annotated[Settings, Depends(get_settings)]
ProviderDep = Annotated[StoreProvider, Depends(get_provider)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
