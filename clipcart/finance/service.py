"""Finance's operations: the only way its state changes (other contexts call these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.db import Database
from clipcart.finance import payouts, settlement, statements
from clipcart.finance.models import OrderRefund, Settlement, SettlementLine
from clipcart.ledger import service as ledger
from clipcart.ledger.accounts import seller_available
from clipcart.money import Money
from clipcart.shops.models import Shop

__all__ = ["Balances", "OrderMoney", "balances", "book_refund", "order_breakdown", "payouts",
           "settle_due", "settlement", "statements"]


def book_refund(session: Session, *, key: str, order_id: int, checkout_id: int,
                amount: Money, memo: str) -> OrderRefund:
    """Book a refund the provider has paid (called by checkout's refund runner)."""
    return settlement.book_refund(session, key=key, order_id=order_id,
                                  checkout_id=checkout_id, amount=amount, memo=memo)


def settle_due(db: Database, now: datetime | None = None, limit: int = 500) -> int:
    """Settle every due, unblocked order, each in its own transaction; how many."""
    with db.sessions() as session:
        order_ids = settlement.due_ids(session, now or clock.now(), limit)
    settled = 0
    for order_id in order_ids:
        with db.transaction() as session:
            settled += settlement.settle_order(session, order_id)
    return settled


@dataclass(frozen=True)
class Balances:
    pending: Money  # in escrow for the shop's unsettled orders
    available: Money  # seller:{shop}:available less held payouts
    balance: Money  # posted


def balances(session: Session, shop: Shop) -> Balances:
    s = Settlement
    pending = session.execute(
        select(func.coalesce(func.sum(s.order_total_minor - s.refunded_minor), 0))
        .where(s.shop_id == shop.id, s.status == "OPEN")).scalar_one()
    code = seller_available(shop.id)
    return Balances(Money(int(pending), shop.currency),
                    ledger.available(session, code, shop.currency),
                    ledger.balance(session, code, shop.currency))


@dataclass(frozen=True)
class OrderMoney:
    row: Settlement
    lines: list[SettlementLine]
    refunds: list[OrderRefund]


def order_breakdown(session: Session, shop_id: int, before: int | None = None,
                    limit: int = 20) -> list[OrderMoney]:
    """The shop's orders as finance sees them, newest first, in three queries."""
    query = select(Settlement).where(Settlement.shop_id == shop_id).order_by(
        Settlement.id.desc()).limit(limit)
    if before is not None:
        query = query.where(Settlement.id < before)
    rows = list(session.execute(query).scalars())
    ids = [r.id for r in rows]
    lines: dict[int, list[SettlementLine]] = {i: [] for i in ids}
    refunds: dict[int, list[OrderRefund]] = {r.order_id: [] for r in rows}
    if ids:
        for line in session.execute(select(SettlementLine).where(
                SettlementLine.settlement_id.in_(ids)).order_by(SettlementLine.id)).scalars():
            lines[line.settlement_id].append(line)
        for refund in session.execute(select(OrderRefund).where(
                OrderRefund.order_id.in_(list(refunds))).order_by(OrderRefund.id)).scalars():
            refunds[refund.order_id].append(refund)
    return [OrderMoney(r, lines[r.id], refunds[r.order_id]) for r in rows]
