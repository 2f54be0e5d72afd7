"""The For You and Following feeds of a market: ranked item IDs, then their cards.

For You ranks ``feed_items`` by the stored key plus the viewer's boosts (see
``discovery.ranking``), then applies the diversity rule. A first page is ranked in Python
from the market's cached candidate band (``feed_band``, ``feed_cache``); a later page in
one SQL statement after the score floor. A page costs a constant number of queries
whatever its size: the viewer's signals (one, signed-in only, when not cached:
``signals_cache``), the band when not cached
(two) or the floor and the ranking (two), the video cards not cached (social: one) and the
LIVE cards (three, when the page has a LIVE).

Paging is by keyset over (key, id) inside a snapshot: the token carries the moment the
session began (items listed later wait for the next session; items re-scored later are
ranked by the key they had then), the last key and id, the last creator shown and the
few items the diversity rule deferred. So pages never repeat an item or skip one, even
while new videos arrive.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.catalog.paging import Page, decode_token, encode_token, page_size_of
from clipcart.discovery import feed_band, feed_cache, ranking, signals_cache
from clipcart.discovery.feed_models import FeedItem
from clipcart.discovery.signals_cache import Signals
from clipcart.errors import ValidationFailed
from clipcart.live import service as live
from clipcart.live import stream
from clipcart.live.models import LiveRoom
from clipcart.media import media_url
from clipcart.social import service as social
from clipcart.social.models import Follow, Profile

WINDOW_EXTRA = 10     # candidates fetched beyond twice the page, for the diversity rule


@dataclass
class Cursor:
    as_of: datetime
    key: int | None = None
    last_id: int | None = None
    last_creator: int | None = None
    held: list[int] = field(default_factory=list)


def encode_cursor(c: Cursor) -> str:
    raw = {"v": 1, "a": int(c.as_of.timestamp() * 1_000_000), "k": c.key, "i": c.last_id,
           "c": c.last_creator, "h": c.held}
    return base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()) \
        .decode().rstrip("=")


def _int_or_none(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not an integer")
    return value


def decode_cursor(token: str | None) -> Cursor | None:
    if not token:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(raw, dict) or raw.get("v") != 1:
            raise ValueError("unknown version")
        held = raw.get("h") or []
        if not isinstance(held, list) or len(held) > ranking.MAX_HELD:
            raise ValueError("bad held")
        cursor = Cursor(as_of=datetime.fromtimestamp(int(raw["a"]) / 1_000_000, tz=UTC),
                        key=_int_or_none(raw.get("k")), last_id=_int_or_none(raw.get("i")),
                        last_creator=_int_or_none(raw.get("c")),
                        held=[int(h) for h in held if _int_or_none(h) is not None])
        if (cursor.key is None) != (cursor.last_id is None):
            raise ValueError("half a cursor")
        return cursor
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, KeyError,
            OverflowError, OSError):
        raise ValidationFailed("That page_token is not one this feed gave out.",
                               field="page_token") from None


def rank_key(cursor_time: datetime, s: Signals) -> ColumnElement[int]:
    """The item's key at ``cursor_time`` plus the viewer's boosts, as SQL."""
    key: ColumnElement[int] = case((FeedItem.scored_at > cursor_time, FeedItem.prev_score),
                                   else_=FeedItem.score)
    for ids, column, boost in ((s.followed, FeedItem.profile_id, ranking.FOLLOW_BOOST),
                               (s.liked, FeedItem.profile_id, ranking.LIKED_BOOST),
                               (s.bought, FeedItem.shop_id, ranking.PURCHASE_BOOST)):
        if ids:
            key = key + case((column.in_(sorted(ids)), boost), else_=0)
    return key


@dataclass(frozen=True)
class Ranked:
    id: int
    kind: str
    creator: int
    key: int


def max_boost(s: Signals) -> int:
    """The most the viewer's boosts can add to an item's stored key."""
    return (ranking.FOLLOW_BOOST if s.followed else 0) + \
        (ranking.LIKED_BOOST if s.liked else 0) + (ranking.PURCHASE_BOOST if s.bought else 0)


def boosted(s: Signals) -> ColumnElement[bool] | None:
    """Items the viewer's boosts apply to (None when none do)."""
    terms = [FeedItem.profile_id.in_(sorted(s.followed | s.liked))] if s.followed or s.liked \
        else []
    if s.bought:
        terms.append(FeedItem.shop_id.in_(sorted(s.bought)))
    return or_(*terms) if terms else None


