"""Checkout's reactions: payments captured or failed, stock expired, orders cancelled.

Each handler runs in the outbox transaction that records its (event, handler) pair, so its
effects happen once; each is also safe to repeat (status checks under the checkout's lock).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from clipcart import events
from clipcart.checkout import payment, refunds
from clipcart.checkout.models import Checkout
from clipcart.checkout.service import reservation_reference
from clipcart.events import Event
from clipcart.ids import parse_id
from clipcart.inventory import service as inventory
from clipcart.money import Money
from clipcart.orders.models import Order
from clipcart.orders.transitions import PAID_STATUSES


def _id_after(prefix: str, reference: object) -> int | None:
    if not isinstance(reference, str) or not reference.startswith(prefix):
        return None
    return parse_id(reference.removeprefix(prefix))


def _checkout_of(session: Session, event: Event) -> Checkout | None:
    """The event's checkout; None for a payment of another context."""
    checkout_id = _id_after("checkout:", event.payload.get("reference"))
    return None if checkout_id is None else session.get(Checkout, checkout_id)


@events.handles("payments.captured", name="checkout.apply_capture")
def on_captured(session: Session, event: Event) -> None:
    """Apply the capture if the paying request did not (a webhook, a crash), and book its
    money in escrow (the request leaves that to this event: see ``checkout.payment``)."""
    checkout = _checkout_of(session, event)
    if checkout is None:
        return
    if checkout.status != "PAID":  # PAID is final: no lock needed
        payment.apply_capture(session, checkout.id)
    refunds.book_capture(session, checkout.id)


@events.handles("payments.failed", name="checkout.apply_failure")
def on_failed(session: Session, event: Event) -> None:
    checkout = _checkout_of(session, event)
    if checkout is not None:
        payment.apply_failure(session, checkout.id,
                              f"payment failed ({event.payload.get('decline_code') or 'declined'})")


@events.handles("inventory.reservation_expired", name="checkout.cancel_expired")
def on_reservation_expired(session: Session, event: Event) -> None:
    order_id = _id_after("order:", event.payload.get("reference"))
    order = session.get(Order, order_id) if order_id is not None else None
    if order is not None and order.status == "UNPAID":
        payment.close_unpaid(session, order.checkout_id, "EXPIRED",
                             "not paid before the reservation expired")


@events.handles("orders.status_changed", name="checkout.order_cancelled")
def on_order_cancelled(session: Session, event: Event) -> None:
    """A cancelled unpaid order closes its checkout; a cancelled paid order is refunded
    (that order's total, from the checkout's payment) and its units go back on the shelf."""
    if event.payload.get("to") != "CANCELLED":
        return
    order = session.get(Order, parse_id(str(event.payload.get("order_id"))))
    if order is None:
        return
    if event.payload.get("from") == "UNPAID":
        # the checkout's lock first, as capture takes it: checkout, then reservations
        payment.close_unpaid(session, order.checkout_id, "CANCELLED",
                             str(event.payload.get("reason") or "order cancelled"))
        inventory.release_reservation(session, reservation_reference(order.id), "cancelled")
        return
    if event.payload.get("from") not in PAID_STATUSES:
        return
    refunds.schedule(session, checkout_id=order.checkout_id, order_id=order.id,
                     amount=Money(order.total_minor, order.currency),
                     key=f"order:{order.id}:cancel-refund",
                     reason=f"order {order.id} cancelled")
    held = inventory.get_reservation(session, reservation_reference(order.id))
    if held is not None and held.status == "COMMITTED":
        for line in held.lines:
            inventory.adjust_stock(session, shop_id=order.shop_id, sku_id=line.sku_id,
                                   warehouse_id=line.warehouse_id, delta=line.quantity,
                                   actor_user_id=None, reason="return_restock",
                                   note="order cancelled",
                                   reference=reservation_reference(order.id))
