"""The chat WebSocket: hello, broadcast to every socket of the room, clear error frames."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect

from clipcart.db import transaction
from clipcart.live import chat_service as chat
from tests.helpers import bearer
from tests.live_chat_support import room_on_air, viewer


def _url(room_id: int | str) -> str:
    return f"/api/v1/lives/{room_id}/chat"


def _next(ws: Any, type_: str) -> dict[str, Any]:
    """The next frame of ``type_`` (chat frames of other kinds may come in between)."""
    for _ in range(20):
        frame: dict[str, Any] = ws.receive_json()
        if frame["type"] == type_:
            return frame
    raise AssertionError(f"no {type_} frame")


def _first_of_each(ws: Any, *types: str) -> dict[str, dict[str, Any]]:
    """The first frame of each of ``types``, in whatever order they come: the socket's own
    message may reach it before the ack of its send (both follow the same commit)."""
    found: dict[str, dict[str, Any]] = {}
    for _ in range(20):
        frame: dict[str, Any] = ws.receive_json()
        found.setdefault(frame["type"], frame)
        if all(t in found for t in types):
            return found
    raise AssertionError(f"not every one of {types} came")


def test_a_message_reaches_every_socket_of_the_room_with_its_author(client: Any) -> None:
    room, fan = room_on_air(client), viewer(client)
    with transaction() as session:
        chat.post(session, room.id, room.host_author, "welcome!")
    with client.websocket_connect(_url(room.id), headers=bearer(fan.token)) as mine, \
            client.websocket_connect(_url(room.id)) as anonymous:
        hello = mine.receive_json()
        assert hello["type"] == "hello"
        assert hello["user"] == {"id": str(fan.id), "handle": fan.handle}
        assert (hello["moderator"], hello["muted"], hello["slow_mode"]) == (False, False, 0)
        assert [m["body"] for m in hello["messages"]] == ["welcome!"]
        assert anonymous.receive_json()["user"] is None

        mine.send_json({"type": "send", "body": "is the red one in M? shit"})
        own = _first_of_each(mine, "ack", "chat")
        ack = own["ack"]
        seen = _next(anonymous, "chat")
        assert seen["kind"] == "message"
        assert seen["message"]["id"] == ack["id"]
        assert seen["message"]["body"] == "is the red one in M? s***"
        assert seen["message"]["user"] == {"id": str(fan.id), "handle": fan.handle}
        assert own["chat"]["message"]["id"] == ack["id"]


def test_bad_frames_get_error_frames_and_the_socket_stays_open(client: Any) -> None:
    room, fan = room_on_air(client), viewer(client)
    with client.websocket_connect(_url(room.id), headers=bearer(fan.token)) as ws:
        ws.receive_json()
        ws.send_text("not json")
        assert _next(ws, "error")["code"] == "BAD_FRAME"
        ws.send_json({"type": "shout", "body": "hi"})
        assert _next(ws, "error")["code"] == "BAD_FRAME"
        ws.send_json({"type": "send", "body": "hi", "extra": 1})
        assert _next(ws, "error")["code"] == "BAD_FRAME"
        ws.send_json({"type": "send", "body": "x" * 201})
        error = _next(ws, "error")
        assert (error["code"], error["field"]) == ("MESSAGE_TOO_LONG", "body")
        ws.send_text("{" + " " * 5000 + "}")
        assert _next(ws, "error")["code"] == "FRAME_TOO_LARGE"
        ws.send_json({"type": "mute", "user_id": "abc"})
        assert _next(ws, "error")["code"] == "BAD_ID"
        ws.send_json({"type": "send", "body": "still here"})
        assert _next(ws, "ack")["of"] == "send"
    with transaction() as session:
        assert [m.body for m in chat.recent(session, room.id)] == ["still here"]


def test_an_anonymous_socket_reads_but_cannot_post(client: Any) -> None:
    room = room_on_air(client)
    with client.websocket_connect(_url(room.id)) as ws:
        ws.receive_json()
        ws.send_json({"type": "send", "body": "hello"})
        assert _next(ws, "error")["code"] == "LOGIN_REQUIRED"


def test_slow_mode_and_mutes_come_back_as_error_frames(client: Any) -> None:
    room, fan = room_on_air(client), viewer(client)
    with client.websocket_connect(_url(room.id), headers=bearer(room.host.token)) as host, \
            client.websocket_connect(_url(room.id), headers=bearer(fan.token)) as ws:
        assert host.receive_json()["moderator"] is True
        ws.receive_json()
        host.send_json({"type": "slow_mode", "seconds": 60})
        assert _next(host, "ack")["of"] == "slow_mode"
        assert _next(ws, "chat") == {"type": "chat", "kind": "slow_mode", "seconds": 60}
        ws.send_json({"type": "send", "body": "one"})
        _next(ws, "ack")
        ws.send_json({"type": "send", "body": "two"})
        slowed = _next(ws, "error")
        assert (slowed["code"], slowed["retry_after"]) == ("SLOW_MODE", 60)

        host.send_json({"type": "mute", "user_id": str(fan.id), "minutes": 10})
        _next(host, "ack")
        muted = _next(ws, "chat")
        assert (muted["kind"], muted["user_id"]) == ("muted", str(fan.id))
        ws.send_json({"type": "mute", "user_id": str(room.host.user_id)})
        assert _next(ws, "error")["code"] == "NOT_MODERATOR"


def test_a_moderator_deletes_a_message_and_every_socket_hears_it(client: Any) -> None:
    room, mod, fan = room_on_air(client), viewer(client), viewer(client)
    with transaction() as session:
        chat.appoint_moderator(session, room.id, mod.id, room.host.user_id)
        spam = chat.post(session, room.id, fan.author, "cheap watches at example.com")
    with client.websocket_connect(_url(room.id), headers=bearer(mod.token)) as moderator, \
            client.websocket_connect(_url(room.id), headers=bearer(fan.token)) as ws:
        assert moderator.receive_json()["moderator"] is True
        ws.receive_json()
        moderator.send_json({"type": "delete", "id": str(spam.id)})
        assert _next(moderator, "ack")["of"] == "delete"
        assert _next(ws, "chat") == {"type": "chat", "kind": "deleted", "id": str(spam.id)}
    with transaction() as session:
        assert chat.recent(session, room.id) == []


def test_an_unknown_room_gets_an_error_frame_and_is_closed(client: Any) -> None:
    with client.websocket_connect(_url("12345")) as ws:
        frame = ws.receive_json()
        assert (frame["type"], frame["code"]) == ("error", "NOT_FOUND")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive()
        assert closed.value.code == 4404


def test_a_flood_of_frames_is_refused_after_twenty_in_ten_seconds(client: Any) -> None:
    room, fan = room_on_air(client), viewer(client)
    with client.websocket_connect(_url(room.id), headers=bearer(fan.token)) as ws:
        ws.receive_json()
        for n in range(20):
            ws.send_json({"type": "delete", "id": str(10**6 + n)})
            assert _next(ws, "error")["code"] == "MESSAGE_NOT_FOUND"
        ws.send_json({"type": "send", "body": "one more"})
        flood = _next(ws, "error")
        assert flood["code"] == "CHAT_FLOOD"
        assert 1 <= flood["retry_after"] <= 10
    with transaction() as session:
        assert chat.recent(session, room.id) == []
