"""Settlement: an order's money moves from escrow to the seller once it is due.

Every order finance has seen has one ``finance_settlements`` row, created the first time it
matters (delivery, a refund, an after-sales request) with its fees computed once. The row is
the order's lock: settling, refunding and (un)blocking all start with a conditional UPDATE
of it, so on PostgreSQL they queue on the row lock and each sees what the previous one wrote
(SQLite serialises writers already). That is why a refund and the settlement of the same
order never both take the same money.

Ledger operations use the reference ``order:{id}``:
* ``finance.settlement``: escrow -> seller:{shop}:available (net), -> platform:fees (referral
  fee left after refunds), -> platform:tax (tax the platform collects, left after refunds).
* ``finance.clawback``: a refund after settlement, paid to external:psp by the seller's
  available balance (which may go negative), platform:fees and platform:tax.
A refund before settlement stays escrow -> external:psp (checkout's own reference).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.db import upsert
from clipcart.errors import NotFound
from clipcart.finance import fees
from clipcart.finance.models import OrderRefund, Settlement, SettlementBlock, SettlementLine
from clipcart.ids import new_id
from clipcart.ledger import service as ledger
from clipcart.ledger.accounts import (
    ESCROW,
    EXTERNAL_PSP,
    PLATFORM_FEES,
    PLATFORM_TAX,
    seller_available,
)
from clipcart.markets import market
from clipcart.money import Money
from clipcart.orders import service as orders
from clipcart.orders.models import Order

S = Settlement


def order_reference(order_id: int) -> str:
    return f"order:{order_id}"


def _insert_ignoring(session: Session, table: Any, row: dict[str, Any], unique: str) -> bool:
    """INSERT unless the unique column clashes; True when this call inserted."""
    result = session.execute(upsert(session, table).values(row).on_conflict_do_nothing(
        index_elements=[unique]).returning(table.c[unique]))
    return result.first() is not None


def _new_row(session: Session, order: Order) -> None:
    m = market(order.market)
    now = clock.now()
    settlement_id = new_id()
    lines = orders.lines_of(session, [order.id])[order.id]
    fee_rows = []
    for line in lines:
        paid = line.unit_price_minor * line.quantity
        base = paid - line.tax_minor if order.tax_mode == "inclusive" else paid
        rate, path = fees.category_rate(session, line.product_id, m.code)
        fee_rows.append({"id": new_id(), "settlement_id": settlement_id,
                         "order_line_id": line.id, "title": line.title[:255],
                         "category_path": path, "base_minor": max(base, 0),
                         "fee_rate": format(Decimal(rate).normalize(), "f"),
                         "fee_minor": fees.line_fee(max(base, 0), rate)})
    tax = order.tax_minor if fees.platform_collects_tax(m) else 0
    inserted = _insert_ignoring(session, S.__table__, {
        "id": settlement_id, "order_id": order.id, "shop_id": order.shop_id,
        "market": m.code, "currency": order.currency, "status": "OPEN",
        "order_total_minor": order.total_minor, "tax_minor": tax,
        "fee_base_minor": sum(r["base_minor"] for r in fee_rows),
        "referral_fee_minor": sum(r["fee_minor"] for r in fee_rows),
        "refunded_minor": 0, "fee_refunded_minor": 0, "tax_refunded_minor": 0,
        "admin_fee_minor": 0, "clawed_back_minor": 0, "open_requests": 0,
        "created_at": now, "updated_at": now}, "order_id")
    if inserted and fee_rows:
        session.execute(insert(SettlementLine), fee_rows)


def lock_row(session: Session, order_id: int, **changes: Any) -> Settlement:
    """Create the order's row if missing, then take its lock with an UPDATE (applying
    ``changes``); the row as it is now, after any concurrent writer committed."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"Order {order_id} does not exist.")
    if session.execute(select(S.id).where(S.order_id == order_id)).first() is None:
        _new_row(session, order)
    session.execute(update(S).where(S.order_id == order_id)
                    .values(updated_at=clock.now(), **changes)
                    .execution_options(synchronize_session=False))
    row = session.execute(select(S).where(S.order_id == order_id)
                          .execution_options(populate_existing=True)).scalar_one()
    return row


