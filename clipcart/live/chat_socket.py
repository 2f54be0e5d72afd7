"""The chat WebSocket's protocol: JSON frames in, JSON frames out.

Client frames (``type`` tells them apart)::

    {"type": "send", "body": "hi"}              {"type": "delete", "id": "<message id>"}
    {"type": "mute", "user_id": "..", "minutes": 10, "reason": ".."}   (minutes null: until unmuted)
    {"type": "unmute", "user_id": ".."}         {"type": "slow_mode", "seconds": 5}
    {"type": "appoint", "user_id": ".."}        {"type": "dismiss", "user_id": ".."}

Server frames: ``hello`` (who you are, moderator or not, slow mode, recent messages),
``chat`` (everything that happens in the room's chat: ``kind`` is message, deleted, muted,
unmuted, slow_mode, moderator_added or moderator_removed), ``ack`` (your frame was done;
``id`` of your message for a send) and ``error`` (``code``, ``detail``, ``field``,
``retry_after``). A bad frame gets an error frame; the socket stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import msgspec

from clipcart.db import get_database
from clipcart.errors import DomainError, RateLimited, ValidationFailed
from clipcart.ids import parse_id
from clipcart.live import chat_service
from clipcart.web.auth import CurrentUser

MAX_FRAME_CHARS = 4096
IdText = Annotated[str, msgspec.Meta(max_length=24)]


class _Frame(msgspec.Struct, tag_field="type", forbid_unknown_fields=True):
    pass


class SendFrame(_Frame, tag="send"):
    body: Annotated[str, msgspec.Meta(max_length=2000)]


class DeleteFrame(_Frame, tag="delete"):
    id: IdText


class MuteFrame(_Frame, tag="mute"):
    user_id: IdText
    minutes: int | None = None
    reason: Annotated[str, msgspec.Meta(max_length=200)] = ""


class UnmuteFrame(_Frame, tag="unmute"):
    user_id: IdText


class SlowModeFrame(_Frame, tag="slow_mode"):
    seconds: int


class AppointFrame(_Frame, tag="appoint"):
    user_id: IdText


class DismissFrame(_Frame, tag="dismiss"):
    user_id: IdText


Frame = (SendFrame | DeleteFrame | MuteFrame | UnmuteFrame | SlowModeFrame | AppointFrame
         | DismissFrame)
_decoder = msgspec.json.Decoder(Frame)


def error_frame(exc: DomainError) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": exc.code, "detail": exc.detail}
    if exc.extra.get("field"):
        frame["field"] = exc.extra["field"]
    if isinstance(exc, RateLimited):
        frame["retry_after"] = exc.retry_after
    return frame


def decode_frame(text: str) -> Frame:
    if len(text) > MAX_FRAME_CHARS:
        raise ValidationFailed(f"Frames are at most {MAX_FRAME_CHARS} characters.",
                               code="FRAME_TOO_LARGE")
    try:
        return _decoder.decode(text)
    except msgspec.ValidationError as exc:
        raise ValidationFailed(f"Bad frame: {exc}.", code="BAD_FRAME") from exc
    except msgspec.DecodeError as exc:
        raise ValidationFailed("Frames are JSON objects with a type.", code="BAD_FRAME") from exc


def _user_id(raw: str, field: str = "user_id") -> int:
    value = parse_id(raw)
    if value is None:
        raise ValidationFailed("Not a user id.", code="BAD_ID", field=field)
    return value


def handle_frame(room_id: int, user: CurrentUser, frame: Frame) -> dict[str, Any]:
    """Do what one frame asks, in its own transaction; return the ack frame."""
    author = chat_service.Author(user.id, user.handle)
    action: Callable[[Any], Any]
    if isinstance(frame, SendFrame):
        def action(s: Any) -> Any:
            return chat_service.post(s, room_id, author, frame.body)
    elif isinstance(frame, DeleteFrame):
        message_id = parse_id(frame.id)
        if message_id is None:
            raise ValidationFailed("Not a message id.", code="BAD_ID", field="id")

        def action(s: Any) -> Any:
            return chat_service.delete_message(s, room_id, message_id, user.id)
    elif isinstance(frame, MuteFrame):
        target = _user_id(frame.user_id)

        def action(s: Any) -> Any:
            return chat_service.mute(s, room_id, target, user.id, minutes=frame.minutes,
                                     reason=frame.reason)
    elif isinstance(frame, UnmuteFrame):
        target = _user_id(frame.user_id)

        def action(s: Any) -> Any:
            return chat_service.unmute(s, room_id, target, user.id)
    elif isinstance(frame, SlowModeFrame):
        def action(s: Any) -> Any:
            return chat_service.set_slow_mode(s, room_id, user.id, frame.seconds)
    elif isinstance(frame, AppointFrame):
        target = _user_id(frame.user_id)

        def action(s: Any) -> Any:
            return chat_service.appoint_moderator(s, room_id, target, user.id)
    else:
        target = _user_id(frame.user_id)

        def action(s: Any) -> Any:
            return chat_service.dismiss_moderator(s, room_id, target, user.id)
    with get_database().transaction() as session:
        result = action(session)
    ack: dict[str, Any] = {"type": "ack", "of": type(frame).__struct_config__.tag}
    if isinstance(result, chat_service.ChatMessage):
        ack["id"] = str(result.id)
    return ack


def hello(room_id: int, user: CurrentUser | None) -> dict[str, Any]:
    with get_database().sessions() as session:
        room = chat_service.room_of(session, room_id)
        moderator = user is not None and chat_service.is_moderator(session, room, user.id)
        muted = user is not None and chat_service.active_mute(session, room_id, user.id) is not None
        return {"type": "hello",
                "user": None if user is None else {"id": str(user.id), "handle": user.handle},
                "moderator": moderator, "muted": muted,
                "slow_mode": chat_service.slow_mode_of(session, room_id),
                "max_chars": chat_service.MAX_MESSAGE_CHARS,
                "messages": [chat_service.message_json(m)
                             for m in chat_service.recent(session, room_id)]}
