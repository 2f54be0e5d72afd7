"""The buyer's orders API: keyset list with status filter, the hold window, cancellations."""

from __future__ import annotations

import pytest

from clipcart.db import transaction
from clipcart.orders import service as orders
from tests.checkout_support import add, balance, buy, buyer, check_out, invariants, listing, stock
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def test_orders_list_newest_first_by_keyset_and_by_status(client, db):
    item = listing(client, stock=10)
    who = buyer(client)
    for _ in range(3):
        assert buy(client, who, item.sku_ids[0]).json()["status"] == "PAID"
    add(client, who, item.sku_ids[0], 1)
    check_out(client, who)
    everything = client.get("/api/v1/orders", headers=who.headers).json()["orders"]
    assert [o["status"] for o in everything] == ["UNPAID", "ON_HOLD", "ON_HOLD", "ON_HOLD"]
    first = client.get("/api/v1/orders?page_size=2", headers=who.headers).json()
    rest = client.get(f"/api/v1/orders?page_size=2&page_token={first['next_page_token']}",
                      headers=who.headers).json()
    assert [o["id"] for o in first["orders"] + rest["orders"]] == [o["id"] for o in everything]
    assert rest["next_page_token"] is None
    unpaid = client.get("/api/v1/orders?status=UNPAID", headers=who.headers).json()["orders"]
    assert [o["id"] for o in unpaid] == [everything[0]["id"]]
    assert client.get("/api/v1/orders?status=LOST", headers=who.headers).status_code == 400
    other = buyer(client)
    assert client.get(f"/api/v1/orders/{everything[0]['id']}",
                      headers=other.headers).status_code == 404


def test_paid_orders_leave_the_hold_after_the_window(client, db, frozen_clock):
    item = listing(client, stock=5)
    who = buyer(client)
    [order_id] = buy(client, who, item.sku_ids[0]).json()["order_ids"]
    with transaction() as session:
        assert orders.release_holds(session) == 0
    frozen_clock.advance(minutes=61)
    with transaction() as session:
        assert orders.release_holds(session) == 1
    order = client.get(f"/api/v1/orders/{order_id}", headers=who.headers).json()
    assert order["status"] == "AWAITING_SHIPMENT"
    assert [t["status"] for t in order["timeline"]] == ["UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"]


def test_a_seller_cancellation_refunds_the_buyer_and_restocks(client, db):
    item = listing(client, price="9.99", stock=5)
    who = buyer(client)
    [order_id] = buy(client, who, item.sku_ids[0], 2).json()["order_ids"]
    with transaction() as session:
        orders.cancel_by_seller(session, int(order_id), item.seller.shop_id, item.seller.user_id,
                                "Out of this colour")
    order = client.get(f"/api/v1/orders/{order_id}", headers=who.headers).json()
    assert order["status"] == "CANCELLED" and order["cancelled_by"] == "seller"
    assert stock(db, item.sku_ids[0]) == (5, 0)
    assert balance(db, "escrow") == 0 and invariants(db) == []


def test_cancelling_an_unpaid_order_releases_its_stock_and_closes_the_checkout(client, db):
    item = listing(client, stock=5)
    who = buyer(client)
    add(client, who, item.sku_ids[0], 2)
    made = check_out(client, who).json()
    order_id = made["orders"][0]["id"]
    answer = client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": ""},
                         headers=who.headers)
    assert answer.status_code == 200 and answer.json()["status"] == "CANCELLED"
    assert stock(db, item.sku_ids[0]) == (5, 0)
    got = client.get(f"/api/v1/checkouts/{made['id']}", headers=who.headers).json()
    assert got["status"] == "CANCELLED"
    again = client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": ""},
                        headers=who.headers)
    assert again.status_code == 409 and again.json()["code"] == "ORDER_STATE_CHANGED"