def record_delivery(session: Session, order_id: int, delivered_at: datetime) -> Settlement:
    """The order was delivered: it becomes due ``settlement_days`` later (once). The
    order's own delivery time (the carrier's scan) wins over ``delivered_at`` (the event's)."""
    row = lock_row(session, order_id)
    if row.delivered_at is None:
        order = session.get(Order, order_id)
        delivered_at = getattr(order, "delivered_at", None) or delivered_at
        due = delivered_at + timedelta(days=market(row.market).settlement_days)
        session.execute(update(S).where(S.id == row.id, S.delivered_at.is_(None))
                        .values(delivered_at=delivered_at, due_at=due)
                        .execution_options(synchronize_session=False))
        session.refresh(row)
    return row


def open_request(session: Session, *, request_id: str, order_id: int, kind: str) -> bool:
    """An after-sales request opened: the order does not settle until it closes.
    Idempotent per request id; a request seen closed first stays closed."""
    lock_row(session, order_id)
    inserted = _insert_ignoring(session, SettlementBlock.__table__, {
        "request_id": request_id, "order_id": order_id, "kind": kind[:40],
        "opened_at": clock.now()}, "request_id")
    if inserted:
        session.execute(update(S).where(S.order_id == order_id)
                        .values(open_requests=S.open_requests + 1)
                        .execution_options(synchronize_session=False))
    return inserted


def close_request(session: Session, *, request_id: str, order_id: int, outcome: str) -> bool:
    lock_row(session, order_id)
    now = clock.now()
    closed = session.execute(
        update(SettlementBlock).where(SettlementBlock.request_id == request_id,
                                      SettlementBlock.closed_at.is_(None))
        .values(closed_at=now, outcome=outcome[:40]).returning(SettlementBlock.order_id)
        .execution_options(synchronize_session=False)).first()
    if closed is not None:
        session.execute(update(S).where(S.order_id == closed.order_id, S.open_requests > 0)
                        .values(open_requests=S.open_requests - 1)
                        .execution_options(synchronize_session=False))
        return True
    _insert_ignoring(session, SettlementBlock.__table__, {  # closed before seen open
        "request_id": request_id, "order_id": order_id, "kind": "", "outcome": outcome[:40],
        "opened_at": now, "closed_at": now}, "request_id")
    return False


def due_ids(session: Session, now: datetime | None = None, limit: int = 500) -> list[int]:
    moment = now or clock.now()
    return list(session.execute(
        select(S.order_id).where(S.status == "OPEN", S.due_at <= moment,
                                 S.open_requests == 0)
        .order_by(S.due_at, S.id).limit(limit)).scalars())


def _claim(session: Session, order_id: int, now: datetime) -> Any:
    """Mark the order's row SETTLED if it is OPEN, due and unblocked, in one conditional
    UPDATE; the row's amounts, or None when another worker or an open request got there."""
    return session.execute(
        update(S).where(S.order_id == order_id, S.status == "OPEN", S.due_at <= now,
                        S.open_requests == 0)
        .values(status="SETTLED", settled_at=now, updated_at=now)
        .returning(S.id, S.shop_id, S.currency, S.order_total_minor, S.refunded_minor,
                   S.referral_fee_minor, S.fee_refunded_minor, S.tax_minor,
                   S.tax_refunded_minor)
        .execution_options(synchronize_session=False)).first()


