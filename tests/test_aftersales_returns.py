"""Refund-only and return-and-refund requests, whole and partial, through the buyer API."""

from __future__ import annotations

import pytest

from clipcart.aftersales import receipts, service
from clipcart.db import transaction
from clipcart.markets import market
from tests.aftersales_support import (
    ask,
    carrier_moves,
    delivered_order,
    events_of,
    fresh,
    minor,
    refunds_of,
    run_timers,
)
from tests.checkout_support import balance, buy, buyer, invariants, listing, stock
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def test_refund_only_approved_by_the_seller_is_paid_back_and_completes(client, db, frozen_clock):
    item = listing(client, price="9.99", stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 2)])

    made = ask(client, who, order, "REFUND_ONLY")
    assert made.status_code == 201, made.text
    ret = made.json()
    assert ret["status"] == "RETURN_OR_REFUND_REQUEST_PENDING"
    assert ret["type"] == "REFUND_ONLY" and ret["return_type"] == "REFUND"
    assert ret["refund"]["total"] == order["amounts"]["total"]
    assert ret["lines"][0]["quantity"] == 2
    assert ret["lines"][0]["refund"]["total"] == {"amount": "19.98", "currency": "GBP"}
    assert ret["next_action"]["action"] == "SELLER_RESPOND"

    with transaction() as session:
        service.approve(session, item.seller.shop_id, int(ret["id"]),
                        actor=f"seller:{item.seller.user_id}")
    total = minor(order["amounts"]["total"])
    assert refunds_of(db, order["id"]) == [(f"return:{ret['id']}:refund", total, "DONE")]
    assert run_timers()["completed"] == 1
    done = client.get(f"/api/v1/returns/{ret['id']}", headers=who.headers).json()
    assert done["status"] == "RETURN_OR_REFUND_REQUEST_COMPLETE" and done["outcome"] == "refunded"
    assert [t["event"] for t in done["timeline"]] == ["REQUESTED", "SELLER_APPROVED",
                                                      "REFUND_PAID"]
    assert stock(db, item.sku_ids[0]) == (3, 0)  # a refund only: nothing comes back
    assert balance(db, "escrow") == 0 and invariants(db) == []
    assert [e["outcome"] for e in events_of(db, "aftersales.closed")] == ["refunded"]
    assert [e["type"] for e in events_of(db, "aftersales.opened")] == ["REFUND"]


def test_return_and_refund_ships_back_and_restocks_on_receipt(client, db, frozen_clock):
    item = listing(client, price="9.99", stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 2)])
    ret = ask(client, who, order, "RETURN_AND_REFUND", reason="size_fit").json()
    with transaction() as session:
        service.approve(session, item.seller.shop_id, int(ret["id"]), actor="seller:1")
    waiting = client.get(f"/api/v1/returns/{ret['id']}", headers=who.headers).json()
    assert waiting["status"] == "AWAITING_BUYER_SHIP"
    assert waiting["next_action"]["action"] == "BUYER_SHIP"
    assert refunds_of(db, order["id"]) == []

    shipped = client.post(f"/api/v1/returns/{ret['id']}/shipment", headers=who.headers,
                          json={})
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["status"] == "BUYER_SHIPPED_ITEM"
    assert shipped.json()["return_tracking_number"] and shipped.json()["return_provider"]
    assert shipped.json()["next_action"] == {"action": "SELLER_CONFIRM_RECEIPT",
                                             "deadline": None}
    carrier_moves(db, frozen_clock)
    back = client.get(f"/api/v1/returns/{ret['id']}", headers=who.headers).json()
    assert back["item_delivered_at"] is not None
    assert back["next_action"]["deadline"] is not None

    with transaction() as session:
        receipts.confirm_receipt(session, item.seller.shop_id, int(ret["id"]), actor="seller:1",
                                 actor_user_id=item.seller.user_id, restock=True)
    assert stock(db, item.sku_ids[0]) == (5, 0)
    assert [r[2] for r in refunds_of(db, order["id"])] == ["DONE"]
    run_timers()
    done = client.get(f"/api/v1/returns/{ret['id']}", headers=who.headers).json()
    assert done["status"] == "RETURN_OR_REFUND_REQUEST_COMPLETE" and done["restocked"] is True
    assert balance(db, "escrow") == 0 and invariants(db) == []


