"""Builders for LIVE tests: a shop's room on air with products in its bag, a flash sale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clipcart import clock
from clipcart.db import transaction
from clipcart.live import flash, service
from clipcart.live.models import FlashSale
from tests.checkout_support import Listing, listing


@dataclass(frozen=True)
class Room:
    id: int
    item: Listing

    @property
    def sku(self) -> int:
        return self.item.sku_ids[0]

    @property
    def source(self) -> dict[str, str]:
        return {"type": "live", "id": str(self.id)}


def scheduled_room(client: Any, *, price: str = "9.99", stock: int = 50,
                   list_price: str | None = "12.99", minutes: int = 60) -> Room:
    item = listing(client, price=price, stock=stock, list_price=list_price)
    with transaction() as session:
        room = service.schedule(session, shop_id=item.seller.shop_id,
                                user_id=item.seller.user_id, title="Linen week LIVE",
                                scheduled_at=clock.now(), planned_minutes=minutes)
        service.add_to_bag(session, room, item.product_id)
        return Room(room.id, item)


def room_on_air(client: Any, **kwargs: Any) -> Room:
    made = scheduled_room(client, **kwargs)
    with transaction() as session:
        room = service.get_room(session, made.id)
        service.start(session, room, made.item.seller.user_id)
        service.pin(session, room, made.item.product_id)
    return made


def start_sale(made: Room, *, deal: str = "5.00", stock: int = 30, limit: int = 2,
               countdown: int = 10, minutes: int = 5) -> int:
    with transaction() as session:
        sale = flash.create_sale(session, service.get_room(session, made.id), sku_id=made.sku,
                                 deal_price=deal, stock=stock, per_buyer_limit=limit,
                                 countdown_seconds=countdown, duration_minutes=minutes)
        return sale.id


def sale_row(sale_id: int) -> FlashSale:
    with transaction() as session:
        sale = session.get(FlashSale, sale_id)
        assert sale is not None
        session.expunge(sale)
        return sale


def past_countdown(frozen_clock: Any, seconds: int = 11) -> None:
    frozen_clock.advance(seconds=seconds)
