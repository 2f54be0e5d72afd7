"""The feed follows social, LIVE and orders through their events, and re-scores videos
every few minutes (likes, views and shares are counters without events)."""

from __future__ import annotations

from huey import crontab
from sqlalchemy.orm import Session

from clipcart.db import get_database
from clipcart.discovery import feed_index
from clipcart.events import Event, handles
from clipcart.ids import parse_id
from clipcart.jobs import huey


@handles("social.video_published", name="discovery.feed_video_published")
def on_video_published(session: Session, event: Event) -> None:
    video_id = parse_id(str(event.payload.get("video_id") or ""))
    if video_id is not None:
        feed_index.index_videos(session, [video_id])


@handles("social.video_products_changed", name="discovery.feed_video_changed")
def on_video_changed(session: Session, event: Event) -> None:
    video_id = parse_id(str(event.payload.get("video_id") or ""))
    if video_id is not None:
        feed_index.index_videos(session, [video_id])


@handles("live.room_status_changed", name="discovery.feed_room_status")
def on_room_status(session: Session, event: Event) -> None:
    room_id = parse_id(str(event.payload.get("room_id") or ""))
    if room_id is not None:
        feed_index.index_room(session, room_id)


@handles("orders.status_changed", name="discovery.feed_purchase")
def on_order_paid(session: Session, event: Event) -> None:
    """UNPAID to ON_HOLD is the payment: the buyer now bought from the shop."""
    if event.payload.get("from") != "UNPAID" or event.payload.get("to") != "ON_HOLD":
        return
    user_id = parse_id(str(event.payload.get("buyer_user_id") or ""))
    shop_id = parse_id(str(event.payload.get("shop_id") or ""))
    if user_id is not None and shop_id is not None:
        feed_index.note_purchase(session, user_id, shop_id, event.created_at)


@huey.periodic_task(crontab(minute="*/5"), name="discovery.refresh_feed")
def refresh_feed() -> int:
    with get_database().transaction() as session:
        return feed_index.refresh(session)
