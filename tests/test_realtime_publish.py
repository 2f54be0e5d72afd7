"""Publishing to a room channel in one process: now, after commit, never after rollback."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

import pytest
from litestar.channels.backends.memory import MemoryChannelsBackend
from sqlalchemy import text

from clipcart import realtime
from clipcart.config import get_settings
from clipcart.db import get_database
from clipcart.realtime.hub import Hub, decode_message

Received = list[tuple[str, dict[str, Any]]]


async def _collect(hub: Hub, channel: str, count: int, timeout: float = 2.0) -> Received:
    received: Received = []
    async with hub.start_subscription(channel) as subscriber:
        await asyncio.sleep(0)
        yield_ready.set()
        async def read() -> None:
            async for raw in subscriber.iter_events():
                received.append(decode_message(raw))
                if len(received) == count:
                    return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(read(), timeout)
    return received


yield_ready = threading.Event()


def _run_with_hub(action: Any, channel: str, count: int) -> list[tuple[str, dict[str, Any]]]:
    """Start a hub on a loop in this thread, subscribe, run ``action`` in another thread."""

    async def main() -> list[tuple[str, dict[str, Any]]]:
        yield_ready.clear()
        async with Hub(MemoryChannelsBackend()) as hub:
            task = asyncio.create_task(_collect(hub, channel, count))
            while not yield_ready.is_set():
                await asyncio.sleep(0.01)
            await asyncio.to_thread(action)
            return await task

    return asyncio.run(main())


def test_an_event_published_from_a_worker_thread_reaches_a_subscriber() -> None:
    got = _run_with_hub(lambda: realtime.publish("live:7", "pin", {"product_id": "42"}),
                        "live:7", 1)
    assert got == [("pin", {"product_id": "42"})]


def test_a_subscriber_of_another_room_gets_nothing() -> None:
    got = _run_with_hub(lambda: realtime.publish("live:8", "pin", {"product_id": "42"}),
                        "live:7", 1)
    assert got == []


def test_publish_after_commit_waits_for_the_commit_and_keeps_order() -> None:
    def action() -> None:
        with get_database().transaction() as session:
            realtime.publish_after_commit(session, "live:9", "stock", {"left": 3})
            session.execute(text("SELECT 1"))
            realtime.publish("live:9", "status", {"status": "LIVE"})  # goes out first
            realtime.publish_after_commit(session, "live:9", "stock", {"left": 2})

    got = _run_with_hub(action, "live:9", 3)
    assert got == [("status", {"status": "LIVE"}), ("stock", {"left": 3}), ("stock", {"left": 2})]


def test_publish_after_commit_is_dropped_when_the_transaction_rolls_back() -> None:
    def action() -> None:
        with pytest.raises(RuntimeError), get_database().transaction() as session:
            realtime.publish_after_commit(session, "live:9", "stock", {"left": 3})
            raise RuntimeError("boom")
        with get_database().transaction() as session:
            realtime.publish_after_commit(session, "live:9", "stock", {"left": 1})

    got = _run_with_hub(action, "live:9", 2)
    assert got == [("stock", {"left": 1})]


def test_a_savepoint_release_does_not_publish_before_the_outer_commit() -> None:
    seen_inside: list[int] = []

    def action() -> None:
        with get_database().transaction() as session:
            with session.begin_nested():
                realtime.publish_after_commit(session, "live:5", "pin", {"n": 1})
            seen_inside.append(len(session.info.get("realtime_pending", [])))

    got = _run_with_hub(action, "live:5", 1)
    assert seen_inside == [1]
    assert got == [("pin", {"n": 1})]


def test_with_no_redis_configured_the_app_uses_the_memory_backend() -> None:
    assert get_settings().redis_url == ""
    hub = realtime.channels_plugin(get_settings())
    assert isinstance(hub.backend, MemoryChannelsBackend)
