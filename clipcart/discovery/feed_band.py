"""A market's For You candidate band, read once and shared (see ``feed_cache``), and the
ranking of a first page from it in Python with the viewer's own boosts.

The band holds, at its snapshot ``as_of``, every item of the market listed by then whose
stored score is at least ``threshold`` (the ``BAND_DEPTH``-th best score minus the largest
boost a viewer can have), and every item re-scored since ``as_of`` (ranked by its previous
key, as a page token would). ``rank`` applies exactly the rule of ``feed.for_you_ids`` for
a first page (score floor, boosts, blocks, order by key then ID) and answers None when the
band cannot hold the whole answer (a viewer who blocked many creators, a huge page): the
caller then asks the database.
"""

from __future__ import annotations

import heapq
from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from clipcart.discovery import ranking
from clipcart.discovery.feed_models import FeedItem

BAND_DEPTH = 256  # first pages up to 100 items (a window of 211) with room for blocks
ALL_BOOSTS = ranking.FOLLOW_BOOST + ranking.LIKED_BOOST + ranking.PURCHASE_BOOST


class BandItem(NamedTuple):
    id: int
    kind: str
    profile_id: int
    shop_id: int | None
    score: int      # stored score, what the floor is taken on
    key: int        # the key at as_of: the previous score when re-scored since
    rescored: bool  # re-scored after as_of: always a candidate, never the floor


@dataclass(frozen=True)
class Band:
    as_of: datetime
    threshold: int | None  # None: the band is the whole market
    items: tuple[BandItem, ...]     # not re-scored since as_of, by stored score, best first
    rescored: tuple[BandItem, ...]  # re-scored since as_of: always candidates


def load(session: Session, market: str, as_of: datetime) -> Band:
    """The market's band at ``as_of`` (two queries, each an index range)."""
    listed = [FeedItem.market == market, FeedItem.listed_at <= as_of]
    deepest = session.scalar(select(FeedItem.score).where(*listed,
                                                          FeedItem.scored_at <= as_of)
                             .order_by(FeedItem.score.desc()).offset(BAND_DEPTH - 1).limit(1))
    threshold = None if deepest is None else int(deepest) - ALL_BOOSTS
    columns = (FeedItem.id, FeedItem.kind, FeedItem.profile_id, FeedItem.shop_id,
               FeedItem.score, FeedItem.prev_score, FeedItem.scored_at)
    query = select(*columns).where(*listed)
    if threshold is not None:
        query = union(query.where(FeedItem.score >= threshold),
                      query.where(FeedItem.scored_at > as_of))  # type: ignore[assignment]
    items = []
    for r in session.execute(query):
        rescored = r.scored_at > as_of
        items.append(BandItem(r.id, r.kind, r.profile_id, r.shop_id, int(r.score),
                              int(r.prev_score if rescored else r.score), rescored))
    items.sort(key=lambda i: (i.score, i.id), reverse=True)
    return Band(as_of, threshold, tuple(i for i in items if not i.rescored),
                tuple(i for i in items if i.rescored))


def rank(band: Band, limit: int, k: int, *, followed: Set[int], liked: Set[int],
         bought: Set[int], blocked: Set[int]) -> list[tuple[int, str, int, int]] | None:
    """The best ``limit`` (id, kind, creator, key) of a first page, the score floor taken
    at the ``k``-th eligible item as ``feed.score_floor`` does; None when the band is too
    shallow for this viewer."""
    boost = (ranking.FOLLOW_BOOST if followed else 0) + (ranking.LIKED_BOOST if liked else 0) \
        + (ranking.PURCHASE_BOOST if bought else 0)
    floor = None
    seen = 0
    for item in band.items:
        if item.profile_id not in blocked:
            seen += 1
            if seen == k:
                floor = item.score
                break
    if floor is None:
        if band.threshold is not None:
            return None  # fewer than k eligible items in the band, more in the market
    elif band.threshold is not None and floor - boost < band.threshold:
        return None
    lowest = None if floor is None else floor - boost
    personal: dict[int, int] = {}
    for profile in followed:
        personal[profile] = ranking.FOLLOW_BOOST
    for profile in liked:
        personal[profile] = personal.get(profile, 0) + ranking.LIKED_BOOST
    best: list[tuple[int, int, str, int]] = []  # a min-heap of the best (key, id, ...)

    def offer(item: BandItem, extra: int) -> None:
        entry = (item.key + extra, item.id, item.kind, item.profile_id)
        if len(best) < limit:
            heapq.heappush(best, entry)
        elif entry > best[0]:
            heapq.heapreplace(best, entry)

    for item in band.rescored:
        if item.profile_id not in blocked:
            offer(item, personal.get(item.profile_id, 0)
                  + (ranking.PURCHASE_BOOST if item.shop_id in bought else 0))
    for item in band.items:  # by stored score: every later key is at most score + boost
        if (lowest is not None and item.score < lowest) \
                or (len(best) == limit and item.score + boost < best[0][0]):
            break
        if item.profile_id in blocked:
            continue
        extra = personal.get(item.profile_id, 0) \
            + (ranking.PURCHASE_BOOST if item.shop_id in bought else 0)
        if floor is not None and item.score < floor and not extra:
            continue  # unboosted and below the floor
        offer(item, extra)
    best.sort(reverse=True)
    return [(item_id, kind, creator, key) for key, item_id, kind, creator in best]
