"""A LIVE room's realtime routes: its event stream (SSE) and its chat (WebSocket).

``GET /api/v1/lives/{id}/events`` — server-sent events: ``state`` first (the room as
``clipcart.live.service.room_state`` gives it, plus ``viewers``), then every event of the
room's channel (``pin``, ``flash_sale``, ``stock``, ``status``, ``viewers``, ``chat``, ...),
``: ping`` comments as heartbeats, and ``reset`` before a too-slow client is dropped.

``/api/v1/lives/{id}/chat`` — the chat WebSocket (protocol in ``chat_socket``). Who is
calling comes from a bearer token or, for the room page, from the session cookie; a
cookie is accepted only from this site's own origin. Anyone may read; posting and
moderating need a user.
"""

from __future__ import annotations

import contextlib
from functools import partial
from typing import Any
from urllib.parse import urlparse

import anyio
import msgspec
from anyio.to_thread import run_sync
from litestar import Request, Router, WebSocket, get, websocket
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath
from litestar.response import ServerSentEvent

from clipcart.config import get_settings
from clipcart.db import get_database
from clipcart.errors import DomainError, NotFound, Unauthorized
from clipcart.ids import parse_id
from clipcart.live import service as live_service
from clipcart.live.chat_socket import decode_frame, error_frame, handle_frame, hello
from clipcart.live.presence import viewer_key
from clipcart.realtime.hub import DroppingSubscriber, Hub, decode_message, room_channel
from clipcart.realtime.sse import open_room_stream, stream_events
from clipcart.web.auth import SESSION_COOKIE, CurrentUser, load_user

_encode = msgspec.json.Encoder().encode


def _room_id(raw: str) -> int:
    room_id = parse_id(raw)
    if room_id is None:
        raise NotFound("No such LIVE.", code="LIVE_NOT_FOUND")
    return room_id


def room_state(room_id: int) -> dict[str, Any]:
    with get_database().sessions() as session:
        return live_service.room_state(session, room_id)


def _hub(app: Any) -> Hub:
    return app.plugins.get(Hub)


@get("/lives/{room_id:str}/events", summary="Server-sent events of a LIVE room",
     tags=["live"])
async def room_event_stream(request: Request[Any, Any, Any],
                            room_id: FromPath[str]) -> ServerSentEvent:
    rid = _room_id(room_id)
    # subscribed and the state read (a 404 comes before the stream starts)
    hub = _hub(request.app)
    load = partial(run_sync, partial(room_state, rid))
    stream = await open_room_stream(hub, rid, partial(hub.state_reads.read, rid, load),
                                    viewer=viewer_key(request))
    # the background task cleans up even if the client left before the first event
    return ServerSentEvent(stream_events(stream), background=BackgroundTask(stream.close),
                           headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _same_origin(socket: WebSocket[Any, Any, Any]) -> bool:
    origin = socket.headers.get("origin")
    if not origin:
        return True  # not a browser: no cross-site request to fear
    parsed = urlparse(origin)
    host = socket.headers.get("host", "")
    return parsed.netloc == host or origin.rstrip("/") == get_settings().base_url.rstrip("/")


async def _who(socket: WebSocket[Any, Any, Any]) -> CurrentUser | None:
    user: CurrentUser | None = socket.scope.get("user")
    if user is not None:
        return user
    cookie = socket.cookies.get(SESSION_COOKIE)
    if cookie and _same_origin(socket):
        return await run_sync(load_user, cookie, "session")
    return None


async def _send(socket: WebSocket[Any, Any, Any], frame: dict[str, Any]) -> None:
    await socket.send_text(_encode(frame).decode())


@websocket("/lives/{room_id:str}/chat")
async def chat_socket(socket: WebSocket[Any, Any, Any], room_id: FromPath[str]) -> None:
    await socket.accept()
    rid = parse_id(room_id)
    try:
        if rid is None:
            raise NotFound("No such LIVE.", code="LIVE_NOT_FOUND")
        user = await _who(socket)
        greeting = await run_sync(hello, rid, user)
    except DomainError as exc:
        await _send(socket, error_frame(exc))
        await socket.close(code=4404 if isinstance(exc, NotFound) else 4400)
        return
    hub = _hub(socket.app)

    async def forward(raw: bytes) -> None:
        if subscriber.overflowed:  # too slow to keep up with the room: let it reconnect
            with contextlib.suppress(Exception):
                await socket.close(code=1013, reason="too slow")
            return
        event, data = decode_message(raw)
        if event == "chat":
            await _send(socket, {"type": "chat", **data})

    async with hub.start_subscription(room_channel(rid)) as subscribed:
        assert isinstance(subscribed, DroppingSubscriber)
        subscriber = subscribed
        await _send(socket, greeting)
        async with subscriber.run_in_background(forward, join=False):
            await _receive_loop(socket, rid, user)


async def _receive_loop(socket: WebSocket[Any, Any, Any], room_id: int,
                        user: CurrentUser | None) -> None:
    while True:
        message = await socket.receive()
        if message["type"] == "websocket.disconnect":
            return
        raw = message.get("text")
        if raw is None:
            raw = message.get("bytes") or b""
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        try:
            frame = decode_frame(text)
            if user is None:
                raise Unauthorized("Log in to chat.", code="LOGIN_REQUIRED")
            reply = await run_sync(handle_frame, room_id, user, frame)
        except DomainError as exc:
            reply = error_frame(exc)
        with anyio.CancelScope(shield=True):
            await _send(socket, reply)


router = Router(path="", route_handlers=[room_event_stream, chat_socket], tags=["live"])
