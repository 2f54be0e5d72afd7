"""LIVE chat: post, delete, mute, slow mode, moderators. The only writer of chat tables.

Moderators are the room's host and the users the host appointed. Limits are chat product
rules, not market facts. Every change goes out on the room's channel after commit as a
``chat`` event whose ``kind`` says what happened.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from clipcart import clock, realtime
from clipcart.db import upsert
from clipcart.errors import Conflict, Forbidden, NotFound, RateLimited, ValidationFailed
from clipcart.ids import new_id
from clipcart.live import service as live_service
from clipcart.live.chat_filter import mask
from clipcart.live.chat_models import ChatMessage, ChatModerator, ChatMute, ChatPoster, ChatSettings
from clipcart.live.models import LiveRoom

MAX_MESSAGE_CHARS = 200
MAX_SLOW_MODE_SECONDS = 300
MAX_MUTE_MINUTES = 24 * 60
HISTORY_SIZE = 50
OPEN_STATUSES = ("SCHEDULED", "LIVE")  # chat opens before the show and closes at its end


@dataclass(frozen=True)
class Author:
    id: int
    handle: str


def _at(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def message_json(message: ChatMessage) -> dict[str, Any]:
    return {"id": str(message.id), "room_id": str(message.room_id),
            "user": {"id": str(message.user_id), "handle": message.author_handle},
            "body": message.body, "masked": message.masked, "at": _at(message.created_at)}


def room_of(session: Session, room_id: int) -> LiveRoom:
    return live_service.get_room(session, room_id)


def is_moderator(session: Session, room: LiveRoom, user_id: int) -> bool:
    if room.host_user_id == user_id:
        return True
    return session.get(ChatModerator, (room.id, user_id)) is not None


def slow_mode_of(session: Session, room_id: int) -> int:
    found = session.get(ChatSettings, room_id)
    return 0 if found is None else found.slow_mode_seconds


def active_mute(session: Session, room_id: int, user_id: int) -> ChatMute | None:
    mute = session.get(ChatMute, (room_id, user_id))
    if mute is None or (mute.until is not None and mute.until <= clock.now()):
        return None
    return mute


def recent(session: Session, room_id: int, limit: int = HISTORY_SIZE) -> list[ChatMessage]:
    rows = session.scalars(
        select(ChatMessage).where(ChatMessage.room_id == room_id,
                                  ChatMessage.deleted_at.is_(None))
        .order_by(ChatMessage.id.desc()).limit(limit)).all()
    return list(reversed(rows))


def clean_body(raw: str) -> str:
    body = unicodedata.normalize("NFC", raw).strip()
    if not body:
        raise ValidationFailed("Write something first.", code="EMPTY_MESSAGE", field="body")
    if len(body) > MAX_MESSAGE_CHARS:
        raise ValidationFailed(f"Messages are at most {MAX_MESSAGE_CHARS} characters.",
                               code="MESSAGE_TOO_LONG", field="body")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in body):
        raise ValidationFailed("Messages are plain text on one line.",
                               code="INVALID_CHARACTERS", field="body")
    return body


def _pass_slow_mode(session: Session, room_id: int, user_id: int, seconds: int) -> None:
    """Move the user's last-post time to now, only if the interval has passed: one upsert."""
    now = clock.now()
    stmt = upsert(session, ChatPoster).values(room_id=room_id, user_id=user_id, last_posted_at=now)
    gate = None if seconds <= 0 else ChatPoster.last_posted_at <= now - timedelta(seconds=seconds)
    stmt = stmt.on_conflict_do_update(index_elements=["room_id", "user_id"],
                                      set_={"last_posted_at": now}, where=gate)
    passed = session.execute(stmt.returning(ChatPoster.user_id)).first()
    if passed is None:
        last = session.scalar(select(ChatPoster.last_posted_at).where(
            ChatPoster.room_id == room_id, ChatPoster.user_id == user_id))
        wait = float(seconds) if last is None else (
            last + timedelta(seconds=seconds) - now).total_seconds()
        retry = max(1, math.ceil(wait))
        raise RateLimited(f"Slow mode is on: one message every {seconds} seconds.",
                          code="SLOW_MODE", retry_after=retry)


def post(session: Session, room_id: int, author: Author, raw_body: str) -> ChatMessage:
    body = clean_body(raw_body)
    room = room_of(session, room_id)
    if room.status not in OPEN_STATUSES:
        raise Conflict("The chat of this LIVE is closed.", code="CHAT_CLOSED")
    moderator = is_moderator(session, room, author.id)
    if not moderator and active_mute(session, room_id, author.id) is not None:
        raise Forbidden("You are muted in this chat.", code="MUTED")
    _pass_slow_mode(session, room_id, author.id,
                    0 if moderator else slow_mode_of(session, room_id))
    shown, masked = mask(body)
    message = ChatMessage(id=new_id(), room_id=room_id, user_id=author.id,
                          author_handle=author.handle, body=shown, masked=masked,
                          created_at=clock.now())
    session.add(message)
    session.flush()
    realtime.publish_after_commit(session, realtime.room_channel(room_id), "chat",
                                  {"kind": "message", "message": message_json(message)})
    return message


