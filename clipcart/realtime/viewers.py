"""Who is watching a room: open event streams, counted across processes.

Each stream registers a connection id while it is open. One process counts in memory;
with Redis every process adds its connections to one sorted set per room, scored by the
time the entry expires, and refreshes the score on every heartbeat, so a crashed process's
connections fall out by themselves. Counts go out as ``viewers`` events on the room's
channel, at most one per ``THROTTLE_SECONDS`` per room and process.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from clipcart.realtime.hub import encode_message, publish_raw, room_channel

log = logging.getLogger(__name__)

THROTTLE_SECONDS = 1.0
PRESENCE_TTL_SECONDS = 60.0  # a stream refreshes its entry on every heartbeat


class Presence(Protocol):
    async def join(self, room_id: int, conn_id: str) -> None: ...
    async def refresh(self, room_id: int, conn_id: str) -> None: ...
    async def leave(self, room_id: int, conn_id: str) -> None: ...
    async def count(self, room_id: int) -> int: ...


class MemoryPresence:
    def __init__(self) -> None:
        self._rooms: defaultdict[int, set[str]] = defaultdict(set)

    async def join(self, room_id: int, conn_id: str) -> None:
        self._rooms[room_id].add(conn_id)

    async def refresh(self, room_id: int, conn_id: str) -> None:
        return None

    async def leave(self, room_id: int, conn_id: str) -> None:
        members = self._rooms.get(room_id)
        if members is not None:
            members.discard(conn_id)
            if not members:
                del self._rooms[room_id]

    async def count(self, room_id: int) -> int:
        return len(self._rooms.get(room_id, ()))


class RedisPresence:
    def __init__(self, url: str, ttl: float = PRESENCE_TTL_SECONDS) -> None:
        from redis.asyncio import BlockingConnectionPool, Redis

        # Thousands of streams join and leave at once: wait for a pooled connection
        # rather than fail with "Too many connections".
        pool = BlockingConnectionPool.from_url(url, max_connections=32, timeout=10)
        self._redis: Any = Redis(connection_pool=pool)
        self._ttl = ttl

    @staticmethod
    def _key(room_id: int) -> str:
        return f"clipcart:live_viewers:{room_id}"

    async def join(self, room_id: int, conn_id: str) -> None:
        await self.refresh(room_id, conn_id)

    async def refresh(self, room_id: int, conn_id: str) -> None:
        key = self._key(room_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {conn_id: time.time() + self._ttl})
            pipe.expire(key, int(self._ttl) + 5)
            await pipe.execute()

    async def leave(self, room_id: int, conn_id: str) -> None:
        await self._redis.zrem(self._key(room_id), conn_id)

    async def count(self, room_id: int) -> int:
        key = self._key(room_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(key, "-inf", time.time())
            pipe.zcard(key)
            _, count = await pipe.execute()
        return int(count)

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

    async def join(self, room_id: int, conn_id: str) -> None:
        with _logged("join"):
            await self.presence.join(room_id, conn_id)
        self._changed(room_id)

    async def refresh(self, room_id: int, conn_id: str) -> None:
        with _logged("refresh"):
            await self.presence.refresh(room_id, conn_id)

    async def leave(self, room_id: int, conn_id: str) -> None:
        with _logged("leave"):
            await self.presence.leave(room_id, conn_id)
        self._changed(room_id)

    async def count(self, room_id: int) -> int | None:
        with _logged("count"):
            return await self.presence.count(room_id)
        return None

    def _changed(self, room_id: int) -> None:
        if room_id in self._scheduled:
            return  # a send is due; it will read the count then
        self._scheduled.add(room_id)
        wait = max(0.0, self._last_sent.get(room_id, 0.0) + self.throttle - time.monotonic())
        asyncio.get_running_loop().call_later(
            wait, lambda: asyncio.ensure_future(self._send(room_id)))

    async def _send(self, room_id: int) -> None:
        self._scheduled.discard(room_id)
        self._last_sent[room_id] = time.monotonic()
        count = await self.count(room_id)
        if count is None:
            return
        publish_raw(room_channel(room_id),
                    encode_message("viewers", {"id": str(room_id), "viewers": count}))


@contextmanager
def _logged(what: str) -> Iterator[None]:
    try:
        yield
    except Exception:  # a counter must not take a stream down with it
        log.warning("viewer presence %s failed", what, exc_info=True)


def build_counter(redis_url: str) -> ViewerCounter:
    return ViewerCounter(RedisPresence(redis_url) if redis_url else MemoryPresence())
