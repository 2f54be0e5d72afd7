"""LIVE's reactions: SKU prices as buyers see them, flash-sale units coming back, and the
peak viewer count following the live one.

Handlers are idempotent: a price is recorded only when it differs from the latest one;
an order's units are released once (``FlashSaleOrder.released_at``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from clipcart import events
from clipcart.catalog.models import ProductRevision
from clipcart.db import transaction
from clipcart.events import Event
from clipcart.ids import parse_id
from clipcart.live import flash, service
from clipcart.money import Money
from clipcart.realtime import viewers


@events.handles("catalog.product_live_changed", name="live.record_prices")
def on_product_live_changed(session: Session, event: Event) -> None:
    """A newly published version: its SKU prices are what buyers pay from now on."""
    revision_id = parse_id(str(event.payload.get("revision_id") or ""))
    if not event.payload.get("visible") or revision_id is None:
        return
    revision = session.get(ProductRevision, revision_id)
    if revision is None:
        return
    for sku in revision.skus:
        flash.record_price(session, int(sku["id"]), Money(int(sku["price_minor"]),
                                                          revision.currency), event.created_at)


def _order_id(reference: object) -> int | None:
    if not isinstance(reference, str) or not reference.startswith("order:"):
        return None
    return parse_id(reference.removeprefix("order:"))


@events.handles("inventory.reservation_expired", name="live.release_expired")
def on_reservation_expired(session: Session, event: Event) -> None:
    order_id = _order_id(event.payload.get("reference"))
    if order_id is not None:
        flash.release_order(session, order_id)


@events.handles("orders.status_changed", name="live.release_cancelled")
def on_order_cancelled(session: Session, event: Event) -> None:
    if event.payload.get("to") != "CANCELLED":
        return
    order_id = parse_id(str(event.payload.get("order_id") or ""))
    if order_id is not None:
        flash.release_order(session, order_id)


def keep_peak(room_id: int, count: int) -> None:
    """Every viewer count sent to a room may raise its peak."""
    with transaction() as session:
        service.record_peak(session, room_id, count)


viewers.on_count(keep_peak)
