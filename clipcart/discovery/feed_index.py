"""Keeps ``feed_items`` in step with social and LIVE, and ``feed_affinities`` with orders.

Every write re-reads the source (the video, the room), so handling an event twice, late or
out of order leaves the right row. ``refresh`` re-scores every video from social's counters
(likes, comments, shares, views change without events) and drops videos that are no
longer published and public; it is the periodic job and the backfill.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.discovery import feed_cache, ranking, signals_cache
from clipcart.discovery.feed_models import FeedAffinity, FeedItem
from clipcart.identity.models import User
from clipcart.live.models import LiveRoom
from clipcart.shops.models import Shop
from clipcart.social import service as social
from clipcart.social.models import Video

REFRESH_BATCH = 500


def _engagement(video: Video) -> ranking.Engagement:
    return ranking.Engagement(views=video.view_count, likes=video.like_count,
                              comments=video.comment_count, shares=video.share_count)


def _markets(session: Session, videos: Sequence[Video]) -> dict[int, str]:
    """Each video's market: its shop's, else its uploader's country (two queries)."""
    shop_ids = {v.shop_id for v in videos if v.shop_id is not None}
    user_ids = {v.uploader_user_id for v in videos if v.shop_id is None}
    shops: dict[int, str] = {}
    users: dict[int, str] = {}
    if shop_ids:
        shops = {r.id: r.market for r in session.execute(
            select(Shop.id, Shop.market).where(Shop.id.in_(shop_ids)))}
    if user_ids:
        users = {r.id: r.country for r in session.execute(
            select(User.id, User.country).where(User.id.in_(user_ids)))}
    return {v.id: (shops.get(v.shop_id) if v.shop_id is not None
                   else users.get(v.uploader_user_id)) or "" for v in videos}


def _upsert(session: Session, values: dict[str, object], now: datetime) -> None:
    """Insert the item, or re-score it (keeping the previous key for older page tokens)."""
    current = session.get(FeedItem, values["id"])
    if current is None:
        try:
            with session.begin_nested():
                session.execute(insert(FeedItem).values(
                    **values, prev_score=values["score"], scored_at=now, listed_at=now))
            return
        except IntegrityError:
            current = session.get(FeedItem, values["id"])
            assert current is not None
    if current.score != values["score"] or current.market != values["market"] \
            or current.profile_id != values["profile_id"]:
        session.execute(update(FeedItem).where(FeedItem.id == current.id).values(
            prev_score=FeedItem.score, scored_at=now, **values)
            .execution_options(synchronize_session=False))
        session.expire(current)


def index_videos(session: Session, video_ids: Sequence[int]) -> int:
    """Bring these videos' rows up to date; how many are in the feed afterwards."""
    if not video_ids:
        return 0
    feed_cache.note_change(session)
    videos = list(session.scalars(select(Video).where(Video.id.in_(list(video_ids)))))
    shown = [v for v in videos if v.status == "PUBLISHED" and v.visibility == "PUBLIC"]
    markets = _markets(session, shown)
    # load the current rows in one query: _upsert's session.get then finds them in the
    # identity map, so a batch costs a few queries plus one write per changed item
    list(session.scalars(select(FeedItem).where(FeedItem.id.in_([v.id for v in shown]))))
    now = clock.now()
    kept = set()
    for video in shown:
        if not markets[video.id]:
            continue
        kept.add(video.id)
        _upsert(session, {"id": video.id, "kind": "video", "market": markets[video.id],
                          "profile_id": video.profile_id, "shop_id": video.shop_id,
                          "published_at": video.created_at,
                          "score": ranking.video_score(video.created_at, _engagement(video))},
                now)
    gone = [v for v in video_ids if v not in kept]
    if gone:
        session.execute(delete(FeedItem).where(FeedItem.id.in_(gone), FeedItem.kind == "video"))
    return len(kept)


def index_room(session: Session, room_id: int) -> bool:
    """A room is in the feed while it is on air; True when it is now."""
    feed_cache.note_change(session)
    room = session.get(LiveRoom, room_id)
    if room is None or room.status != "LIVE" or room.started_at is None:
        session.execute(delete(FeedItem).where(FeedItem.id == room_id, FeedItem.kind == "live"))
        return False
    profile = social.shop_profile(session, room.shop_id)
    _upsert(session, {"id": room.id, "kind": "live", "market": room.market,
                      "profile_id": profile.id, "shop_id": room.shop_id,
                      "published_at": room.started_at,
                      "score": ranking.live_score(room.started_at)}, clock.now())
    return True


def note_purchase(session: Session, user_id: int, shop_id: int, at: datetime) -> None:
    """The buyer paid an order of the shop (idempotent: the latest time wins)."""
    signals_cache.note_change(session, user_id)
    moved = session.execute(update(FeedAffinity).where(
        FeedAffinity.user_id == user_id, FeedAffinity.shop_id == shop_id,
        FeedAffinity.last_at < at).values(last_at=at)
        .execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
    if moved:
        return
    try:
        with session.begin_nested():
            session.execute(insert(FeedAffinity).values(user_id=user_id, shop_id=shop_id,
                                                        last_at=at))
    except IntegrityError:
        pass  # already there, as late or later


def refresh(session: Session, *, batch: int = REFRESH_BATCH) -> int:
    """Re-score every published public video and every room on air, drop what left; the
    number of items in the feed afterwards."""
    feed_cache.note_change(session)
    total, after = 0, 0
    while True:
        ids = list(session.scalars(select(Video.id).where(Video.id > after)
                                   .order_by(Video.id).limit(batch)))
        if not ids:
            break
        total += index_videos(session, ids)
        after = ids[-1]
    session.execute(delete(FeedItem).where(FeedItem.kind == "video",
                                           FeedItem.id.not_in(select(Video.id))))
    rooms = set(session.scalars(select(LiveRoom.id).where(LiveRoom.status == "LIVE")))
    rooms |= set(session.scalars(select(FeedItem.id).where(FeedItem.kind == "live")))
    for room_id in sorted(rooms):
        total += index_room(session, room_id)
    return total

