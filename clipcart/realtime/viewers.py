"""Who is watching a room: open event streams and polling pages, counted across processes.

This is the one viewer count of a LIVE: rooms lists, the room's state, the host's console
and the ``viewers`` events all read it. Each viewer holds an entry that expires: an event
stream registers its connection id and refreshes it on every heartbeat; a page that polls
instead registers its viewer key on every poll (``touch``). One process keeps entries in
memory; with Redis every process adds them to one sorted set per room, scored by the time
the entry expires, so a crashed process's connections fall out by themselves. Expiry
reads ``clipcart.clock`` (tests move it). Counts go out as ``viewers`` events on the
room's channel, at most one per ``THROTTLE_SECONDS`` per room and process, and each count
sent is handed to the listeners registered with ``on_count`` (LIVE keeps the peak).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from clipcart import clock
from clipcart.realtime.hub import (
    active_hub,
    encode_message,
    publish_raw,
    redis_client,
    room_channel,
)

log = logging.getLogger(__name__)

THROTTLE_SECONDS = 1.0
PRESENCE_TTL_SECONDS = 60.0  # a stream refreshes its entry on every heartbeat

CountListener = Callable[[int, int], None]
_listeners: list[CountListener] = []


def on_count(listener: CountListener) -> None:
    """Call ``listener(room_id, count)`` (in a worker thread) with every count sent."""
    if listener not in _listeners:
        _listeners.append(listener)


def _now() -> float:
    return clock.now().timestamp()


class Presence(Protocol):
    async def join(self, room_id: int, conn_id: str) -> None: ...
    async def refresh(self, room_id: int, conn_id: str) -> None: ...
    async def leave(self, room_id: int, conn_id: str) -> None: ...
    async def count(self, room_id: int) -> int: ...
    def touch_sync(self, room_id: int, key: str, ttl: float) -> None: ...
    def counts_sync(self, room_ids: Sequence[int]) -> dict[int, int]: ...


class MemoryPresence:
    """Entries of this process, safe from the event loop and from worker threads."""

    def __init__(self, ttl: float = PRESENCE_TTL_SECONDS) -> None:
        self._rooms: dict[int, dict[str, float]] = {}
        self._lock = threading.Lock()
        self._ttl = ttl

    def touch_sync(self, room_id: int, key: str, ttl: float) -> None:
        with self._lock:
            self._rooms.setdefault(room_id, {})[key] = _now() + ttl

    def _drop(self, room_id: int, conn_id: str) -> None:
        with self._lock:
            members = self._rooms.get(room_id)
            if members is not None:
                members.pop(conn_id, None)
                if not members:
                    del self._rooms[room_id]

    def counts_sync(self, room_ids: Sequence[int]) -> dict[int, int]:
        now = _now()
        with self._lock:
            return {room_id: sum(1 for until in self._rooms.get(room_id, {}).values()
                                 if until > now) for room_id in room_ids}

    async def join(self, room_id: int, conn_id: str) -> None:
        self.touch_sync(room_id, conn_id, self._ttl)

    async def refresh(self, room_id: int, conn_id: str) -> None:
        self.touch_sync(room_id, conn_id, self._ttl)

    async def leave(self, room_id: int, conn_id: str) -> None:
        self._drop(room_id, conn_id)

    async def count(self, room_id: int) -> int:
        return self.counts_sync([room_id])[room_id]


class RedisPresence:
    def __init__(self, url: str, ttl: float = PRESENCE_TTL_SECONDS) -> None:
        from redis.asyncio import BlockingConnectionPool, Redis

        # Thousands of streams join and leave at once: wait for a pooled connection
        # rather than fail with "Too many connections".
        pool = BlockingConnectionPool.from_url(url, max_connections=32, timeout=10)
        self._redis: Any = Redis(connection_pool=pool)
        self._url = url
        self._ttl = ttl

    @staticmethod
    def _key(room_id: int) -> str:
        return f"clipcart:live_viewers:{room_id}"

    async def join(self, room_id: int, conn_id: str) -> None:
        await self.refresh(room_id, conn_id)

    async def refresh(self, room_id: int, conn_id: str) -> None:
        key = self._key(room_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {conn_id: _now() + self._ttl})
            pipe.expire(key, int(self._ttl) + 5)
            await pipe.execute()

    async def leave(self, room_id: int, conn_id: str) -> None:
        await self._redis.zrem(self._key(room_id), conn_id)

    async def count(self, room_id: int) -> int:
        return int(await self._redis.zcount(self._key(room_id), f"({_now()}", "+inf"))

    def touch_sync(self, room_id: int, key: str, ttl: float) -> None:
        with redis_client(self._url).pipeline(transaction=True) as pipe:
            pipe.zadd(self._key(room_id), {key: _now() + ttl})
            pipe.expire(self._key(room_id), int(max(ttl, self._ttl)) + 5)
            pipe.execute()

    def counts_sync(self, room_ids: Sequence[int]) -> dict[int, int]:
        if not room_ids:
            return {}
        floor = f"({_now()}"
        with redis_client(self._url).pipeline(transaction=False) as pipe:
            for room_id in room_ids:
                pipe.zcount(self._key(room_id), floor, "+inf")
            counts = pipe.execute()
        return {room_id: int(n) for room_id, n in zip(room_ids, counts, strict=True)}

    async def close(self) -> None:
        await self._redis.aclose()


class ViewerCounter:
    """Presence plus throttled ``viewers`` events, owned by one event loop (the server's).

    Counting is best effort: a presence error is logged and never breaks a stream.
    """

    def __init__(self, presence: Presence, throttle: float = THROTTLE_SECONDS) -> None:
        self.presence = presence
        self.throttle = throttle
        self._last_sent: dict[int, float] = {}
        self._scheduled: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def join(self, room_id: int, conn_id: str) -> None:
        with _logged("join"):
            await self.presence.join(room_id, conn_id)
        self.changed(room_id)

    async def refresh(self, room_id: int, conn_id: str) -> None:
        with _logged("refresh"):
            await self.presence.refresh(room_id, conn_id)

    async def leave(self, room_id: int, conn_id: str) -> None:
        with _logged("leave"):
            await self.presence.leave(room_id, conn_id)
        self.changed(room_id)

    async def count(self, room_id: int) -> int | None:
        with _logged("count"):
            return await self.presence.count(room_id)
        return None

    def changed(self, room_id: int) -> None:
        """Schedule a ``viewers`` event for the room (throttled); call on the loop."""
        if room_id in self._scheduled:
            return  # a send is due; it will read the count then
        self._scheduled.add(room_id)
        wait = max(0.0, self._last_sent.get(room_id, 0.0) + self.throttle - time.monotonic())
        asyncio.get_running_loop().call_later(wait, self._spawn_send, room_id)

    def _spawn_send(self, room_id: int) -> None:
        task = asyncio.ensure_future(self._send(room_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, room_id: int) -> None:
        self._scheduled.discard(room_id)
        self._last_sent[room_id] = time.monotonic()
        count = await self.count(room_id)
        if count is None:
            return
        publish_raw(room_channel(room_id),
                    encode_message("viewers", {"id": str(room_id), "viewers": count}))
        for listener in list(_listeners):
            with _logged("listener"):
                await asyncio.to_thread(listener, room_id, count)


@contextmanager
def _logged(what: str) -> Iterator[None]:
    try:
        yield
    except Exception:  # a counter must not take a stream down with it
        log.warning("viewer presence %s failed", what, exc_info=True)


def build_counter(redis_url: str) -> ViewerCounter:
    return ViewerCounter(RedisPresence(redis_url) if redis_url else MemoryPresence())


# -- from worker threads (pages, API handlers) ------------------------------------------

_outside: dict[str, RedisPresence] = {}


def _presence() -> Presence | None:
    hub = active_hub()
    if hub is not None:
        return hub.viewers.presence
    from clipcart.config import get_settings

    url = get_settings().redis_url
    if not url:
        return None  # no server in this process and no Redis: nobody can tell
    if url not in _outside:
        _outside[url] = RedisPresence(url)
    return _outside[url]


def touch(room_id: int, key: str, ttl_seconds: float) -> None:
    """Count ``key`` (a polling page's viewer) as watching for ``ttl_seconds`` more."""
    presence = _presence()
    if presence is None:
        return
    with _logged("touch"):
        presence.touch_sync(room_id, key, ttl_seconds)
        hub = active_hub()
        if hub is not None and hub.loop is not None and not hub.loop.is_closed():
            hub.loop.call_soon_threadsafe(hub.viewers.changed, room_id)


def counts(room_ids: Sequence[int]) -> dict[int, int]:
    """How many are watching each room now (0 for all when nothing can tell)."""
    presence = _presence()
    if presence is not None and room_ids:
        with _logged("count"):
            return presence.counts_sync(list(room_ids))
    return {room_id: 0 for room_id in room_ids}
