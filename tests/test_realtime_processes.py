"""Realtime across real server processes: one on memory, two sharing Redis."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from clipcart.config import get_settings, reset_settings
from clipcart.db import transaction
from clipcart.live import service as live_service
from tests.catalog_support import live_product, sync_categories
from tests.live_chat_support import room_on_air, viewer
from tests.realtime_support import chat_socket, receive, server_process, sse

REDIS_URL = "redis://127.0.0.1:6379/9"


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not _redis_up(), reason="no Redis at 127.0.0.1:6379")


@pytest.fixture
def redis_here(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """This test process publishes through Redis too (as a ``clipcart worker`` would)."""
    monkeypatch.setenv("CLIPCART_REDIS_URL", REDIS_URL)
    reset_settings()
    assert get_settings().redis_url == REDIS_URL
    yield REDIS_URL
    monkeypatch.delenv("CLIPCART_REDIS_URL")
    reset_settings()


def _events(base: str, room_id: int) -> str:
    return f"{base}/api/v1/lives/{room_id}/events"


def test_one_process_streams_state_then_chat_and_viewers(client: Any) -> None:
    room, fan = room_on_air(client), viewer(client)
    with server_process() as base, sse(_events(base, room.id)) as watcher:
        state = watcher.next("state")
        assert (state["id"], state["status"], state["viewers"]) == (str(room.id), "LIVE", 1)
        with sse(_events(base, room.id)) as second:
            assert second.next("state")["viewers"] == 2
            assert watcher.next("viewers", where=lambda d: d["viewers"] == 2) == {
                "id": str(room.id), "viewers": 2}
        assert watcher.next("viewers", where=lambda d: d["viewers"] == 1)["viewers"] == 1
        with chat_socket(base, room.id, fan.token) as ws:
            receive(ws, "hello")
            ws.send(json.dumps({"type": "send", "body": "hello room"}))
            ack = receive(ws, "ack")
        said = watcher.next("chat")
        assert (said["kind"], said["message"]["id"], said["message"]["body"]) == (
            "message", ack["id"], "hello room")


def test_an_unknown_room_has_no_stream(client: Any) -> None:
    import httpx

    with server_process() as base:
        response = httpx.get(_events(base, 999999), timeout=10)
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"


@needs_redis
def test_a_chat_message_sent_to_one_process_reaches_a_stream_on_the_other(
        client: Any) -> None:
    room, fan = room_on_air(client), viewer(client)
    with server_process(REDIS_URL) as a, server_process(REDIS_URL) as b, \
            sse(_events(b, room.id)) as on_b, sse(_events(a, room.id)) as on_a:
        assert on_b.next("state")["id"] == str(room.id)
        on_a.next("state")
        # viewers are counted across both processes
        assert on_b.next("viewers", where=lambda d: d["viewers"] == 2)["viewers"] == 2
        with chat_socket(a, room.id, fan.token) as ws_a, \
                chat_socket(b, room.id) as ws_b:
            receive(ws_a, "hello")
            receive(ws_b, "hello")
            ws_a.send(json.dumps({"type": "send", "body": "from A"}))
            ack = receive(ws_a, "ack")
            assert on_b.next("chat")["message"]["id"] == ack["id"]
            assert receive(ws_b, "chat")["message"]["body"] == "from A"


@needs_redis
def test_a_pin_committed_in_a_third_process_reaches_streams_on_both(
        redis_here: str, client: Any) -> None:
    # this test process is the third one: its app (``client``) runs on the same Redis
    sync_categories()
    room = room_on_air(client)
    product_id = live_product(room.host)
    with transaction() as session:
        live_service.add_to_bag(session, live_service.get_room(session, room.id), product_id)
    with server_process(redis_here) as a, server_process(redis_here) as b, \
            sse(_events(a, room.id)) as on_a, sse(_events(b, room.id)) as on_b:
        on_a.next("state")
        on_b.next("state")
        with transaction() as session:
            live_service.pin(session, live_service.get_room(session, room.id), product_id)
        for watcher in (on_a, on_b):
            pinned = watcher.next("pin")
            assert pinned["pinned_product"]["id"] == str(product_id)
