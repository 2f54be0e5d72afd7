"""LIVE chat's tables: messages, appointed moderators, mutes, slow mode and who posted when.

The room's host is always a moderator (from ``live_rooms``); ``live_chat_moderators``
holds the ones the host appointed. Slow mode is enforced by one conditional upsert on
``live_chat_posters`` (DESIGN rule 4), never by reading the last message first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime


class ChatMessage(Base):
    """One message as shown (profanity already masked); deleted ones keep who and when."""

    __tablename__ = "live_chat_messages"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    room_id: Mapped[int] = mapped_column(IdType, ForeignKey("live_rooms.id"))
    user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    author_handle: Mapped[str] = mapped_column(String(30))  # as it was when posted
    body: Mapped[str] = mapped_column(Text)
    masked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    deleted_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"), nullable=True)

    __table_args__ = (Index("ix_live_chat_messages_room", "room_id", "id"),)


class ChatModerator(Base):
    """A user the host appointed to moderate the room's chat."""

    __tablename__ = "live_chat_moderators"

    room_id: Mapped[int] = mapped_column(IdType, ForeignKey("live_rooms.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"), primary_key=True)
    appointed_by: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ChatMute(Base):
    """A user who may not post in the room until ``until`` (NULL: until unmuted)."""

    __tablename__ = "live_chat_mutes"

    room_id: Mapped[int] = mapped_column(IdType, ForeignKey("live_rooms.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"), primary_key=True)
    muted_by: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ChatSettings(Base):
    """A room's chat settings; no row means the defaults (slow mode off)."""

    __tablename__ = "live_chat_settings"

    room_id: Mapped[int] = mapped_column(IdType, ForeignKey("live_rooms.id"), primary_key=True)
    slow_mode_seconds: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("slow_mode_seconds >= 0", name="slow_mode_not_negative"),)


class ChatPoster(Base):
    """When a user last posted in a room: the slow-mode gate, moved by one upsert."""

    __tablename__ = "live_chat_posters"

    room_id: Mapped[int] = mapped_column(IdType, ForeignKey("live_rooms.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"), primary_key=True)
    last_posted_at: Mapped[datetime] = mapped_column(UtcDateTime)
