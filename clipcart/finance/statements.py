"""Daily statements: what moved a shop's available balance, day by day, from the ledger.

A statement covers one calendar day in the shop's market time zone and lists every ledger
operation with a POSTED transfer on ``seller:{shop}:available`` that day (by posting time).
Each transaction carries the fields of the TikTok Shop Partner API finance resources:
``settlement_amount`` is the movement of the seller's balance; ``fee_amount`` and
``tax_amount`` are the referral fee and tax the same operation moved to (negative) or from
(positive) the platform; ``revenue_amount`` is the rest, so that
revenue + fee + tax + adjustment == settlement for every transaction, and the statement's
settlement_amount equals closing minus opening balance, to the minor unit.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.db import upsert
from clipcart.finance.models import Statement
from clipcart.ids import new_id
from clipcart.ledger.accounts import (
    EXTERNAL_BANK,
    PLATFORM_FEES,
    PLATFORM_TAX,
    seller_available,
)
from clipcart.ledger.models import LedgerAccount, LedgerOperation, LedgerTransfer
from clipcart.ledger.views import Operation, load_operations
from clipcart.markets import market
from clipcart.money import exponent
from clipcart.shops.models import Shop

TYPES = {"finance.settlement": "ORDER", "finance.clawback": "REFUND",
         "finance.payout": "PAYOUT", "finance.payout_return": "PAYOUT_RETURN"}


@dataclass(frozen=True)
class Transaction:
    operation_id: int
    type: str  # ORDER, REFUND, PAYOUT, PAYOUT_RETURN, ADJUSTMENT
    reference: str
    order_id: int | None
    posted_at: datetime
    revenue_minor: int
    fee_minor: int
    tax_minor: int
    adjustment_minor: int
    settlement_minor: int


@dataclass(frozen=True)
class DayStatement:
    shop_id: int
    statement_date: date
    currency: str
    opening_minor: int
    closing_minor: int
    transactions: list[Transaction]

    def total(self, name: str, types: tuple[str, ...] | None = None) -> int:
        return sum(getattr(t, name) for t in self.transactions
                   if types is None or t.type in types)


def day_bounds(code: str, day: date) -> tuple[datetime, datetime]:
    zone = market(code).zone
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def local_date(code: str, moment: datetime) -> date:
    return moment.astimezone(market(code).zone).date()


def _account_id(session: Session, shop: Shop) -> int | None:
    return session.execute(select(LedgerAccount.id).where(
        LedgerAccount.code == seller_available(shop.id),
        LedgerAccount.currency == shop.currency)).scalar_one_or_none()


def _balance_before(session: Session, account_id: int, moment: datetime) -> int:
    t = LedgerTransfer
    posted = (t.status == "POSTED", t.posted_at < moment)
    credits = session.execute(select(func.coalesce(func.sum(t.amount), 0)).where(
        t.credit_account_id == account_id, *posted)).scalar_one()
    debits = session.execute(select(func.coalesce(func.sum(t.amount), 0)).where(
        t.debit_account_id == account_id, *posted)).scalar_one()
    return int(credits) - int(debits)


def _transaction(op: Operation, account: str, posted_at: datetime) -> Transaction:
    def moved(code: str) -> int:
        return sum((t.amount.minor if t.credit == code else -t.amount.minor)
                   for t in op.transfers if t.status == "POSTED" and code in (t.credit, t.debit))
    kind = TYPES.get(op.kind, "ADJUSTMENT")
    settlement = moved(account)
    order_id = (int(op.reference.removeprefix("order:"))
                if op.reference.startswith("order:") else None)
    if kind in ("ORDER", "REFUND"):
        fee, tax = -moved(PLATFORM_FEES), -moved(PLATFORM_TAX)
        return Transaction(op.id, kind, op.reference, order_id, posted_at,
                           settlement - fee - tax, fee, tax, 0, settlement)
    return Transaction(op.id, kind, op.reference, order_id, posted_at, 0, 0, 0, settlement,
                       settlement)


def build_day(session: Session, shop: Shop, day: date) -> DayStatement:
    """A day's statement, computed from the ledger (three queries and the operations)."""
    start, end = day_bounds(shop.market, day)
    account_id = _account_id(session, shop)
    if account_id is None:
        return DayStatement(shop.id, day, shop.currency, 0, 0, [])
    t = LedgerTransfer
    rows = session.execute(
        select(t.operation_id, func.min(t.posted_at))
        .where(or_(t.credit_account_id == account_id, t.debit_account_id == account_id),
               t.status == "POSTED", t.posted_at >= start, t.posted_at < end)
        .group_by(t.operation_id)).all()
    posted: dict[int, datetime] = {r[0]: r[1] for r in rows if r[1] is not None}
    ops = load_operations(session, LedgerOperation.id.in_(list(posted))) if posted else []
    code = seller_available(shop.id)
    transactions = sorted((_transaction(op, code, posted[op.id]) for op in ops),
                          key=lambda tx: (tx.posted_at, tx.operation_id))
    opening = _balance_before(session, account_id, start)
    closing = opening + sum(tx.settlement_minor for tx in transactions)
    return DayStatement(shop.id, day, shop.currency, opening, closing, transactions)