def _require_moderator(session: Session, room_id: int, actor_id: int) -> LiveRoom:
    room = room_of(session, room_id)
    if not is_moderator(session, room, actor_id):
        raise Forbidden("Only the host and moderators can do that.", code="NOT_MODERATOR")
    return room


def delete_message(session: Session, room_id: int, message_id: int, actor_id: int) -> None:
    """A moderator deletes any message; an author deletes their own."""
    message = session.get(ChatMessage, message_id)
    if message is None or message.room_id != room_id:
        raise NotFound("No such message.", code="MESSAGE_NOT_FOUND")
    if message.user_id != actor_id:
        _require_moderator(session, room_id, actor_id)
    done = session.execute(
        update(ChatMessage).where(ChatMessage.id == message_id, ChatMessage.deleted_at.is_(None))
        .values(deleted_at=clock.now(), deleted_by=actor_id).returning(ChatMessage.id)).first()
    if done is None:
        return  # already deleted: deleting twice is the same as once
    realtime.publish_after_commit(session, realtime.room_channel(room_id), "chat",
                                  {"kind": "deleted", "id": str(message_id)})


def mute(session: Session, room_id: int, target_id: int, actor_id: int, *,
         minutes: int | None = None, reason: str = "") -> None:
    room = _require_moderator(session, room_id, actor_id)
    if minutes is not None and not 1 <= minutes <= MAX_MUTE_MINUTES:
        raise ValidationFailed(f"Mute for 1 to {MAX_MUTE_MINUTES} minutes, or until unmuted.",
                               code="BAD_MUTE_MINUTES", field="minutes")
    if target_id == actor_id or target_id == room.host_user_id:
        raise Forbidden("The host and you yourself cannot be muted.", code="CANNOT_MUTE")
    if is_moderator(session, room, target_id) and actor_id != room.host_user_id:
        raise Forbidden("Only the host can mute a moderator.", code="CANNOT_MUTE")
    now = clock.now()
    until = None if minutes is None else now + timedelta(minutes=minutes)
    values = {"muted_by": actor_id, "reason": reason[:200], "until": until, "created_at": now}
    session.execute(upsert(session, ChatMute).values(room_id=room_id, user_id=target_id,
                                                     **values)
                    .on_conflict_do_update(index_elements=["room_id", "user_id"], set_=values))
    realtime.publish_after_commit(session, realtime.room_channel(room_id), "chat",
                                  {"kind": "muted", "user_id": str(target_id),
                                   "until": _at(until)})


def unmute(session: Session, room_id: int, target_id: int, actor_id: int) -> None:
    _require_moderator(session, room_id, actor_id)
    gone = session.execute(delete(ChatMute).where(
        ChatMute.room_id == room_id, ChatMute.user_id == target_id)
        .returning(ChatMute.user_id)).first()
    if gone is not None:
        realtime.publish_after_commit(session, realtime.room_channel(room_id), "chat",
                                      {"kind": "unmuted", "user_id": str(target_id)})


def set_slow_mode(session: Session, room_id: int, actor_id: int, seconds: int) -> None:
    _require_moderator(session, room_id, actor_id)
    if not 0 <= seconds <= MAX_SLOW_MODE_SECONDS:
        raise ValidationFailed(f"Slow mode is 0 (off) to {MAX_SLOW_MODE_SECONDS} seconds.",
                               code="BAD_SLOW_MODE", field="seconds")
    now = clock.now()
    session.execute(upsert(session, ChatSettings).values(
        room_id=room_id, slow_mode_seconds=seconds, updated_by=actor_id, updated_at=now)
        .on_conflict_do_update(index_elements=["room_id"], set_={
            "slow_mode_seconds": seconds, "updated_by": actor_id, "updated_at": now}))
    realtime.publish_after_commit(session, realtime.room_channel(room_id), "chat",
                                  {"kind": "slow_mode", "seconds": seconds})


def appoint_moderator(session: Session, room_id: int, target_id: int, actor_id: int) -> None:
    room = room_of(session, room_id)
    if actor_id != room.host_user_id:
        raise Forbidden("Only the host appoints moderators.", code="NOT_HOST")
    if target_id == room.host_user_id:
        return
    added = session.execute(upsert(session, ChatModerator).values(
        room_id=room_id, user_id=target_id, appointed_by=actor_id, created_at=clock.now())
        .on_conflict_do_nothing().returning(ChatModerator.user_id)).first()
    if added is None:
        return  # already a moderator
    realtime.publish_after_commit(session, realtime.room_channel(room_id), "chat",
                                  {"kind": "moderator_added", "user_id": str(target_id)})


def dismiss_moderator(session: Session, room_id: int, target_id: int, actor_id: int) -> None:
    room = room_of(session, room_id)
    if actor_id != room.host_user_id:
        raise Forbidden("Only the host dismisses moderators.", code="NOT_HOST")
    gone = session.execute(delete(ChatModerator).where(
        ChatModerator.room_id == room_id, ChatModerator.user_id == target_id)
        .returning(ChatModerator.user_id)).first()
    if gone is not None:
        realtime.publish_after_commit(session, realtime.room_channel(room_id), "chat",
                                      {"kind": "moderator_removed", "user_id": str(target_id)})
