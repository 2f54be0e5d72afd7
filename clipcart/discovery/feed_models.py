"""The feed's own tables, written only by ``discovery.feed_index``.

``feed_items`` holds one row per item a feed can show: every published public video and
every LIVE room while it is on air. ``score`` is the item's global rank key (see
``discovery.ranking``); ``prev_score`` is the key it had before its last re-scoring at
``scored_at``, so a page token issued before that moment keeps paging on the keys it
started with. ``listed_at`` is when the item entered the feed: a paging session shows only
items listed before it began.

``feed_affinities`` holds per-viewer signals that social does not keep itself: the shops
a viewer bought from (from paid orders).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime

ITEM_KINDS = ("video", "live")


class FeedItem(Base):
    __tablename__ = "feed_items"
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(5))
    market: Mapped[str] = mapped_column(String(2))
    profile_id: Mapped[int] = mapped_column(IdType)  # the creator (a shop's profile for LIVE)
    shop_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    score: Mapped[int] = mapped_column(BigInteger)
    prev_score: Mapped[int] = mapped_column(BigInteger)
    scored_at: Mapped[datetime] = mapped_column(UtcDateTime)
    listed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("kind IN ('video', 'live')", name="known_kind"),
        # covers the For You band queries (feed.score_floor and the ranking's range)
        Index("ix_feed_items_market_score", "market", "score", "listed_at", "scored_at"),
        Index("ix_feed_items_profile", "profile_id", "id"),
        # the ranking's other band part: items re-scored since a paging session began
        Index("ix_feed_items_market_scored", "market", "scored_at"),
    )


class FeedAffinity(Base):
    """A viewer bought from a shop: videos and LIVEs of that shop rank higher for them."""

    __tablename__ = "feed_affinities"
    user_id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=False)
    shop_id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=False)
    last_at: Mapped[datetime] = mapped_column(UtcDateTime)
