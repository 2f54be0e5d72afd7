"""Checkout over the buyer API: pricing once, reservation per order, payment outcomes."""

from __future__ import annotations

import pytest

from clipcart.events import drain
from tests.checkout_support import (
    ADDRESSES,
    add,
    balance,
    buy,
    buyer,
    check_out,
    invariants,
    listing,
    pay,
    stock,
)
from tests.payments_helpers import DECLINED, NO_FUNDS, outbox, psp, tokenize  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def test_a_checkout_prices_each_shop_once_and_holds_its_stock(client, db):
    # given a GB buyer with 2 units of a 9.99 dress (list 12.99) in the cart
    item = listing(client, price="9.99", list_price="12.99", stock=5)
    who = buyer(client)
    assert add(client, who, item.sku_ids[0], 2,
               {"type": "video", "id": "v123"}).status_code == 200
    # when they check out
    made = check_out(client, who)
    # then one UNPAID order carries the prices, 20% VAT inside them and 2.99 shipping
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["status"] == "OPEN"
    [order] = body["orders"]
    assert order["shop_id"] == str(item.seller.shop_id) and order["status"] == "UNPAID"
    assert order["subtotal"] == {"amount": "19.98", "currency": "GBP"}
    assert order["shipping"] == {"amount": "2.99", "currency": "GBP"}
    assert order["tax"] == {"amount": "3.33", "currency": "GBP"}
    assert order["total"] == {"amount": "22.97", "currency": "GBP"}
    [line] = order["lines"]
    assert line["discount"] == {"amount": "6.00", "currency": "GBP"}
    assert line["source"] == {"type": "video", "id": "v123"}
    assert body["total"] == {"amount": "22.97", "currency": "GBP"}
    assert stock(db, item.sku_ids[0]) == (5, 2)


def test_us_sales_tax_is_added_by_the_ship_to_state(client, db):
    item = listing(client, market="US", price="10.00", list_price=None, stock=3)
    who = buyer(client, "US")
    add(client, who, item.sku_ids[0], 1)
    body = check_out(client, who, country="US").json()
    [order] = body["orders"]
    assert order["tax"] == {"amount": "0.72", "currency": "USD"}  # CA 7.25%, half-even
    assert order["total"] == {"amount": "15.71", "currency": "USD"}  # + 4.99 shipping


def test_paying_sells_the_stock_marks_orders_paid_and_books_escrow(client, db):
    item = listing(client, price="9.99", stock=5)
    who = buyer(client)
    answer = buy(client, who, item.sku_ids[0], 2)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "PAID" and len(body["order_ids"]) == 1
    order = client.get(f"/api/v1/orders/{body['order_ids'][0]}", headers=who.headers).json()
    assert order["status"] == "ON_HOLD"
    assert [t["status"] for t in order["timeline"]] == ["UNPAID", "ON_HOLD"]
    assert stock(db, item.sku_ids[0]) == (3, 0)
    assert balance(db, "escrow") == 2297
    assert invariants(db) == []
    assert client.get("/api/v1/cart", headers=who.headers).json()["lines"] == []


def test_retrying_a_payment_with_the_same_key_never_charges_twice(client, db):
    item = listing(client, stock=5)
    who = buyer(client)
    add(client, who, item.sku_ids[0], 1)
    checkout_id = check_out(client, who).json()["id"]
    token = tokenize(client)
    first = pay(client, who, checkout_id, key="pay-1", token=token)
    again = pay(client, who, checkout_id, key="pay-1", token=token)
    other_body = pay(client, who, checkout_id, key="pay-1")
    other_key = pay(client, who, checkout_id, key="pay-2")
    assert first.status_code == 200 and first.json()["status"] == "PAID"
    assert again.json() == first.json()
    assert other_body.status_code == 422
    assert other_key.json()["status"] == "PAID"
    assert len(outbox(db, "payments.captured")) == 1
    assert balance(db, "escrow") == 999 + 299


def test_a_declined_card_cancels_the_orders_and_releases_the_stock(client, db):
    item = listing(client, stock=5)
    who = buyer(client)
    add(client, who, item.sku_ids[0], 3)
    checkout_id = check_out(client, who).json()["id"]
    answer = pay(client, who, checkout_id, DECLINED)
    assert answer.status_code == 402
    assert answer.json()["code"] == "PAYMENT_DECLINED"
    assert stock(db, item.sku_ids[0]) == (5, 0)
    got = client.get(f"/api/v1/checkouts/{checkout_id}", headers=who.headers).json()
    assert got["status"] == "PAYMENT_FAILED"
    assert [o["status"] for o in got["orders"]] == ["CANCELLED"]
    assert pay(client, who, checkout_id, NO_FUNDS).status_code == 402
    assert balance(db, "escrow") == 0


def test_the_same_checkout_key_answers_the_first_checkout_and_another_body_is_422(client, db):
    item = listing(client, stock=5)
    who = buyer(client)
    add(client, who, item.sku_ids[0], 1)
    first = check_out(client, who, key="k-1")
    again = check_out(client, who, key="k-1")
    other = check_out(client, who, key="k-1", address={**ADDRESSES["GB"], "city": "Leeds"})
    assert again.status_code == 201 and again.json() == first.json()
    assert other.status_code == 422
    assert stock(db, item.sku_ids[0]) == (5, 1)


def test_out_of_stock_names_the_sku_and_holds_nothing(client, db):
    plenty = listing(client, stock=5, shop_name="Plenty")
    scarce = listing(client, stock=2, shop_name="Scarce")
    who, rival = buyer(client), buyer(client)
    assert add(client, who, plenty.sku_ids[0], 2).status_code == 200
    assert add(client, who, scarce.sku_ids[0], 2).status_code == 200
    assert add(client, rival, scarce.sku_ids[0], 1).status_code == 200
    assert check_out(client, rival).status_code == 201  # one of the two is reserved now
    answer = check_out(client, who)
    assert answer.status_code == 409
    assert answer.json()["code"] == "OUT_OF_STOCK"
    assert answer.json()["sku_id"] == str(scarce.sku_ids[0])
    assert stock(db, plenty.sku_ids[0]) == (5, 0) and stock(db, scarce.sku_ids[0]) == (2, 1)
    assert client.get("/api/v1/orders", headers=who.headers).json()["orders"] == []


def test_an_unpaid_checkout_expires_its_orders_and_frees_the_stock(client, db, frozen_clock):
    from clipcart.inventory.jobs import release_expired_now

    item = listing(client, stock=2)
    who = buyer(client)
    add(client, who, item.sku_ids[0], 2)
    checkout_id = check_out(client, who).json()["id"]
    frozen_clock.advance(minutes=31)
    assert release_expired_now() == 1
    drain(db)
    got = client.get(f"/api/v1/checkouts/{checkout_id}", headers=who.headers).json()
    assert got["status"] == "EXPIRED" and got["orders"][0]["status"] == "CANCELLED"
    assert stock(db, item.sku_ids[0]) == (2, 0)
    late = pay(client, who, checkout_id)
    assert late.status_code == 409 and late.json()["code"] == "CHECKOUT_CLOSED"