def _store(session: Session, day: DayStatement) -> None:

    refunds = ("REFUND",)
    payouts = ("PAYOUT", "PAYOUT_RETURN")
    row = {
        "id": new_id(), "shop_id": day.shop_id, "statement_date": day.statement_date,
        "currency": day.currency, "opening_minor": day.opening_minor,
        "revenue_minor": day.total("revenue_minor", ("ORDER",)),
        "fee_minor": day.total("fee_minor"), "tax_minor": day.total("tax_minor"),
        "refund_minor": day.total("revenue_minor", refunds),
        "adjustment_minor": day.total("adjustment_minor", ("ADJUSTMENT",)),
        "payout_minor": day.total("settlement_minor", payouts),
        "settlement_minor": day.total("settlement_minor"), "closing_minor": day.closing_minor,
        "transaction_count": len(day.transactions), "created_at": clock.now()}
    session.execute(upsert(session, Statement).values(row).on_conflict_do_nothing(
        index_elements=["shop_id", "statement_date"]))


def close_days(session: Session, now: datetime | None = None, limit: int = 2000) -> int:
    """Store statements for every closed local day with activity not yet stated; how many."""
    moment = now or clock.now()
    t, a = LedgerTransfer, LedgerAccount
    made = 0
    last = dict(session.execute(select(Statement.shop_id, func.max(Statement.statement_date))
                                .group_by(Statement.shop_id)).all())
    accounts = session.execute(select(a.id, a.code).where(a.code.like("seller:%:available"))
                               .order_by(a.id)).all()
    for account_id, code in accounts:
        shop = session.get(Shop, int(code.split(":")[1]))
        if shop is None:
            continue
        today = local_date(shop.market, moment)
        since = day_bounds(shop.market, last[shop.id])[1] if shop.id in last else None
        query = select(t.posted_at).where(
            or_(t.credit_account_id == account_id, t.debit_account_id == account_id),
            t.status == "POSTED", t.posted_at < day_bounds(shop.market, today)[0])
        if since is not None:
            query = query.where(t.posted_at >= since)
        days = sorted({local_date(shop.market, p) for p in
                       session.execute(query.order_by(t.posted_at).limit(limit)).scalars()
                       if p is not None})
        for day in days:
            _store(session, build_day(session, shop, day))
            made += 1
    return made


def statements_of(session: Session, shop_id: int, before: date | None = None,
                  limit: int = 30) -> list[Statement]:
    query = (select(Statement).where(Statement.shop_id == shop_id)
             .order_by(Statement.statement_date.desc()).limit(limit))
    if before is not None:
        query = query.where(Statement.statement_date < before)
    return list(session.execute(query).scalars())


def payment_statuses(session: Session, shop: Shop, rows: list[Statement]) -> dict[int, str]:
    """Whether each statement's closing balance has since left for the bank: PAID when the
    payouts posted after its day (less returned ones) cover it, NOT_PAID when not yet, and
    NOTHING_TO_PAY when it closed at zero or below (a claw-back the seller still owes)."""
    account_id = _account_id(session, shop)
    if not rows or account_id is None:
        return {r.id: "NOTHING_TO_PAY" if r.closing_minor <= 0 else "NOT_PAID" for r in rows}
    bank = session.execute(select(LedgerAccount.id).where(
        LedgerAccount.code == EXTERNAL_BANK, LedgerAccount.currency == shop.currency)
    ).scalar_one_or_none()
    earliest = min(day_bounds(shop.market, r.statement_date)[1] for r in rows)
    t = LedgerTransfer
    moves = [] if bank is None else session.execute(
        select(t.posted_at, t.amount, t.debit_account_id).where(
            t.status == "POSTED", t.posted_at >= earliest,
            or_((t.debit_account_id == account_id) & (t.credit_account_id == bank),
                (t.debit_account_id == bank) & (t.credit_account_id == account_id)))).all()
    found = {}
    for row in rows:
        end = day_bounds(shop.market, row.statement_date)[1]
        paid = sum((m.amount if m.debit_account_id == account_id else -m.amount)
                   for m in moves if m.posted_at is not None and m.posted_at >= end)
        found[row.id] = ("NOTHING_TO_PAY" if row.closing_minor <= 0
                         else "PAID" if paid >= row.closing_minor else "NOT_PAID")
    return found


def get_statement(session: Session, shop_id: int, statement_id: int) -> Statement | None:
    found = session.get(Statement, statement_id)
    return found if found is not None and found.shop_id == shop_id else None


CSV_FIELDS = ("statement_id", "statement_date", "transaction_id", "type", "order_id",
              "reference", "posted_time", "currency", "revenue_amount", "fee_amount",
              "tax_amount", "adjustment_amount", "settlement_amount")


def to_csv(statement_id: int, day: DayStatement) -> str:
    """The statement's transactions as CSV, amounts in minor units' major decimal form."""
    digits = exponent(day.currency)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)

    def money(minor: int) -> str:
        return _decimal(minor, digits)
    for tx in day.transactions:
        writer.writerow([statement_id, day.statement_date.isoformat(), tx.operation_id,
                         tx.type, tx.order_id or "", tx.reference,
                         tx.posted_at.isoformat(), day.currency, money(tx.revenue_minor),
                         money(tx.fee_minor), money(tx.tax_minor),
                         money(tx.adjustment_minor), money(tx.settlement_minor)])
    totals: dict[str, int] = defaultdict(int)
    for tx in day.transactions:
        for name in ("revenue_minor", "fee_minor", "tax_minor", "adjustment_minor",
                     "settlement_minor"):
            totals[name] += getattr(tx, name)
    writer.writerow([statement_id, day.statement_date.isoformat(), "", "TOTAL", "", "", "",
                     day.currency, money(totals["revenue_minor"]), money(totals["fee_minor"]),
                     money(totals["tax_minor"]), money(totals["adjustment_minor"]),
                     money(totals["settlement_minor"])])
    return out.getvalue()


def _decimal(minor: int, digits: int) -> str:
    if digits == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10 ** digits)
    return f"{sign}{whole}.{frac:0{digits}d}"
