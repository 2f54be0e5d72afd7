"""A room's server-sent event stream: its state first, then every event of its channel.

``open_room_stream`` subscribes before it reads the state, so no event published in
between is lost (at worst one arrives twice, which events carrying absolute values
tolerate), and reads the state once per connection. A comment line goes out every
``HEARTBEAT_SECONDS`` so proxies keep the connection and the viewer's presence stays
fresh. A client that lets ``SUBSCRIBER_BACKLOG`` events pile up is dropped with a last
``reset`` event; EventSource reconnects and starts from fresh state.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import msgspec
from litestar.response import ServerSentEventMessage

from clipcart.realtime.hub import DroppingSubscriber, Hub, decode_message, room_channel

HEARTBEAT_SECONDS = 15.0
RETRY_MILLISECONDS = 2000

_encode = msgspec.json.Encoder().encode


def _message(event: str, data: Any) -> ServerSentEventMessage:
    return ServerSentEventMessage(event=event, data=_encode(data).decode())


class _EncodedOnce(ServerSentEventMessage):
    """A message shared by every stream of a room: framed once, not once per viewer."""

    _framed: bytes | None = None

    def encode(self) -> bytes:
        if self._framed is None:
            self._framed = super().encode()
        return self._framed


# Every subscriber of a room gets the very same bytes object for one event: decode it once.
_recent: OrderedDict[bytes, ServerSentEventMessage] = OrderedDict()
_RECENT_MAX = 256


def _from_channel(raw: bytes) -> ServerSentEventMessage:
    found = _recent.get(raw)
    if found is None:
        event, data = decode_message(raw)
        found = _recent[raw] = _EncodedOnce(event=event, data=_encode(data).decode())
        if len(_recent) > _RECENT_MAX:
            _recent.popitem(last=False)
    return found


@dataclass
class RoomStream:
    """One viewer's subscription; ``close`` is idempotent (the generator and the
    response's background task both call it, whichever runs)."""

    hub: Hub
    room_id: int
    subscriber: DroppingSubscriber
    state: dict[str, Any]
    conn_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    closed: bool = False

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with anyio.CancelScope(shield=True):  # the client went away: clean up regardless
            await self.hub.unsubscribe(self.subscriber, room_channel(self.room_id))
            await self.hub.viewers.leave(self.room_id, self.conn_id)


async def open_room_stream(hub: Hub, room_id: int,
                           load_state: Callable[[], Awaitable[dict[str, Any]]],
                           viewer: str | None = None) -> RoomStream:
    """Subscribe, then read the state (its errors propagate, with nothing left behind).
    ``viewer`` is the key the viewer's page counts under (one viewer, not two); without
    one the connection counts by itself."""
    subscriber = await hub.subscribe(room_channel(room_id))
    assert isinstance(subscriber, DroppingSubscriber)
    try:
        state = await load_state()
    except BaseException:
        with anyio.CancelScope(shield=True):
            await hub.unsubscribe(subscriber, room_channel(room_id))
        raise
    stream = RoomStream(hub, room_id, subscriber, state)
    if viewer:
        stream.conn_id = viewer
    return stream


async def stream_events(stream: RoomStream, *, heartbeat: float | None = None
                        ) -> AsyncGenerator[ServerSentEventMessage, None]:
    beat = HEARTBEAT_SECONDS if heartbeat is None else heartbeat
    hub, room_id, subscriber = stream.hub, stream.room_id, stream.subscriber
    events = subscriber.iter_events()
    pending: asyncio.Task[bytes] | None = None
    try:
        await hub.viewers.join(room_id, stream.conn_id)
        count = await hub.viewers.count(room_id)
        state = dict(stream.state)
        if count is not None:
            state["viewers"] = count
        first = _message("state", state)
        first.retry = RETRY_MILLISECONDS
        yield first
        while True:
            if subscriber.overflowed:
                yield _message("reset", {"reason": "too_slow"})
                return
            if pending is None:
                pending = asyncio.ensure_future(anext(events))
            done, _ = await asyncio.wait({pending}, timeout=beat)
            if not done:
                await hub.viewers.refresh(room_id, stream.conn_id)
                yield ServerSentEventMessage(comment="ping")
                continue
            try:
                raw = pending.result()
            except StopAsyncIteration:
                return
            pending = None
            yield _from_channel(raw)
    finally:
        if pending is not None:
            pending.cancel()
        await stream.close()


async def room_events(hub: Hub, room_id: int,
                      load_state: Callable[[], Awaitable[dict[str, Any]]], *,
                      heartbeat: float | None = None) -> AsyncIterator[ServerSentEventMessage]:
    """Open and stream in one go (for callers that need no error before the stream)."""
    stream = await open_room_stream(hub, room_id, load_state)
    inner = stream_events(stream, heartbeat=heartbeat)
    try:
        async for message in inner:
            yield message
    finally:
        await inner.aclose()
        await stream.close()
