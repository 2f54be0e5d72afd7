"""Cancellations as TikTok Shop lists them: a paid order cancelled before it shipped.

Orders moves the order to CANCELLED and checkout schedules the refund of the whole order
(key ``order:{id}:cancel-refund``); this module keeps the record a seller tool searches:
who cancelled, why, the refund per line, and its status until the refund is paid.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.aftersales.models import Cancellation, CancellationLine
from clipcart.aftersales.service import _history
from clipcart.aftersales.transitions import CANCEL_COMPLETE, CANCEL_SUCCESS, can_move_cancellation
from clipcart.errors import Conflict
from clipcart.ids import new_id
from clipcart.orders import service as orders
from clipcart.orders.models import Order
from clipcart.orders.transitions import PAID_STATUSES

ROLES = {"buyer": "BUYER", "seller": "SELLER", "system": "SYSTEM", "operator": "OPERATOR"}


def order_refund_key(order_id: int) -> str:
    """The key checkout gives the refund of a cancelled paid order (checkout/events.py)."""
    return f"order:{order_id}:cancel-refund"


def _emit(session: Session, c: Cancellation, from_status: str | None, to_status: str) -> None:
    events.emit(session, "aftersales.status_changed", {
        "request_id": str(c.id), "kind": "cancellation", "order_id": str(c.order_id),
        "shop_id": str(c.shop_id), "from": from_status, "to": to_status})


def for_order(session: Session, order_id: int) -> Cancellation | None:
    return session.execute(select(Cancellation).where(Cancellation.order_id == order_id)
                           ).scalar_one_or_none()


def record(session: Session, order_id: int, from_status: str) -> Cancellation | None:
    """The record of a paid order's cancellation; a repeat returns the first record."""
    order = session.get(Order, order_id)
    if order is None or order.status != "CANCELLED" or from_status not in PAID_STATUSES:
        return None
    existing = for_order(session, order_id)
    if existing is not None:
        return existing
    now = clock.now()
    lines = orders.lines_of(session, [order.id])[order.id]
    tax_added = order.tax_minor if order.tax_mode == "exclusive" else 0
    cancellation = Cancellation(
        id=new_id(), order_id=order.id, checkout_id=order.checkout_id, shop_id=order.shop_id,
        buyer_user_id=order.buyer_user_id, market=order.market, currency=order.currency,
        cancel_type="CANCEL", role=ROLES.get(order.cancelled_by or "system", "SYSTEM"),
        status=CANCEL_SUCCESS, reason=(order.cancel_reason or "")[:1000],
        refund_key=order_refund_key(order.id), refund_total_minor=order.total_minor,
        refund_subtotal_minor=order.total_minor - order.shipping_minor - tax_added,
        refund_shipping_minor=order.shipping_minor, refund_tax_minor=order.tax_minor,
        created_at=now, updated_at=now)
    try:
        with session.begin_nested():
            session.add(cancellation)
            session.flush()
    except IntegrityError:  # recorded by a concurrent delivery of the same event
        return for_order(session, order_id)
    session.add_all([CancellationLine(
        id=new_id(), cancellation_id=cancellation.id, order_line_id=line.id,
        sku_id=line.sku_id, title=line.title, seller_sku=line.seller_sku,
        quantity=line.quantity, refund_total_minor=line.total_minor,
        refund_tax_minor=line.tax_minor) for line in lines])
    _history(session, cancellation.id, None, CANCEL_SUCCESS, "ORDER_CANCELLED",
             (order.cancelled_by or "system"), cancellation.reason, kind="cancellation")
    session.flush()
    _emit(session, cancellation, None, CANCEL_SUCCESS)
    return cancellation


def complete(session: Session, cancellation_id: int) -> Cancellation:
    """The refund was paid: CANCELLATION_REQUEST_SUCCESS -> COMPLETE."""
    c = session.get(Cancellation, cancellation_id, populate_existing=True)
    if c is None or not can_move_cancellation(c.status, CANCEL_COMPLETE):
        raise Conflict("This cancellation is not waiting for its refund.",
                       code="CANCELLATION_STATE_CHANGED")
    moved = session.execute(
        update(Cancellation).where(Cancellation.id == c.id, Cancellation.status == c.status)
        .values(status=CANCEL_COMPLETE, updated_at=clock.now()).returning(Cancellation.id)
        .execution_options(synchronize_session=False)).first()
    if moved is None:
        raise Conflict("The cancellation changed at the same time.",
                       code="CANCELLATION_STATE_CHANGED")
    _history(session, c.id, c.status, CANCEL_COMPLETE, "REFUND_PAID", "system",
             kind="cancellation")
    session.flush()
    session.refresh(c)
    _emit(session, c, CANCEL_SUCCESS, CANCEL_COMPLETE)
    return c
