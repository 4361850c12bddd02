"""Closing the embedded store stops the reads still under way and those waiting for a worker:
what runs at close is background work, and its caller learns at once that the store closed."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from service.config import Settings
from service.errors import Border21Error, StoreUnavailable
from service.store.served import ServedStore

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . VALUES ?k { 1 2 3 4 5 6 7 8 9 10 11 12 } }"
WAIT = 30.0


def test_closing_stops_the_running_read_and_the_waiting_one(own_store: Path) -> None:
    store = ServedStore(Settings(store=own_store, query_workers=1, query_timeout=600))  # type: ignore[call-arg]
    outcomes: dict[str, object] = {}

    def read(name: str) -> None:
        try:
            outcomes[name] = store.select(SLOW).rows
        except Border21Error as error:
            outcomes[name] = error

    running = threading.Thread(target=read, args=("running",))
    running.start()
    time.sleep(1.0)  # the only worker has it
    waiting = threading.Thread(target=read, args=("waiting",))
    waiting.start()
    time.sleep(0.3)  # waits for the worker
    store.close()
    running.join(WAIT)
    waiting.join(WAIT)
    assert not running.is_alive() and not waiting.is_alive(), "a read outlived the store's close"
    for name in ("running", "waiting"):
        assert isinstance(outcomes[name], StoreUnavailable), outcomes[name]
        assert "closing" in str(outcomes[name])
    assert not [t for t in threading.enumerate() if t.name == "border21-respawn" and t.is_alive()]