def score_floor(session: Session, market_code: str, cursor: Cursor, k: int,
                boost: int, hidden: frozenset[int] = frozenset()) -> int | None:
    """The stored score ``s_k`` of the k-th candidate surely below the cursor (or None).

    Walking the (market, score) index below the cursor, take the k-th eligible item that
    was not re-scored since the session began and whose key is surely below the cursor
    (stored score + ``boost`` under it). Those k items all rank at ``s_k`` or above, so an
    unboosted item stored below ``s_k``, or a boosted one stored below ``s_k - boost``,
    ranks below every one of them and cannot make the next k. Items re-scored since the
    session began (ranked by their older key) are always candidates. This keeps the ranking
    on a band of the covering index instead of a sort of the whole market.
    """
    query = (select(FeedItem.score)
             .where(FeedItem.market == market_code, FeedItem.listed_at <= cursor.as_of,
                    FeedItem.scored_at <= cursor.as_of))
    if cursor.key is not None:
        query = query.where(FeedItem.score < cursor.key - boost)
    if hidden:
        query = query.where(FeedItem.profile_id.not_in(sorted(hidden)))
    found = session.scalar(query.order_by(FeedItem.score.desc()).offset(k - 1).limit(1))
    return None if found is None else int(found)


def for_you_ids(session: Session, market_code: str, user_id: int | None, *,
                page_size: int = 10, page_token: str | None = None) -> Page[Ranked]:
    """The next page of For You, ranked and diversified. A first page is ranked from the
    market's cached band (``feed_band``) with the viewer's boosts; other pages, and a first
    page the band is too shallow for, by the database (three queries at most)."""
    size = page_size_of(page_size)
    code = market_code.upper()
    cursor = decode_cursor(page_token)
    viewer = signals_cache.viewer_signals(session, user_id)
    window = 2 * size + WINDOW_EXTRA
    rows: list[Ranked] | None = None
    if cursor is None:
        band = feed_cache.bands.get_or_make(code, lambda: feed_band.load(session, code,
                                                                         clock.now()))
        found = feed_band.rank(band, window + 1, window + 1, followed=viewer.followed,
                               liked=viewer.liked, bought=viewer.bought,
                               blocked=viewer.blocked)
        if found is not None:
            cursor = Cursor(as_of=band.as_of)
            rows = [Ranked(*r) for r in found]
    if cursor is None or rows is None:
        cursor = cursor or Cursor(as_of=clock.now())
        rows = ranked_rows(session, code, cursor, viewer, window)
    return _diversified_page(rows, cursor, size, window)


def ranked_rows(session: Session, code: str, cursor: Cursor, viewer: Signals,
                window: int) -> list[Ranked]:
    """The best ``window`` + 1 items below the cursor and the held ones, by the database."""
    key = rank_key(cursor.as_of, viewer).label("key")
    query = (select(FeedItem.id, FeedItem.kind, FeedItem.profile_id, key)
             .where(FeedItem.market == code, FeedItem.listed_at <= cursor.as_of))
    boost = max_boost(viewer)
    if viewer.blocked:
        query = query.where(FeedItem.profile_id.not_in(sorted(viewer.blocked)))
    if cursor.key is not None:
        after = or_(key < cursor.key, and_(key == cursor.key, FeedItem.id < cursor.last_id))
        query = query.where(or_(after, FeedItem.id.in_(cursor.held)) if cursor.held else after)
    limit = window + len(cursor.held) + 1
    floor = score_floor(session, code, cursor, window + 1, boost, viewer.blocked)
    if floor is None:
        ranked: Any = query.order_by(key.desc(), FeedItem.id.desc()).limit(limit)
    else:
        # the band, one index range per part (an OR of them would scan the whole market)
        parts = [query.where(FeedItem.score >= floor),
                 query.where(FeedItem.scored_at > cursor.as_of)]
        lifted = boosted(viewer)
        if lifted is not None:
            parts.append(query.where(FeedItem.score >= floor - boost, lifted))
        band = union(*parts)
        ranked = band.order_by(band.selected_columns.key.desc(),
                               band.selected_columns.id.desc()).limit(limit)
    return [Ranked(r.id, r.kind, r.profile_id, int(r.key)) for r in session.execute(ranked)]


