"""Realtime fan-out for LIVE rooms through Litestar channels.

Contract for other contexts::

    from clipcart import realtime
    realtime.publish(realtime.room_channel(room_id), "pin", {...})         # now
    realtime.publish_after_commit(session, f"live:{room_id}", "stock", {...})  # on commit

Channel per room: ``live:{room_id}``; events ``pin``, ``flash_sale``, ``stock``,
``status``, ``viewers``, ``chat``. ``data`` must be JSON-encodable (ids as strings).
Subscribers (SSE / WebSocket) receive ``{"event": ..., "data": {...}}``.
The backend is memory in one process, Redis pub/sub when ``CLIPCART_REDIS_URL`` is set.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from clipcart.config import Settings
from clipcart.realtime.hub import (
    Hub,
    active_hub,
    build_hub,
    encode_message,
    publish_raw,
    room_channel,
)

__all__ = ["EVENTS", "Hub", "active_hub", "channels_plugin", "publish", "publish_after_commit",
           "room_channel"]

EVENTS = frozenset({"pin", "flash_sale", "stock", "status", "viewers", "chat", "gift"})
_PENDING_KEY = "realtime_pending"


def publish(channel: str, event: str, data: dict[str, Any]) -> None:
    """Publish ``event`` with ``data`` to every subscriber of ``channel``, now.

    Safe from any thread. Delivery is best effort: nobody listening means nothing sent.
    """
    publish_raw(channel, encode_message(event, data))


def publish_after_commit(session: Session, channel: str, event: str, data: dict[str, Any]) -> None:
    """Publish once ``session``'s outer transaction commits; dropped if it rolls back."""
    session.info.setdefault(_PENDING_KEY, []).append((channel, encode_message(event, data)))


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # A savepoint's release fires this too; only the outer commit makes the change visible.
    if session.in_nested_transaction():
        return
    for channel, message in session.info.pop(_PENDING_KEY, ()):
        publish_raw(channel, message)


@sa_event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PENDING_KEY, None)


def channels_plugin(settings: Settings) -> Hub:
    """The ChannelsPlugin for ``create_app``: memory, or Redis when configured."""
    return build_hub(settings)
