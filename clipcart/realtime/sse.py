"""A room's server-sent event stream: its state first, then every event of its channel.

The stream subscribes before it reads the state, so no event published in between is
lost (at worst one arrives twice, which events carrying absolute values tolerate). A
comment line goes out every ``HEARTBEAT_SECONDS`` so proxies keep the connection and the
viewer's presence stays fresh. A client that lets ``SUBSCRIBER_BACKLOG`` events pile up is
dropped with a last ``reset`` event; EventSource reconnects and starts from fresh state.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
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


async def room_events(hub: Hub, room_id: int,
                      load_state: Callable[[], Awaitable[dict[str, Any]]], *,
                      heartbeat: float | None = None) -> AsyncIterator[ServerSentEventMessage]:
    beat = HEARTBEAT_SECONDS if heartbeat is None else heartbeat
    conn_id = uuid.uuid4().hex
    subscriber = await hub.subscribe(room_channel(room_id))
    assert isinstance(subscriber, DroppingSubscriber)
    events = subscriber.iter_events()
    pending: asyncio.Task[bytes] | None = None
    try:
        await hub.viewers.join(room_id, conn_id)
        state = await load_state()
        state["viewers"] = await hub.viewers.count(room_id)
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
                await hub.viewers.refresh(room_id, conn_id)
                yield ServerSentEventMessage(comment="ping")
                continue
            try:
                raw = pending.result()
            except StopAsyncIteration:
                return
            pending = None
            event, data = decode_message(raw)
            yield _message(event, data)
    finally:
        if pending is not None:
            pending.cancel()
        with anyio.CancelScope(shield=True):  # the client went away: clean up regardless
            await hub.unsubscribe(subscriber, room_channel(room_id))
            await hub.viewers.leave(room_id, conn_id)
