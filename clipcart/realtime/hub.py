"""The process's channels plugin and a thread-safe way to publish through it.

Services are synchronous and run in Litestar's thread pool (or in huey worker threads),
while the channels plugin lives on the server's event loop: ``publish`` hands the message
to that loop with ``call_soon_threadsafe``. A process with no running plugin (a
``clipcart worker``, the CLI) publishes straight to Redis when one is configured; with the
memory backend nobody could be listening there, so the message is dropped.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from asyncio import QueueFull
from typing import Any

import msgspec
from litestar.channels import ChannelsPlugin, Subscriber
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend

from clipcart.config import Settings

log = logging.getLogger(__name__)

# Unsent messages a subscriber may hold before it counts as too slow and is dropped.
SUBSCRIBER_BACKLOG = 256

_encode = msgspec.json.Encoder().encode


def room_channel(room_id: int | str) -> str:
    return f"live:{room_id}"


def encode_message(event: str, data: dict[str, Any]) -> bytes:
    return _encode({"event": event, "data": data})


def decode_message(raw: bytes) -> tuple[str, dict[str, Any]]:
    message = msgspec.json.decode(raw)
    return str(message["event"]), dict(message["data"])


class DroppingSubscriber(Subscriber):
    """A subscriber with a bounded backlog that remembers it overflowed.

    The plugin fans out with ``put_nowait``; once this subscriber's queue is full the
    message is refused (the others still get it) and ``overflowed`` is set, so the
    connection can be closed and the client reconnect to fresh state.
    """

    overflowed = False

    async def put(self, item: bytes | None) -> None:
        if item is None:  # the stop marker must get in even when the backlog is full
            while True:
                try:
                    self._queue.put_nowait(None)
                    return
                except QueueFull:
                    self._queue.get_nowait()
                    self._queue.task_done()
        await super().put(item)

    def put_nowait(self, item: bytes | None) -> bool:
        accepted = super().put_nowait(item)
        if not accepted and item is not None:
            self.overflowed = True
        return accepted


class Hub(ChannelsPlugin):
    """ChannelsPlugin that records its event loop so threads can publish through it."""

    def __init__(self, backend: ChannelsBackend, *, redis_url: str = "",
                 max_backlog: int = SUBSCRIBER_BACKLOG) -> None:
        super().__init__(backend=backend, arbitrary_channels_allowed=True,
                         subscriber_max_backlog=max_backlog,
                         subscriber_backlog_strategy="backoff",
                         subscriber_class=DroppingSubscriber)
        self.redis_url = redis_url
        self.loop: asyncio.AbstractEventLoop | None = None
        from clipcart.realtime.viewers import build_counter

        self.viewers = build_counter(redis_url)
        from clipcart.realtime.coalesce import NextRead

        self.state_reads = NextRead()

    @property
    def backend(self) -> ChannelsBackend:
        return self._backend

    async def _on_startup(self) -> None:
        await super()._on_startup()
        self.loop = asyncio.get_running_loop()
        _set_active(self)

    async def _on_shutdown(self) -> None:
        _clear_active(self)
        self.loop = None
        await super()._on_shutdown()

    def publish_message(self, channel: str, message: bytes) -> None:
        loop = self.loop
        if loop is None or loop.is_closed():
            raise RuntimeError("the channels plugin is not running")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self.publish(message, channel)
        else:
            loop.call_soon_threadsafe(self.publish, message, channel)


def build_hub(settings: Settings) -> Hub:
    """Redis pub/sub when ``CLIPCART_REDIS_URL`` is set, else one process's memory."""
    if settings.redis_url:
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.redis_url)
        return Hub(RedisChannelsPubSubBackend(redis=redis), redis_url=settings.redis_url)
    return Hub(MemoryChannelsBackend())


_lock = threading.Lock()
_active: Hub | None = None
_sync_redis: dict[str, Any] = {}


def _set_active(hub: Hub) -> None:
    global _active
    with _lock:
        _active = hub


def _clear_active(hub: Hub) -> None:
    global _active
    with _lock:
        if _active is hub:
            _active = None


def active_hub() -> Hub | None:
    return _active


def publish_raw(channel: str, message: bytes) -> None:
    hub = _active
    if hub is not None:
        try:
            hub.publish_message(channel, message)
            return
        except RuntimeError:  # the loop closed under us (shutdown): fall through
            log.debug("hub stopped; publishing %s elsewhere", channel)
    from clipcart.config import get_settings

    url = get_settings().redis_url
    if url:
        redis_client(url).publish(channel, message)


def redis_client(url: str) -> Any:
    """A synchronous Redis client per URL, shared by the threads of this process."""
    with _lock:
        client = _sync_redis.get(url)
        if client is None:
            from redis import Redis

            client = _sync_redis[url] = Redis.from_url(url)
        return client
