"""Orders: creation from a checkout, status transitions with history, reads for pages.

Every status change is one conditional UPDATE (``WHERE status = :from``), so two
concurrent moves of the same order cannot both win; the loser gets ORDER_STATE_CHANGED.
Side effects in other contexts (refunds, stock, ledger) follow the ``orders.*`` events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.ids import new_id
from clipcart.markets import get_markets
from clipcart.orders.models import ORDER_STATUSES, Order, OrderHistory, OrderLine
from clipcart.orders.transitions import BUYER_CANCELLABLE, SELLER_CANCELLABLE, can_move


@dataclass(frozen=True)
class LineDraft:
    sku_id: int
    product_id: int
    title: str
    seller_sku: str
    sku_attributes: dict[str, str]
    image_key: str | None
    quantity: int
    unit_price_minor: int
    list_price_minor: int | None
    discount_minor: int
    tax_minor: int
    total_minor: int
    source_type: str
    source_id: str | None


@dataclass(frozen=True)
class OrderDraft:
    shop_id: int
    market: str
    currency: str
    subtotal_minor: int
    shipping_minor: int
    tax_minor: int
    tax_mode: str
    total_minor: int
    lines: Sequence[LineDraft]


def create_orders(session: Session, *, checkout_id: int, buyer_user_id: int,
                  shipping_address: str, drafts: Sequence[OrderDraft]) -> list[Order]:
    """UNPAID orders, one per shop, with their lines and a first history row."""
    now = clock.now()
    orders = []
    for draft in drafts:
        order = Order(id=new_id(), checkout_id=checkout_id, buyer_user_id=buyer_user_id,
                      shop_id=draft.shop_id, market=draft.market, currency=draft.currency,
                      status="UNPAID", subtotal_minor=draft.subtotal_minor,
                      shipping_minor=draft.shipping_minor, tax_minor=draft.tax_minor,
                      tax_mode=draft.tax_mode, total_minor=draft.total_minor,
                      shipping_address=shipping_address, created_at=now, updated_at=now)
        session.add(order)
        session.add_all([OrderLine(id=new_id(), order_id=order.id, **vars(line))
                         for line in draft.lines])
        session.add(OrderHistory(id=new_id(), order_id=order.id, from_status=None,
                                 to_status="UNPAID", actor="buyer", reason="", created_at=now))
        orders.append(order)
    session.flush()
    return orders


def transition(session: Session, order_id: int, target: str, *, actor: str, reason: str = "",
               expected: frozenset[str] | None = None, read: Order | None = None,
               **changes: object) -> Order:
    """Move an order to ``target`` if the table allows it from its current status.

    ``read`` is the order as this transaction has just read it, to spare a second read;
    the move is conditional on that status either way, so a stale one only loses."""
    order = read if read is not None and read.id == order_id else \
        session.get(Order, order_id, populate_existing=True)
    if order is None:
        raise NotFound("No such order.")
    current = order.status
    if expected is not None and current not in expected:
        raise Conflict(f"The order is {current}; this is not possible any more.",
                       code="ORDER_STATE_CHANGED")
    if not can_move(current, target):
        raise Conflict(f"An order cannot go from {current} to {target}.",
                       code="INVALID_TRANSITION")
    now = clock.now()
    moved = session.execute(  # RETURNING the row refreshes ``order`` (no read back)
        update(Order).where(Order.id == order_id, Order.status == current)
        .values(status=target, updated_at=now, **changes).returning(Order)
        .execution_options(populate_existing=True, synchronize_session=False)
    ).scalars().first()
    if moved is None:
        raise Conflict("The order changed at the same time; try again.",
                       code="ORDER_STATE_CHANGED")
    session.add(OrderHistory(id=new_id(), order_id=order_id, from_status=current,
                             to_status=target, actor=actor, reason=reason[:1000],
                             created_at=now))
    session.flush()
    events.emit(session, "orders.status_changed",
                {"order_id": str(order_id), "shop_id": str(order.shop_id),
                 "buyer_user_id": str(order.buyer_user_id), "from": current, "to": target,
                 "actor": actor, "reason": reason})
    return order


def on_hold_minutes() -> int:
    return int(get_markets().rule("on_hold_minutes"))


def mark_paid(session: Session, checkout_id: int,
              read: Sequence[Order] | None = None) -> list[Order]:
    """UNPAID -> ON_HOLD for every order of a paid checkout (``read``: those orders as this
    transaction just read them); a repeat is a no-op."""
    now = clock.now()
    hold_until = now + timedelta(minutes=on_hold_minutes())
    moved = []
    for order in orders_of_checkout(session, checkout_id) if read is None else read:
        if order.status == "UNPAID":
            moved.append(transition(session, order.id, "ON_HOLD", actor="system",
                                    reason="payment captured", paid_at=now, read=order,
                                    on_hold_until=hold_until))
    return moved


def release_holds(session: Session, now: datetime | None = None, limit: int = 500) -> int:
    """ON_HOLD orders whose buyer cancellation window passed go to AWAITING_SHIPMENT."""
    now = now or clock.now()
    due = session.execute(
        select(Order.id).where(Order.status == "ON_HOLD", Order.on_hold_until <= now)
        .order_by(Order.id).limit(limit)
    ).scalars().all()
    released = 0
    for order_id in due:
        try:
            with session.begin_nested():
                transition(session, order_id, "AWAITING_SHIPMENT", actor="system",
                           reason="on-hold window ended", expected=frozenset({"ON_HOLD"}))
            released += 1
        except Conflict:
            continue  # cancelled meanwhile
    return released


def cancel_by_buyer(session: Session, order_id: int, buyer_user_id: int, reason: str) -> Order:
    order = buyer_order(session, buyer_user_id, order_id)
    return transition(session, order.id, "CANCELLED", actor="buyer",
                      reason=reason.strip() or "Cancelled by buyer",
                      expected=BUYER_CANCELLABLE, cancel_reason=reason.strip()[:1000],
                      cancelled_by="buyer")


def cancel_by_seller(session: Session, order_id: int, shop_id: int, actor_user_id: int,
                     reason: str) -> Order:
    if not reason.strip():
        raise ValidationFailed("Tell the buyer why the order is cancelled.", field="reason")
    order = shop_order(session, shop_id, order_id)
    return transition(session, order.id, "CANCELLED", actor=f"seller:{actor_user_id}",
                      reason=reason.strip(), expected=SELLER_CANCELLABLE,
                      cancel_reason=reason.strip()[:1000], cancelled_by="seller")


def cancel_unpaid(session: Session, checkout_id: int, reason: str) -> list[Order]:
    """System cancellation of a checkout's unpaid orders (reservation expired, payment failed)."""
    return [transition(session, o.id, "CANCELLED", actor="system", reason=reason,
                       cancel_reason=reason, cancelled_by="system")
            for o in orders_of_checkout(session, checkout_id) if o.status == "UNPAID"]


