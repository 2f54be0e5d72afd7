"""The For You score: what ranks an item, written once, in integer "rank units".

An item's rank key is a base-2 logarithm of how much the feed wants to show it, scaled by
``UNIT`` (1,000 units = twice as much):

    key = engagement + recency + live + personal

* ``engagement = UNIT * log2(1 + RATE_SCALE * rate)`` with the smoothed engagement rate
  ``rate = (likes + 2 * comments + 3 * shares + PRIOR_ACTIONS) / (views + PRIOR_VIEWS)``.
  A rate, not a count: a small creator's well-liked video competes with a big creator's.
  The priors keep a video with 3 views and 2 likes from outranking everything.
* ``recency = UNIT * (published_at - EPOCH) / HALF_LIFE``: every ``HALF_LIFE`` of age
  halves an item's weight. Written as a bonus for being new rather than a penalty for
  being old, the key of an item does not change while time passes, so it can be stored,
  indexed and paged by keyset (the order it gives at any instant is the order of
  ``weight * 2 ** (-age / HALF_LIFE)``).
* ``live = LIVE_BOOST`` while a LIVE room is on air (its recency counts from its start).
* ``personal`` (per viewer, added at query time): ``FOLLOW_BOOST`` when the viewer follows
  the creator, ``LIKED_BOOST`` when they liked one of the creator's recent videos,
  ``PURCHASE_BOOST`` when they bought from the item's shop.

Then the diversity rule (``diversify``): never the same creator twice in a row.

Floats appear only inside the logarithm; the stored key is an integer, rounded once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

UNIT = 1000
HALF_LIFE = timedelta(hours=24)
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
RATE_SCALE = 100
PRIOR_ACTIONS = 1
PRIOR_VIEWS = 20
LIVE_BOOST = 3 * UNIT      # on air: as if three half-lives (72 h) newer
FOLLOW_BOOST = 2 * UNIT    # a creator the viewer follows: four times the weight
LIKED_BOOST = UNIT         # a creator whose videos the viewer liked: twice
PURCHASE_BOOST = UNIT      # a shop the viewer bought from: twice
MAX_HELD = 10              # a creator's items waiting for another creator in between


@dataclass(frozen=True)
class Engagement:
    views: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0


def engagement_rate(e: Engagement) -> float:
    return (e.likes + 2 * e.comments + 3 * e.shares + PRIOR_ACTIONS) / (e.views + PRIOR_VIEWS)


def engagement_units(e: Engagement) -> int:
    return round(UNIT * math.log2(1 + RATE_SCALE * engagement_rate(e)))


def recency_units(published_at: datetime) -> int:
    return round(UNIT * (published_at - EPOCH) / HALF_LIFE)


def video_score(published_at: datetime, e: Engagement) -> int:
    return engagement_units(e) + recency_units(published_at)


def live_score(started_at: datetime) -> int:
    """A room on air: no engagement history yet (the prior's rate), recency from its start,
    and the LIVE boost."""
    return engagement_units(Engagement()) + recency_units(started_at) + LIVE_BOOST


T = TypeVar("T")


@dataclass
class Diversified:
    emitted: list[int]          # indices into the candidates, in page order
    consumed: int               # how many of the fresh candidates were used up (in order)
    held: list[int]             # indices of candidates deferred to the next page
    dropped: list[int]          # indices left out (a flood of one creator past MAX_HELD)
    last_creator: int | None


def diversify(held: Sequence[T], fresh: Sequence[T], creator: Callable[[T], int], size: int,
              last_creator: int | None, *, exhausted: bool) -> Diversified:
    """Pick up to ``size`` items, best first, never the same creator twice in a row.

    ``held`` are items deferred by the previous page (all ranked above ``fresh``), ``fresh``
    the next candidates in rank order. At each step the best remaining item whose creator
    differs from the last one shown is taken; skipped items wait (they are always one
    creator's, the last one shown). When ``exhausted`` (no candidates beyond ``fresh``),
    items that can no longer be separated are dropped; so are waiting items beyond
    ``MAX_HELD``. Indices: ``held`` first (0..len(held)-1), then ``fresh``.
    """
    pool = list(range(len(held)))  # waiting, in rank order
    items = list(held) + list(fresh)
    out: list[int] = []
    dropped: list[int] = []
    nxt = len(held)
    last = last_creator
    while len(out) < size:
        pick = next((i for i in pool if creator(items[i]) != last), None)
        if pick is not None:
            pool.remove(pick)
        else:
            while nxt < len(items) and creator(items[nxt]) == last:
                pool.append(nxt)
                nxt += 1
            if nxt >= len(items):
                break
            pick = nxt
            nxt += 1
        out.append(pick)
        last = creator(items[pick])
    if len(pool) > MAX_HELD:
        dropped, pool = pool[MAX_HELD:], pool[:MAX_HELD]
    if exhausted and nxt >= len(items) and len(out) < size:
        dropped, pool = dropped + pool, []
    return Diversified(out, nxt - len(held), pool, dropped, last)
