"""Builders for finance tests: delivered orders, refunds paid by the sandbox provider,
after-sales events, and the books of one order read back from the ledger."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from clipcart import events
from clipcart.checkout import refunds
from clipcart.checkout.models import CheckoutRefund
from clipcart.events import drain
from clipcart.finance.models import Settlement
from clipcart.ledger import service as ledger
from clipcart.ledger.accounts import EXTERNAL_PSP, PLATFORM_FEES, PLATFORM_TAX
from clipcart.money import Money
from clipcart.orders import service as orders
from clipcart.orders.models import Order
from tests.checkout_support import Buyer, Listing, buy


@dataclass(frozen=True)
class Bought:
    order_id: int
    checkout_id: int
    shop_id: int
    total: int
    currency: str


def paid_order(client: Any, who: Buyer, item: Listing, quantity: int = 1,
               country: str = "GB") -> Bought:
    answer = buy(client, who, item.sku_ids[0], quantity, country=country)
    assert answer.json()["status"] == "PAID", answer.text
    order_id = int(answer.json()["order_ids"][0])
    from clipcart.db import get_database

    with get_database().sessions() as session:
        order = session.get(Order, order_id)
        assert order is not None
        return Bought(order_id, order.checkout_id, order.shop_id, order.total_minor,
                      order.currency)


def deliver(db: Any, clock: Any, order_id: int) -> None:
    """Past the buyer's free-cancellation window, shipped and delivered, by the system."""
    clock.advance(minutes=61)
    with db.transaction() as session:
        orders.release_holds(session)
    for status in ("IN_TRANSIT", "DELIVERED"):
        with db.transaction() as session:
            orders.transition(session, order_id, status, actor="system")
    drain(db)


def refund(db: Any, bought: Bought, minor: int, key: str | None = None) -> str:
    """Schedule a refund of ``minor`` on the order and let the provider pay it."""
    key = key or f"test-refund:{bought.order_id}:{secrets.token_hex(4)}"
    with db.transaction() as session:
        refunds.schedule(session, checkout_id=bought.checkout_id, order_id=bought.order_id,
                         amount=Money(minor, bought.currency), key=key, reason="test refund")
    with db.sessions() as session:
        refund_id = session.execute(select(CheckoutRefund.id)
                                    .where(CheckoutRefund.key == key)).scalar_one()
    status = refunds.run_one(db, refund_id)
    assert status == "DONE", status
    return key


def aftersales(db: Any, kind: str, bought: Bought, request_id: str, **extra: str) -> None:
    with db.transaction() as session:
        events.emit(session, f"aftersales.{kind}", {
            "request_id": request_id, "order_id": str(bought.order_id),
            "shop_id": str(bought.shop_id), **extra})
    drain(db)


def settlement_row(db: Any, order_id: int) -> Settlement:
    with db.sessions() as session:
        row = session.execute(select(Settlement).where(Settlement.order_id == order_id)
                              ).scalar_one()
        session.expunge(row)
        return row


@dataclass(frozen=True)
class Books:
    paid: int
    seller: int
    fees: int
    tax: int
    refunds: int


def books(db: Any, bought: Bought) -> Books:
    """What one order's money became, read from the ledger (and the refunds paid)."""
    seller = f"seller:{bought.shop_id}:available"
    moved = {seller: 0, PLATFORM_FEES: 0, PLATFORM_TAX: 0, EXTERNAL_PSP: 0}
    with db.sessions() as session:
        for t in ledger.transfers_for(session, f"order:{bought.order_id}"):
            if t.status != "POSTED":
                continue
            for code, sign in ((t.credit, 1), (t.debit, -1)):
                if code in moved:
                    moved[code] += sign * t.amount.minor
        escrow_refunds = 0
        for row in refunds.refunds_of_checkout(session, bought.checkout_id):
            if row.order_id != bought.order_id or row.status != "DONE":
                continue
            op = ledger.find_operation(session, f"{row.key}:ledger")
            assert op is not None
            if op.kind == "checkout.refund":
                escrow_refunds += row.amount_minor
    return Books(bought.total, moved[seller], moved[PLATFORM_FEES], moved[PLATFORM_TAX],
                 escrow_refunds + moved[EXTERNAL_PSP])