def orders_of_checkout(session: Session, checkout_id: int) -> list[Order]:
    return list(session.execute(
        select(Order).where(Order.checkout_id == checkout_id).order_by(Order.id)).scalars())


def buyer_order(session: Session, buyer_user_id: int, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None or order.buyer_user_id != buyer_user_id:
        raise NotFound("No such order.")
    return order


def shop_order(session: Session, shop_id: int, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None or order.shop_id != shop_id:
        raise NotFound("No such order.")
    return order


def lines_of(session: Session, order_ids: Sequence[int]) -> dict[int, list[OrderLine]]:
    result: dict[int, list[OrderLine]] = {oid: [] for oid in order_ids}
    if order_ids:
        for line in session.execute(select(OrderLine).where(OrderLine.order_id.in_(
                list(order_ids))).order_by(OrderLine.id)).scalars():
            result[line.order_id].append(line)
    return result


def history_of(session: Session, order_id: int) -> list[OrderHistory]:
    return list(session.execute(select(OrderHistory).where(OrderHistory.order_id == order_id)
                                .order_by(OrderHistory.id)).scalars())


def buyer_orders(session: Session, buyer_user_id: int, *, status: str | None = None,
                 limit: int = 20, before_id: int | None = None) -> list[Order]:
    """A buyer's orders, newest first, by keyset (``before_id``); one query."""
    if status is not None and status not in ORDER_STATUSES:
        raise ValidationFailed(f"status is one of {', '.join(ORDER_STATUSES)}.", field="status")
    query = select(Order).where(Order.buyer_user_id == buyer_user_id)
    if status is not None:
        query = query.where(Order.status == status)
    if before_id is not None:
        query = query.where(Order.id < before_id)
    return list(session.execute(query.order_by(Order.id.desc()).limit(limit)).scalars())
