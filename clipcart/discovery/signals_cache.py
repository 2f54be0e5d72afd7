"""The viewer's ranking signals (creators followed, creators liked, shops bought from,
people blocked), read in one query and cached per viewer in this process for ``TTL``.

An entry is discarded once a commit of this process changes the viewer's follows, likes or
blocks (``social.viewer_changes``) or their purchases (``feed_index.note_purchase``), so a
viewer's next feed reflects their own action at once. A change committed by another process
(a purchase noted by a job worker, a follow served by another server) shows within ``TTL``.
A value read in a transaction that began before such a commit is never kept: the ticket is
taken when the session begins its transaction, before its snapshot.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, event, literal, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, SessionTransaction

from clipcart.aftercommit import after_commit
from clipcart.discovery.feed_models import FeedAffinity
from clipcart.social import viewer_changes
from clipcart.social.models import Block, Follow, Profile, Video, VideoLike
from clipcart.ttlmap import TtlMap

TTL = timedelta(seconds=5)
MAX_ENTRIES = 20_000  # viewers; a few hundred bytes each
LIKED_LOOKBACK = 200  # the viewer's most recent likes that count as taste
_TICKET = "clipcart_signals_ticket"
_CHANGED = "clipcart_signals_changed"


@dataclass(frozen=True)
class Signals:
    """What the viewer's own history says: creators followed, creators liked, shops
    bought from, and the profiles of people they blocked (never shown)."""

    followed: frozenset[int] = frozenset()
    liked: frozenset[int] = frozenset()
    bought: frozenset[int] = frozenset()
    blocked: frozenset[int] = frozenset()


by_viewer: TtlMap[int, Signals] = TtlMap(TTL, MAX_ENTRIES)


@functools.cache
def _signals_query() -> Any:
    """Built once (the user is a parameter): building it cost more than running it."""
    user_id: Any = bindparam("user_id")
    recent_likes = (select(VideoLike.video_id).where(VideoLike.user_id == user_id)
                    .order_by(VideoLike.created_at.desc()).limit(LIKED_LOOKBACK).subquery())
    return union_all(
        select(literal("f").label("k"), Follow.profile_id.label("v"))
        .where(Follow.follower_user_id == user_id),
        select(literal("l").label("k"), Video.profile_id.label("v"))
        .join(recent_likes, recent_likes.c.video_id == Video.id),
        select(literal("b").label("k"), FeedAffinity.shop_id.label("v"))
        .where(FeedAffinity.user_id == user_id),
        select(literal("x").label("k"), Profile.id.label("v"))
        .join(Block, Block.blocked_user_id == Profile.user_id)
        .where(Block.blocker_user_id == user_id))


def signals(session: Session, user_id: int | None) -> Signals:
    """The viewer's signals read from the database, in one query."""
    if user_id is None:
        return Signals()
    found: dict[str, set[int]] = {"f": set(), "l": set(), "b": set(), "x": set()}
    rows = session.connection().execute(_signals_query(), {"user_id": user_id})  # Core rows
    for kind, value in rows:
        found[kind].add(int(value))
    return Signals(frozenset(found["f"]), frozenset(found["l"]), frozenset(found["b"]),
                   frozenset(found["x"]))


def viewer_signals(session: Session, user_id: int | None) -> Signals:
    """The viewer's signals, from the cache or read (and then cached)."""
    if user_id is None:
        return Signals()
    found = by_viewer.get(user_id)
    if found is None:
        ticket = session.info.get(_TICKET) or by_viewer.ticket()
        found = signals(session, user_id)
        by_viewer.put(user_id, found, ticket)
    return found


def note_change(session: Session, user_id: int) -> None:
    """The session changed the viewer's signals: forget them once it commits."""
    after_commit(session, functools.partial(by_viewer.discard, user_id),
                 key=(_CHANGED, user_id))


@event.listens_for(Session, "after_begin")
def _began(session: Session, _transaction: SessionTransaction, _connection: Connection) -> None:
    session.info[_TICKET] = by_viewer.ticket()


viewer_changes.subscribe(by_viewer.discard)
