"""Builders for LIVE chat and realtime tests: a room on air (through the LIVE service) and
viewers (signed up through the API)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.testing import TestClient

from clipcart import clock
from clipcart.db import transaction
from clipcart.live import service as live_service
from clipcart.live.chat_service import Author
from tests.catalog_support import Seller, make_seller
from tests.helpers import bearer, signup


@dataclass(frozen=True)
class Room:
    id: int
    host: Seller
    host_handle: str

    @property
    def host_author(self) -> Author:
        return Author(self.host.user_id, self.host_handle)


@dataclass(frozen=True)
class Viewer:
    id: int
    handle: str
    token: str
    email: str

    @property
    def author(self) -> Author:
        return Author(self.id, self.handle)


def viewer(client: TestClient[Any], country: str = "GB") -> Viewer:
    account = signup(client, country=country)
    return Viewer(int(account["user"]["id"]), account["user"]["handle"],
                  account["access_token"], account["email"])


def room_on_air(client: TestClient[Any], *, start: bool = True) -> Room:
    host = make_seller(client)
    with transaction() as session:
        room = live_service.schedule(session, shop_id=host.shop_id, user_id=host.user_id,
                                     title="Linen week", scheduled_at=clock.now(),
                                     planned_minutes=60)
        if start:
            live_service.start(session, room, host.user_id)
        room_id = room.id
    me = client.get("/api/v1/me", headers=bearer(host.token))
    assert me.status_code == 200, me.text
    return Room(room_id, host, me.json()["handle"])
