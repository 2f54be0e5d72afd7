"""Fulfillment rules over time: carrier scans move packages and orders, buyers confirm
receipt, delivered orders complete on their own, late shipments are flagged (and, when the
operator says so, cancelled). Each timed rule is a function of ``now`` run by a periodic job.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.errors import Conflict
from clipcart.ids import parse_id
from clipcart.markets import get_markets
from clipcart.orders.models import Order, Package
from clipcart.orders.package_states import TRACKING_LABELS
from clipcart.orders.packages import _move, ensure_packages, packages_of, sync_order
from clipcart.orders.service import buyer_order, transition

SHIPPING_LATE = frozenset({"AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"})


def apply_tracking(session: Session, payload: dict[str, Any]) -> bool:
    """A carrier scan of a package (``carriers.tracking`` with purpose "package"). Carriers
    only announce scans that move a shipment forward, so each one applies once."""
    reference = str(payload.get("reference", ""))
    if payload.get("purpose") != "package" or not reference.startswith("package:"):
        return False
    package_id = parse_id(reference.split(":", 1)[1])
    pkg = session.get(Package, package_id, populate_existing=True) if package_id else None
    if pkg is None or pkg.shipment_id is None or str(pkg.shipment_id) != payload.get(
            "shipment_id") or pkg.status != "FULFILLING":
        return False  # cancelled meanwhile, or a scan of a parcel no longer used
    status = str(payload["status"])
    at = datetime.fromisoformat(str(payload["at"]))
    if status == "DELIVERED":
        _move(session, pkg, "COMPLETED", actor="carrier", tracking_status="DELIVERED",
              note=TRACKING_LABELS[status], delivered_at=at)
    else:
        _move(session, pkg, "FULFILLING", actor="carrier", tracking_status=status,
              note=TRACKING_LABELS.get(status, status))
    sync_order(session, pkg.order_id, actor="carrier")
    return True


def cancel_packages(session: Session, order_id: int) -> int:
    """The order was cancelled: its packages not yet delivered are cancelled too."""
    cancelled = 0
    for pkg in packages_of(session, [order_id])[order_id]:
        if pkg.status in ("PROCESSING", "FULFILLING"):
            _move(session, pkg, "CANCELLED", actor="system", note="order cancelled")
            cancelled += 1
    return cancelled


def confirm_receipt(session: Session, order_id: int, buyer_user_id: int) -> Order:
    """The buyer has the parcel(s): the order completes. A repeat changes nothing."""
    order = buyer_order(session, buyer_user_id, order_id)
    if order.status == "COMPLETED":
        return order
    if order.status not in ("IN_TRANSIT", "DELIVERED"):
        raise Conflict(f"The order is {order.status}; it can be confirmed once shipped.",
                       code="ORDER_NOT_DELIVERED")
    now = clock.now()
    if order.status == "IN_TRANSIT":
        for pkg in packages_of(session, [order.id])[order.id]:
            if pkg.status == "FULFILLING":
                _move(session, pkg, "COMPLETED", actor="buyer", note="buyer confirmed receipt",
                      delivered_at=now)
        order = transition(session, order.id, "DELIVERED", actor="buyer",
                           reason="buyer confirmed receipt", expected=frozenset({"IN_TRANSIT"}),
                           delivered_at=now)
    return transition(session, order.id, "COMPLETED", actor="buyer",
                      reason="buyer confirmed receipt", expected=frozenset({"DELIVERED"}),
                      completed_at=now)


def auto_complete_days() -> int:
    return int(get_markets().rule("auto_complete_days_after_delivery"))


def ship_sla_days() -> int:
    return int(get_markets().rule("seller_ship_sla_days"))


def auto_cancel_late() -> bool:
    return os.environ.get("CLIPCART_AUTO_CANCEL_LATE_ORDERS", "").strip().lower() in (
        "1", "true", "yes", "on")


def ship_by(order: Order) -> datetime | None:
    return order.paid_at + timedelta(days=ship_sla_days()) if order.paid_at else None


def complete_delivered(session: Session, now: datetime | None = None, limit: int = 500) -> int:
    """DELIVERED orders the buyer left alone for the window complete on their own."""
    now = now or clock.now()
    due = session.execute(
        select(Order.id).where(Order.status == "DELIVERED",
                               Order.delivered_at <= now - timedelta(days=auto_complete_days()))
        .order_by(Order.id).limit(limit)).scalars().all()
    done = 0
    for order_id in due:
        try:
            with session.begin_nested():
                transition(session, order_id, "COMPLETED", actor="system",
                           reason="completed automatically after delivery",
                           expected=frozenset({"DELIVERED"}), completed_at=now)
            done += 1
        except Conflict:
            continue  # the buyer confirmed meanwhile
    return done


def flag_late_orders(session: Session, now: datetime | None = None, limit: int = 500) -> int:
    """Orders not shipped within the seller's deadline are flagged once (``orders.
    shipping_late``); with CLIPCART_AUTO_CANCEL_LATE_ORDERS, unshipped ones are cancelled."""
    now = now or clock.now()
    cutoff = now - timedelta(days=ship_sla_days())
    cancelling = auto_cancel_late()
    query = select(Order.id, Order.shop_id, Order.status).where(
        Order.status.in_(list(SHIPPING_LATE)), Order.paid_at <= cutoff)
    query = query.where(Order.shipping_late_at.is_(None) | (Order.status == "AWAITING_SHIPMENT")
                        if cancelling else Order.shipping_late_at.is_(None))
    late = session.execute(query.order_by(Order.id).limit(limit)).all()
    flagged = 0
    for order_id, shop_id, status in late:
        marked = session.execute(update(Order).where(
            Order.id == order_id, Order.shipping_late_at.is_(None))
            .values(shipping_late_at=now).returning(Order.id)).first()
        if marked is not None:
            flagged += 1
            events.emit(session, "orders.shipping_late", {
                "order_id": str(order_id), "shop_id": str(shop_id), "status": status})
        if status == "AWAITING_SHIPMENT" and cancelling:
            try:
                with session.begin_nested():
                    transition(session, order_id, "CANCELLED", actor="system",
                               reason="The seller did not ship in time",
                               expected=frozenset({"AWAITING_SHIPMENT"}),
                               cancel_reason="The seller did not ship in time",
                               cancelled_by="system")
            except Conflict:
                continue  # shipped meanwhile
    return flagged


def backfill_packages(session: Session, limit: int = 500) -> int:
    """Orders ready to ship without a package (paid before packages existed, or a handler
    that has not run yet) get their first package."""
    missing = session.execute(
        select(Order.id).where(Order.status == "AWAITING_SHIPMENT",
                               ~select(Package.id).where(Package.order_id == Order.id)
                               .exists()).order_by(Order.id).limit(limit)).scalars().all()
    for order_id in missing:
        ensure_packages(session, order_id)
    return len(missing)
