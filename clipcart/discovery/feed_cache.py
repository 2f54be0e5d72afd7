"""Per-process caches of the For You work every viewer of a market shares.

Three caches, bounded, and at most ``TTL`` old by the injected clock:

* per market, the **candidate band** (``feed_band.Band``): every item of the market listed
  when it was read whose stored score is within the largest boost of the ``BAND_DEPTH``-th
  best, plus the items re-scored since. A first page, signed in or out, is ranked from it
  in Python: the viewer's own boosts and blocks are applied per request
  (``feed_band.rank``), so nothing personal is cached;
* the **signed-out first page** (the API's JSON document per market and page size), for
  viewers without boosts;
* social's **video cards** by video ID (the same for every viewer).

In this process, a change to ``feed_items`` (``feed_index``) empties all three once its
transaction commits; a change made by another process (a job worker), and a change to a
card that does not re-index the video (a product's price, a video just removed), shows
within ``TTL``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.aftercommit import after_commit

TTL = timedelta(seconds=5)
MAX_ENTRIES = 256  # markets x page sizes; far above what the markets need
CARD_ENTRIES = 5000  # video cards (a few kB each): the first pages of every market

V = TypeVar("V")
_CHANGED = "clipcart_feed_changed"


class Generation:
    """A counter bumped whenever this process commits a change to the feed."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.value += 1


generation = Generation()


class TtlCache(Generic[V]):
    """A small thread-safe map whose entries die after ``ttl`` (by ``clock.now``), when the
    feed changes in this process, or when ``max_entries`` newer ones push them out."""

    def __init__(self, ttl: timedelta = TTL, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[Any, int, V]] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            stored_at, gen, value = found
            if gen != generation.value or clock.now() - stored_at >= self.ttl \
                    or clock.now() < stored_at:
                del self._entries[key]
                return None
            return value

    def put(self, key: Hashable, value: V, gen: int, stored_at: Any) -> None:
        """Keep ``value``, computed from a read that started at generation ``gen`` and
        time ``stored_at`` (so a change committed meanwhile is not hidden)."""
        with self._lock:
            if gen != generation.value:
                return
            self._entries[key] = (stored_at, gen, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        found = self.get(key)
        if found is not None:
            return found
        gen, started = generation.value, clock.now()
        value = make()
        self.put(key, value, gen, started)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


bands: TtlCache[Any] = TtlCache()
signed_out_pages: TtlCache[Any] = TtlCache()
cards: TtlCache[Any] = TtlCache(max_entries=CARD_ENTRIES)


def note_change(session: Session) -> None:
    """The session is changing ``feed_items``: empty the caches once it commits (once per
    transaction; a rollback changes nothing)."""
    after_commit(session, generation.bump, key=_CHANGED)


def clear() -> None:
    """Forget everything (tests, after emptying the tables)."""
    generation.bump()
    bands.clear()
    signed_out_pages.clear()
    cards.clear()
