"""JSON shapes of finance resources, close to the TikTok Shop Partner API finance
resources (statements, statement transactions, payments/withdrawals), so a seller-API
adapter maps them one to one. Amounts are ``{amount, currency}`` strings, IDs strings."""

from __future__ import annotations

from typing import Any

from clipcart.finance.models import Payout, Statement
from clipcart.finance.statements import DayStatement, Transaction
from clipcart.money import Money


def at(value: Any) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def money(minor: int, currency: str) -> dict[str, str]:
    return Money(minor, currency).as_json()


def statement_json(row: Statement, payment_status: str) -> dict[str, Any]:
    cur = row.currency
    return {
        "id": str(row.id), "statement_date": row.statement_date.isoformat(),
        "currency": cur, "revenue_amount": money(row.revenue_minor, cur),
        "fee_amount": money(row.fee_minor, cur), "tax_amount": money(row.tax_minor, cur),
        "refund_amount": money(row.refund_minor, cur),
        "adjustment_amount": money(row.adjustment_minor, cur),
        "payout_amount": money(row.payout_minor, cur),
        "settlement_amount": money(row.settlement_minor, cur),
        "opening_balance": money(row.opening_minor, cur),
        "closing_balance": money(row.closing_minor, cur),
        "transaction_count": row.transaction_count,
        "payment_status": payment_status,
    }


def transaction_json(tx: Transaction, currency: str) -> dict[str, Any]:
    return {
        "id": str(tx.operation_id), "type": tx.type,
        "order_id": str(tx.order_id) if tx.order_id else None, "reference": tx.reference,
        "posted_time": at(tx.posted_at),
        "revenue_amount": money(tx.revenue_minor, currency),
        "fee_amount": money(tx.fee_minor, currency), "tax_amount": money(tx.tax_minor, currency),
        "adjustment_amount": money(tx.adjustment_minor, currency),
        "settlement_amount": money(tx.settlement_minor, currency),
    }


def day_json(row: Statement, payment_status: str, day: DayStatement) -> dict[str, Any]:
    return {**statement_json(row, payment_status),
            "transactions": [transaction_json(tx, day.currency) for tx in day.transactions]}


def payout_json(row: Payout) -> dict[str, Any]:
    return {"id": str(row.id), "status": row.status, "trigger": row.trigger,
            "amount": money(row.amount_minor, row.currency),
            "rail_reference": row.rail_reference, "failure_reason": row.failure_reason,
            "create_time": at(row.created_at), "update_time": at(row.updated_at)}
