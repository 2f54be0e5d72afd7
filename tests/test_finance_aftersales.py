"""With the real after-sales flow: a return opened after delivery holds the order's money
in escrow; a partial refund-only approved by the seller is paid from escrow; when the
request closes, the rest settles to the seller, and the order's books close."""

from __future__ import annotations

import pytest

from clipcart.aftersales import service as aftersales
from clipcart.db import transaction
from clipcart.finance import service as finance
from tests.aftersales_support import ask, delivered_order, run_timers
from tests.checkout_support import balance, buyer, invariants, listing
from tests.finance_support import Bought, books, settlement_row
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def test_a_return_holds_settlement_and_its_refund_comes_from_escrow(client, db, frozen_clock):
    item = listing(client, price="10.00", list_price=None, stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 2)])
    order_id = int(order["id"])
    row = settlement_row(db, order_id)
    assert row.due_at is not None and row.order_total_minor == 2000  # free shipping
    # when the buyer asks for a refund of one of the two dresses
    made = ask(client, who, order, "REFUND_ONLY", lines=[(0, 1)])
    assert made.status_code == 201, made.text
    assert settlement_row(db, order_id).open_requests == 1
    frozen_clock.advance(days=8)
    assert finance.settle_due(db) == 0  # held while the request is open
    with transaction() as session:
        aftersales.approve(session, item.seller.shop_id, int(made.json()["id"]),
                           actor=f"seller:{item.seller.user_id}")
    row = settlement_row(db, order_id)
    assert (row.refunded_minor, row.open_requests, row.status) == (1000, 1, "OPEN")
    assert finance.settle_due(db) == 0  # refunded from escrow, the request not closed yet
    assert run_timers()["completed"] == 1
    # then the request closed, and the rest settles
    assert settlement_row(db, order_id).open_requests == 0
    assert finance.settle_due(db) == 1
    # fee: 9% of 2 x 8.33 = 1.4994 -> 1.50; half of it went with the refund
    assert balance(db, f"seller:{item.seller.shop_id}:available") == 1000 - 75
    bought = Bought(order_id, int(order["checkout_id"]), item.seller.shop_id, 2000, "GBP")
    assert books(db, bought) == books(db, bought).__class__(2000, 925, 75, 0, 1000)
    assert invariants(db) == []
