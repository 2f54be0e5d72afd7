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

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from clipcart.aftercommit import after_commit
from clipcart.ttlmap import Generation, TtlMap

TTL = timedelta(seconds=5)
MAX_ENTRIES = 256  # markets x page sizes; far above what the markets need
CARD_ENTRIES = 5000  # video cards (a few kB each): the first pages of every market

_CHANGED = "clipcart_feed_changed"
generation = Generation()  # bumped whenever this process commits a change to the feed

bands: TtlMap[str, Any] = TtlMap(TTL, MAX_ENTRIES, generation)
signed_out_pages: TtlMap[tuple[str, int], Any] = TtlMap(TTL, MAX_ENTRIES, generation)
cards: TtlMap[int, Any] = TtlMap(TTL, CARD_ENTRIES, generation)


def note_change(session: Session) -> None:
    """The session is changing ``feed_items``: empty the caches once it commits (once per
    transaction; a rollback changes nothing)."""
    after_commit(session, generation.bump, key=_CHANGED)


def clear() -> None:
    """Forget everything (tests, after emptying the tables)."""
    bands.clear()  # bumps the generation the three share
    signed_out_pages.clear()
    cards.clear()