def settle_order(session: Session, order_id: int) -> bool:
    """Settle one due order: one conditional UPDATE claims it (OPEN, due, unblocked), then
    one ledger operation moves what escrow still holds for it. False if not settleable."""
    claimed = _claim(session, order_id, clock.now())
    if claimed is None:
        return False
    escrow = max(claimed.order_total_minor - claimed.refunded_minor, 0)
    tax = min(claimed.tax_minor - claimed.tax_refunded_minor, escrow)
    fee = min(claimed.referral_fee_minor - claimed.fee_refunded_minor, escrow - tax)
    net = escrow - fee - tax
    session.execute(update(S).where(S.id == claimed.id)
                    .values(settled_net_minor=net, settled_fee_minor=fee, settled_tax_minor=tax)
                    .execution_options(synchronize_session=False))
    cur = claimed.currency
    transfers = [ledger.TransferSpec(ESCROW, account, Money(amount, cur), memo=memo)
                 for account, amount, memo in (
                     (seller_available(claimed.shop_id), net, "order revenue"),
                     (PLATFORM_FEES, fee, "referral fee"),
                     (PLATFORM_TAX, tax, "tax collected by the platform")) if amount > 0]
    if transfers:
        ledger.post(session, key=f"finance:order:{order_id}:settlement",
                    kind="finance.settlement", reference=order_reference(order_id),
                    transfers=transfers)
    return True


def book_refund(session: Session, *, key: str, order_id: int, checkout_id: int,
                amount: Money, memo: str) -> OrderRefund:
    """Book a refund the provider paid, once per key, serialised with settlement on the
    order's row: from escrow while unsettled, clawed back after settlement."""
    done = session.execute(select(OrderRefund).where(OrderRefund.key == key)).scalar_one_or_none()
    if done is not None:
        return done
    row = lock_row(session, order_id)
    done = session.execute(select(OrderRefund).where(OrderRefund.key == key)
                           .execution_options(populate_existing=True)).scalar_one_or_none()
    if done is not None:  # a concurrent twin booked it while we waited for the row
        return done
    fee_share, tax_share = fees.refund_shares(
        fee_total=row.referral_fee_minor, tax_total=row.tax_minor,
        order_total=row.order_total_minor, refunded_before=row.refunded_minor,
        amount=amount.minor)
    ledger_key = f"{key}:ledger"
    if row.status == "OPEN":
        op = ledger.post(session, key=ledger_key, kind="checkout.refund",
                         reference=f"checkout:{checkout_id}",
                         transfers=[ledger.TransferSpec(ESCROW, EXTERNAL_PSP, amount,
                                                        memo=memo[:200])])
        seller, kept = 0, 0
    else:
        split = fees.split_clawback(row.market, amount.minor, fee_share, tax_share)
        fee_share, tax_share, seller, kept = split.fee_share, split.tax, split.seller, \
            split.admin_fee
        cur = amount.currency
        transfers = [ledger.TransferSpec(account, EXTERNAL_PSP, Money(part, cur), memo=text)
                     for account, part, text in (
                         (seller_available(row.shop_id), split.seller, "refund claw-back"),
                         (PLATFORM_FEES, split.fee, "referral fee returned"),
                         (PLATFORM_TAX, split.tax, "tax returned")) if part > 0]
        op = ledger.post(session, key=ledger_key, kind="finance.clawback",
                         reference=order_reference(order_id), transfers=transfers)
    session.execute(update(S).where(S.id == row.id).values(
        refunded_minor=S.refunded_minor + amount.minor,
        fee_refunded_minor=S.fee_refunded_minor + fee_share,
        tax_refunded_minor=S.tax_refunded_minor + tax_share,
        admin_fee_minor=S.admin_fee_minor + kept,
        clawed_back_minor=S.clawed_back_minor + seller)
        .execution_options(synchronize_session=False))
    refund = OrderRefund(id=new_id(), key=key, order_id=order_id, shop_id=row.shop_id,
                         currency=amount.currency, amount_minor=amount.minor,
                         after_settlement=row.status == "SETTLED", seller_minor=seller,
                         fee_minor=fee_share, tax_minor=tax_share, admin_fee_minor=kept,
                         ledger_operation_id=op.id, created_at=clock.now())
    session.add(refund)
    session.flush()
    return refund
