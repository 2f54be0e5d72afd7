"""A room's event stream in one process: state first, every event, heartbeats, viewers,
and a slow client dropped while a fast one gets every event."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.response import ServerSentEventMessage

from clipcart import realtime
from clipcart.realtime.hub import Hub
from clipcart.realtime.sse import room_events
from clipcart.realtime.viewers import MemoryPresence, ViewerCounter

ROOM = 4242


async def _state() -> dict[str, Any]:
    return {"id": str(ROOM), "status": "LIVE", "pinned_product": None}


def _decoded(message: ServerSentEventMessage) -> tuple[str | None, Any]:
    if message.comment is not None:
        return None, message.comment
    return message.event, json.loads(str(message.data))


def _run(test: Any, *, backlog: int = 256) -> Any:
    async def main() -> Any:
        async with Hub(MemoryChannelsBackend(), max_backlog=backlog) as hub:
            hub.viewers = ViewerCounter(MemoryPresence(), throttle=0.05)
            return await test(hub)

    return asyncio.run(main())


def test_the_stream_starts_with_the_state_then_carries_every_event_in_order() -> None:
    async def test(hub: Hub) -> list[tuple[str | None, Any]]:
        stream = room_events(hub, ROOM, _state, heartbeat=5)
        got = [_decoded(await anext(stream))]
        for n in range(3):
            realtime.publish(realtime.room_channel(ROOM), "stock", {"left": 3 - n})
        realtime.publish(realtime.room_channel(ROOM + 1), "stock", {"left": 99})
        while len(got) < 5:
            got.append(_decoded(await asyncio.wait_for(anext(stream), 2)))
        await stream.aclose()
        return got

    got = _run(test)
    assert got[0] == ("state", {"id": str(ROOM), "status": "LIVE", "pinned_product": None,
                                "viewers": 1})
    assert [e for e in got[1:] if e[0] == "stock"] == [("stock", {"left": 3}),
                                                       ("stock", {"left": 2}),
                                                       ("stock", {"left": 1})]
    assert ("viewers", {"id": str(ROOM), "viewers": 1}) in got[1:]


def test_a_quiet_room_sends_heartbeats() -> None:
    async def test(hub: Hub) -> list[tuple[str | None, Any]]:
        stream = room_events(hub, ROOM, _state, heartbeat=0.05)
        await anext(stream)
        got = []
        while len(got) < 2:
            event = _decoded(await asyncio.wait_for(anext(stream), 2))
            if event[0] != "viewers":
                got.append(event)
        await stream.aclose()
        return got

    assert _run(test) == [(None, "ping"), (None, "ping")]


def test_viewers_count_open_streams_and_closing_one_is_published() -> None:
    async def test(hub: Hub) -> tuple[int, int, dict[str, Any]]:
        first = room_events(hub, ROOM, _state, heartbeat=5)
        second = room_events(hub, ROOM, _state, heartbeat=5)
        await anext(first)
        state = _decoded(await anext(second))[1]
        both = await hub.viewers.count(ROOM)
        await second.aclose()
        left = await hub.viewers.count(ROOM)
        while True:  # the throttled update that follows the last change says 1
            event, data = _decoded(await asyncio.wait_for(anext(first), 2))
            if event == "viewers" and data["viewers"] == 1:
                break
        await first.aclose()
        assert await hub.viewers.count(ROOM) == 0
        assert hub._channels.get(realtime.room_channel(ROOM)) in (None, set())
        return both, left, state

    both, left, state = _run(test)
    assert (both, left, state["viewers"]) == (2, 1, 2)


def test_a_slow_client_is_dropped_while_a_fast_one_gets_every_event() -> None:
    async def test(hub: Hub) -> tuple[list[int], list[tuple[str | None, Any]], float]:
        fast = room_events(hub, ROOM, _state, heartbeat=5)
        slow = room_events(hub, ROOM, _state, heartbeat=5)
        await anext(fast)
        await anext(slow)  # then it never reads while 40 events go out
        fast_got: list[int] = []
        loop = asyncio.get_running_loop()
        started = loop.time()
        for n in range(40):
            realtime.publish(realtime.room_channel(ROOM), "stock", {"left": n})
            while len(fast_got) <= n:
                event, data = _decoded(await asyncio.wait_for(anext(fast), 2))
                if event == "stock":
                    fast_got.append(data["left"])
        took = loop.time() - started
        slow_got = [_decoded(m) async for m in slow]  # what it gets when it reads again
        await fast.aclose()
        return fast_got, slow_got, took

    fast_got, slow_got, took = _run(test, backlog=8)
    assert fast_got == list(range(40))
    assert slow_got == [("reset", {"reason": "too_slow"})]
    assert took < 2.0


def test_a_stream_never_iterated_or_whose_state_fails_leaves_no_subscription() -> None:
    from clipcart.errors import NotFound
    from clipcart.realtime.sse import open_room_stream

    async def missing() -> dict[str, Any]:
        raise NotFound("No such LIVE.")

    async def test(hub: Hub) -> tuple[int, int, str]:
        stream = await open_room_stream(hub, ROOM, _state)
        subscribed = len(hub._channels[realtime.room_channel(ROOM)])
        await stream.close()  # the response's background task, when the client left early
        await stream.close()
        try:
            await open_room_stream(hub, ROOM + 1, missing)
        except NotFound as exc:
            error = exc.code
        left = sum(len(s) for s in hub._channels.values())
        return subscribed, left, error

    assert _run(test) == (1, 0, "NOT_FOUND")
