"""Payments and withdrawals: the shop's payouts to its bank (clipcart/finance/payouts.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.catalog.paging import encode_token
from clipcart.finance.models import BankAccount, Payout
from clipcart.openplatform import errors as E
from clipcart.openplatform.errors import OpenError
from clipcart.openplatform.gateway import Call, partner
from clipcart.openplatform.resources.common import amount, page_size, unix
from clipcart.openplatform.resources.finance import SCOPE, ascending, token

PAYMENT_STATUS = {"PROCESSING": "PROCESSING", "PAID": "PAID", "FAILED": "FAILED",
                  "RETURNED": "FAILED"}
WITHDRAWAL_STATUS = {"PROCESSING": "PROCESSING", "PAID": "SUCCESS", "FAILED": "FAILED",
                     "RETURNED": "REVERSED"}
WITHDRAWAL_TYPES = ("WITHDRAW", "SETTLE", "TRANSFER", "REVERSE")


def _payouts(session: Session, call: Call, asc: bool) -> tuple[list[Payout], str]:
    size = page_size(call.int_param("page_size", 20))
    query = select(Payout).where(Payout.shop_id == call.shop_row.id)
    for name, lower in (("create_time_ge", True), ("create_time_lt", False)):
        raw = call.int_param(name, -1)
        if raw != -1:
            moment = datetime.fromtimestamp(raw, UTC)
            query = query.where(Payout.created_at >= moment if lower
                                else Payout.created_at < moment)
    after = token(call)
    if after is not None:
        query = query.where(Payout.id > after if asc else Payout.id < after)
    rows = list(session.execute(query.order_by(Payout.id.asc() if asc else Payout.id.desc())
                                .limit(size + 1)).scalars())
    more, rows = len(rows) > size, rows[:size]
    return rows, encode_token(rows[-1].id) if more else ""


@partner("GET", "finance", "payments", scope=SCOPE, summary="Get payments")
def get_payments(session: Session, call: Call) -> dict[str, Any]:
    shop = call.shop_row
    rows, next_token = _payouts(session, call, ascending(call, "create_time"))
    last4 = session.execute(select(BankAccount.last4).where(BankAccount.shop_id == shop.id)
                            ).scalar_one_or_none()

    def value(row: Payout) -> dict[str, str]:
        return {"value": amount(row.amount_minor, row.currency, shop.market),
                "currency": row.currency}

    return {"payments": [{
        "id": str(row.id), "create_time": unix(row.created_at),
        "status": PAYMENT_STATUS[row.status], "amount": value(row),
        "settlement_amount": value(row), "payment_amount_before_exchange": value(row),
        "exchange_rate": "1", "paid_time": unix(row.updated_at) if row.status == "PAID" else 0,
        "bank_account": f"****{last4}" if last4 else ""} for row in rows],
        "next_page_token": next_token}


@partner("GET", "finance", "withdrawals", scope=SCOPE, summary="Get withdrawals")
def get_withdrawals(session: Session, call: Call) -> dict[str, Any]:
    shop = call.shop_row
    types = call.param_list("types") or ["WITHDRAW"]
    if any(t not in WITHDRAWAL_TYPES for t in types):
        raise OpenError(E.INVALID_PARAMETER, f"types are of {', '.join(WITHDRAWAL_TYPES)}.")
    rows, next_token = _payouts(session, call, False)
    if "WITHDRAW" not in types:
        rows, next_token = [], ""
    return {"withdrawals": [{
        "id": str(row.id), "type": "WITHDRAW", "status": WITHDRAWAL_STATUS[row.status],
        "amount": amount(row.amount_minor, row.currency, shop.market),
        "currency": row.currency, "create_time": unix(row.created_at)} for row in rows],
        "total_count": len(rows), "next_page_token": next_token}


ROUTES = [get_payments, get_withdrawals]