def test_a_partial_return_of_one_line_refunds_only_those_units(client, db, frozen_clock):
    item = listing(client, price="9.99", stock=5, skus=2)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 3),
                                                        (item.sku_ids[1], 1)])
    first = order["lines"][0]
    index = 0
    ret = ask(client, who, order, "REFUND_ONLY", lines=[(index, 1)]).json()
    assert [(li["line_id"], li["quantity"]) for li in ret["lines"]] == [(first["id"], 1)]
    assert ret["refund"]["total"] == {"amount": "9.99", "currency": "GBP"}
    assert ret["refund"]["shipping"] == {"amount": "0.00", "currency": "GBP"}

    too_many = ask(client, who, order, "REFUND_ONLY", lines=[(index, 3)])
    assert too_many.status_code == 409 and too_many.json()["code"] == "QUANTITY_NOT_RETURNABLE"

    with transaction() as session:
        service.approve(session, item.seller.shop_id, int(ret["id"]), actor="seller:1")
    refunded = refunds_of(db, order["id"])
    assert [(amount, status) for _, amount, status in refunded] == [(999, "DONE")]
    assert balance(db, "escrow") == minor(order["amounts"]["total"]) - 999


def test_requests_outside_the_window_or_before_delivery_are_refused(client, db, frozen_clock):
    item = listing(client, stock=5)
    who = buyer(client)
    undelivered = buy(client, who, item.sku_ids[0]).json()["order_ids"][0]
    early = client.post(f"/api/v1/orders/{undelivered}/returns", headers=who.headers, json={
        "type": "REFUND_ONLY", "reason": "damaged", "lines": [{"line_id": "1", "quantity": 1}]})
    assert early.status_code == 409 and early.json()["code"] == "ORDER_NOT_DELIVERED"
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    frozen_clock.advance(days=market("GB").return_days, minutes=1)
    who = fresh(client, who)
    late = ask(client, who, order)
    assert late.status_code == 409 and late.json()["code"] == "RETURN_WINDOW_CLOSED"
    stranger = buyer(client)
    assert ask(client, stranger, order).status_code == 404
    bad = client.post(f"/api/v1/orders/{order['id']}/returns", headers=who.headers,
                      json={"type": "SWAP", "reason": "damaged",
                            "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}]})
    assert bad.status_code == 400 and bad.json()["code"] == "VALIDATION_ERROR"
    assert events_of(db, "aftersales.opened") == []


def test_the_buyer_may_ship_with_an_own_tracking_number(client, db, frozen_clock):
    item = listing(client, stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    ret = ask(client, who, order, "RETURN_AND_REFUND", reason="wrong_item").json()
    with transaction() as session:
        service.approve(session, item.seller.shop_id, int(ret["id"]), actor="seller:1")
    unknown = client.post(f"/api/v1/returns/{ret['id']}/shipment", headers=who.headers,
                          json={"carrier_code": "NOPE", "tracking_number": "AB123456"})
    assert unknown.status_code == 400 and unknown.json()["code"] == "UNKNOWN_CARRIER"
    nameless = client.post(f"/api/v1/returns/{ret['id']}/shipment", headers=who.headers,
                           json={"tracking_number": "AB123456"})
    assert nameless.status_code == 400
    own = client.post(f"/api/v1/returns/{ret['id']}/shipment", headers=who.headers,
                      json={"carrier_code": "SIMPOST", "tracking_number": "ab123456"})
    assert own.status_code == 200, own.text
    assert (own.json()["return_provider"], own.json()["return_tracking_number"]) == (
        "SIMPOST", "AB123456")