def _diversified_page(rows: list[Ranked], cursor: Cursor, size: int,
                      window: int) -> Page[Ranked]:
    """The diversity rule over the ranked candidates, and the token of the next page."""
    held_set = set(cursor.held)
    held = [r for r in rows if r.id in held_set]
    fresh = [r for r in rows if r.id not in held_set]
    more = len(fresh) > window
    fresh = fresh[:window]
    picked = ranking.diversify(held, fresh, lambda r: r.creator, size, cursor.last_creator,
                               exhausted=not more)
    items = held + fresh
    page = [items[i] for i in picked.emitted]
    if picked.consumed:
        last = fresh[picked.consumed - 1]
        cursor.key, cursor.last_id = last.key, last.id
    cursor.held = [items[i].id for i in picked.held]
    cursor.last_creator = picked.last_creator
    done = not more and picked.consumed == len(fresh) and not cursor.held
    return Page(page, None if done else encode_cursor(cursor))


def following_ids(session: Session, user_id: int, *, page_size: int = 10,
                  page_token: str | None = None) -> Page[Ranked]:
    """Videos and LIVEs of the creators the viewer follows, newest first (one query)."""
    size = page_size_of(page_size)
    followed = select(Follow.profile_id).where(Follow.follower_user_id == user_id)
    query = (select(FeedItem.id, FeedItem.kind, FeedItem.profile_id)
             .where(FeedItem.profile_id.in_(followed)).order_by(FeedItem.id.desc()))
    after = decode_token(page_token)
    if after is not None:
        query = query.where(FeedItem.id < after)
    rows = [Ranked(r.id, r.kind, r.profile_id, 0)
            for r in session.execute(query.limit(size + 1))]
    return Page(rows[:size], encode_token(rows[size - 1].id) if len(rows) > size else None)


def live_cards(session: Session, room_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Feed items for rooms on air (three queries, whatever their number)."""
    if not room_ids:
        return {}
    rooms = list(session.scalars(select(LiveRoom).where(LiveRoom.id.in_(list(room_ids)),
                                                        LiveRoom.status == "LIVE")))
    if not rooms:
        return {}
    pinned = live.pinned_products(session, rooms)
    creators = {p.shop_id: p for p in session.scalars(
        select(Profile).where(Profile.shop_id.in_({r.shop_id for r in rooms})))}
    out: dict[int, dict[str, Any]] = {}
    for room in rooms:
        creator = creators.get(room.shop_id)
        if creator is None:
            continue
        product = pinned.get(room.pinned_product_id) if room.pinned_product_id else None
        playback = stream.playback(room)
        out[room.id] = {
            "type": "live", "id": str(room.id),
            "creator": {"id": str(creator.id), "handle": creator.handle,
                        "display_name": creator.display_name,
                        "avatar_url": media_url(creator.avatar_key)},
            "caption": room.title,
            "poster_url": product.image_url if product else None,
            "media_url": playback["demo_video_url"] or playback["hls_url"],
            "url": f"/live/{room.id}",
            "products": [{"id": str(product.id), "title": product.title,
                          "price": live.product_json(product)["price"],
                          "image_url": product.image_url,
                          "url": social.product_url(product.id, "live", room.id)}]
            if product else []}
    return out


def video_cards(session: Session, video_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Social's cards of these videos, from the per-process card cache where it has them
    (one query for the others); copies, as pages decorate them."""
    found: dict[int, dict[str, Any]] = {}
    missing = []
    for video_id in video_ids:
        card = feed_cache.cards.get(video_id)
        if card is None:
            missing.append(video_id)
        else:
            found[video_id] = card
    if missing:
        ticket = feed_cache.cards.ticket()
        for card in social.video_cards(session, missing):
            found[int(card["id"])] = card
            feed_cache.cards.put(int(card["id"]), card, ticket)
    return {k: {**card, "products": [{**p} for p in card["products"]]}
            for k, card in found.items()}


def cards(session: Session, ranked: Sequence[Ranked]) -> list[dict[str, Any]]:
    """The feed items' JSON, in page order; items gone since they were ranked are left out."""
    videos = video_cards(session, [r.id for r in ranked if r.kind == "video"])
    rooms = live_cards(session, [r.id for r in ranked if r.kind == "live"])
    out = []
    for r in ranked:
        card = videos.get(r.id) if r.kind == "video" else rooms.get(r.id)
        if card is not None:
            out.append(card)
    return out


def for_you(session: Session, market_code: str, user_id: int | None, *, page_size: int = 10,
            page_token: str | None = None) -> Page[dict[str, Any]]:
    ids = for_you_ids(session, market_code, user_id, page_size=page_size,
                      page_token=page_token)
    return Page(cards(session, ids.items), ids.next_page_token)


def following(session: Session, user_id: int, *, page_size: int = 10,
              page_token: str | None = None) -> Page[dict[str, Any]]:
    ids = following_ids(session, user_id, page_size=page_size, page_token=page_token)
    return Page(cards(session, ids.items), ids.next_page_token)
