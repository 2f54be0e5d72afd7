"""The whole life of an order after the sale, as the issue's "done when" tells it: the
seller ships with a platform label, the carrier delivers, the buyer sends one of two items
back, the seller confirms receipt, the refund comes from escrow, and after the settlement
delay the seller is paid the rest less the referral fee; the day's statement shows it and
matches the ledger to the minor unit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clipcart.aftersales import receipts
from clipcart.aftersales import service as aftersales
from clipcart.db import transaction
from clipcart.finance import service as finance
from clipcart.finance import statements
from clipcart.markets import market
from clipcart.orders import packages
from tests.aftersales_support import ask, carrier_moves, fresh, refunds_of, run_timers
from tests.checkout_support import Buyer, balance, invariants, stock
from tests.finance_support import Bought, books, settlement_row
from tests.fulfillment_support import carrier_step, order_status, package_ids, ready_order
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def _minor(money: dict[str, str]) -> int:
    whole, _, cents = money["amount"].partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int(cents or 0))


def test_ship_deliver_return_one_item_settle_the_rest_and_state_it(client, db, frozen_clock):
    ready = ready_order(client, frozen_clock, quantity=2)
    seller, sku = ready.item.seller, ready.item.sku_ids[0]
    # the seller ships with a platform label; the carrier collects and delivers
    [package_id] = package_ids(db, ready.order_id)
    with transaction() as session:
        packages.buy_label(session, shop_id=ready.shop_id, package_id=package_id,
                           actor=ready.actor)
    carrier_step(db, frozen_clock, 4)
    assert order_status(db, ready.order_id) == "DELIVERED"
    order = client.get(f"/api/v1/orders/{ready.order_id}", headers=ready.who.headers).json()
    total = _minor(order["amounts"]["total"])
    unit_price = _minor(order["lines"][0]["unit_price"])
    # the buyer returns one of the two items
    made = ask(client, ready.who, order, "RETURN_AND_REFUND", lines=[(0, 1)],
               reason="size_fit")
    assert made.status_code == 201, made.text
    return_id = int(made.json()["id"])
    with transaction() as session:
        aftersales.approve(session, ready.shop_id, return_id, actor=ready.actor)
    shipped = client.post(f"/api/v1/returns/{return_id}/shipment", headers=ready.who.headers,
                          json={})
    assert shipped.json()["status"] == "BUYER_SHIPPED_ITEM", shipped.text
    carrier_moves(db, frozen_clock)
    with transaction() as session:
        receipts.confirm_receipt(session, ready.shop_id, return_id, actor=ready.actor,
                                 actor_user_id=seller.user_id, restock=True)
    [(_, refunded, status)] = refunds_of(db, str(ready.order_id))
    assert (refunded, status) == (unit_price, "DONE")
    assert stock(db, sku) == (9, 0)
    run_timers()
    buyer = fresh(client, ready.who)
    done = client.get(f"/api/v1/returns/{return_id}", headers=buyer.headers).json()
    assert done["status"] == "RETURN_OR_REFUND_REQUEST_COMPLETE"
    # nothing is paid before the settlement delay; then the rest, less the fee
    delay = timedelta(days=int(market(seller.market).settlement_days))
    frozen_clock.advance(days=delay.days - 1)
    assert finance.settle_due(db) == 0
    frozen_clock.advance(days=1, minutes=1)
    assert finance.settle_due(db) == 1
    row = settlement_row(db, ready.order_id)
    fee, tax = row.settled_fee_minor or 0, row.settled_tax_minor or 0
    seller_net = total - refunded - fee - tax
    assert fee > 0 and row.settled_net_minor == seller_net and row.refunded_minor == refunded
    assert balance(db, f"seller:{ready.shop_id}:available") == seller_net
    closed = books(db, Bought(ready.order_id, int(order["checkout_id"]), ready.shop_id, total,
                              "GBP"))
    assert closed.paid == closed.seller + closed.fees + closed.tax + closed.refunds
    assert (closed.seller, closed.fees, closed.refunds) == (seller_net, fee, refunded)
    # the day's statement shows the settlement and equals the ledger
    with transaction() as session:
        statements.close_days(session, frozen_clock.current + timedelta(days=1))
    owner = fresh(client, Buyer(seller.user_id, seller.token, seller.email))
    base = f"/api/v1/seller/shops/{ready.shop_id}/finance/statements"
    [listed] = client.get(base, headers=owner.headers).json()["statements"]
    day = client.get(f"{base}/{listed['id']}", headers=owner.headers).json()
    [line] = day["transactions"]
    assert (line["type"], line["order_id"]) == ("ORDER", str(ready.order_id))
    assert [_minor(line[k]) for k in ("revenue_amount", "fee_amount", "settlement_amount")] \
        == [total - refunded, -fee, seller_net]
    assert (_minor(listed["closing_balance"]), listed["transaction_count"]) == (seller_net, 1)
    assert balance(db, "escrow") == 0 and invariants(db) == []
