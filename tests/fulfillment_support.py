"""Builders for fulfillment tests: an order ready to ship, and the carrier driven by clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from clipcart.carriers import simulator
from clipcart.carriers.config import get_carrier_settings
from clipcart.db import transaction
from clipcart.events import OutboxEvent
from clipcart.orders import service as orders
from clipcart.orders.models import Order, Package
from tests.checkout_support import Buyer, Listing, buy, buyer, listing


@dataclass(frozen=True)
class ReadyOrder:
    item: Listing
    who: Buyer
    order_id: int

    @property
    def shop_id(self) -> int:
        return self.item.seller.shop_id

    @property
    def actor(self) -> str:
        return f"seller:{self.item.seller.user_id}"


def ready_order(client: Any, clock: Any, *, quantity: int = 1, skus: int = 1,
                stock: int = 10) -> ReadyOrder:
    """A paid order past its hold: AWAITING_SHIPMENT with one package holding everything."""
    item = listing(client, stock=stock, skus=skus)
    who = buyer(client)
    from tests.checkout_support import add, check_out, pay

    for sku in item.sku_ids:
        add(client, who, sku, quantity)
    made = check_out(client, who).json()
    paid = pay(client, who, made["id"]).json()
    assert paid["status"] == "PAID", paid
    [order_id] = paid["order_ids"]
    clock.advance(minutes=orders.on_hold_minutes() + 1)
    with transaction() as session:
        assert orders.release_holds(session) == 1
    return ReadyOrder(item, who, int(order_id))


def ready_single(client: Any, clock: Any, quantity: int = 1) -> ReadyOrder:
    item = listing(client, stock=10)
    who = buyer(client)
    [order_id] = buy(client, who, item.sku_ids[0], quantity).json()["order_ids"]
    clock.advance(minutes=orders.on_hold_minutes() + 1)
    with transaction() as session:
        orders.release_holds(session)
    return ReadyOrder(item, who, int(order_id))


def carrier_step(db: Any, clock: Any, times: int = 1) -> None:
    for _ in range(times):
        clock.advance(seconds=get_carrier_settings().scan_interval_seconds)
        simulator.advance(db, clock.current)


def order_status(db: Any, order_id: int) -> str:
    with db.sessions() as session:
        order = session.get(Order, order_id)
        assert order is not None
        return order.status


def package_ids(db: Any, order_id: int) -> list[int]:
    with db.sessions() as session:
        return list(session.execute(select(Package.id).where(Package.order_id == order_id)
                                    .order_by(Package.id)).scalars())


def emitted(db: Any, event_type: str) -> list[dict[str, Any]]:
    with db.sessions() as session:
        return [dict(r.payload) for r in session.execute(
            select(OutboxEvent).where(OutboxEvent.type == event_type)
            .order_by(OutboxEvent.id)).scalars()]
