"""Cancelled paid orders as cancellation records; events delivered twice change nothing."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import func, select

from clipcart import events
from clipcart.aftersales import events as handlers
from clipcart.aftersales import service
from clipcart.aftersales.models import AftersalesHistory, Cancellation, ReturnRequest
from clipcart.carriers import simulator
from clipcart.db import transaction
from clipcart.events import Event
from clipcart.ids import new_id
from clipcart.orders import service as orders
from tests.aftersales_support import (
    ask,
    carrier_moves,
    delivered_order,
    events_of,
    refunds_of,
    run_timers,
)
from tests.checkout_support import add, buy, buyer, check_out, listing
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def _count(db, model, *where):
    with db.sessions() as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_a_buyer_cancelling_a_paid_order_gets_a_cancellation_record(client, db):
    item = listing(client, price="9.99", stock=5)
    who = buyer(client)
    [order_id] = buy(client, who, item.sku_ids[0], 2).json()["order_ids"]
    answer = client.post(f"/api/v1/orders/{order_id}/cancel", headers=who.headers,
                         json={"reason": "Ordered by mistake"})
    assert answer.status_code == 200
    [row] = client.get("/api/v1/cancellations", headers=who.headers).json()["cancellations"]
    assert row["order_id"] == order_id and row["role"] == "BUYER"
    assert row["reason"] == "Ordered by mistake"
    assert row["status"] == "CANCELLATION_REQUEST_SUCCESS"
    order = client.get(f"/api/v1/orders/{order_id}", headers=who.headers).json()
    assert row["refund"]["total"] == order["amounts"]["total"]
    assert [(li["quantity"], li["refund"]["total"]["amount"]) for li in row["lines"]] == [
        (2, "19.98")]
    assert [r[2] for r in refunds_of(db, order_id)] == ["DONE"]
    assert run_timers()["completed"] == 1
    [done] = client.get("/api/v1/cancellations", headers=who.headers).json()["cancellations"]
    assert done["status"] == "CANCELLATION_REQUEST_COMPLETE"
    assert [(e["kind"], e["from"], e["to"]) for e in events_of(db, "aftersales.status_changed")] \
        == [("cancellation", None, "CANCELLATION_REQUEST_SUCCESS"),
            ("cancellation", "CANCELLATION_REQUEST_SUCCESS", "CANCELLATION_REQUEST_COMPLETE")]


def test_an_unpaid_order_cancelled_leaves_no_cancellation_record(client, db):
    item = listing(client, stock=5)
    who = buyer(client)
    add(client, who, item.sku_ids[0], 1)
    order_id = check_out(client, who).json()["orders"][0]["id"]
    client.post(f"/api/v1/orders/{order_id}/cancel", headers=who.headers, json={"reason": ""})
    assert _count(db, Cancellation) == 0


def _redeliver(db, event_type, handler):
    """Run ``handler`` again on a copy (new id) of every stored event of ``event_type``."""
    with db.sessions() as session:
        stored = session.execute(select(events.OutboxEvent).where(
            events.OutboxEvent.type == event_type)).scalars().all()
        copies = [Event(new_id(), e.type, dict(e.payload), e.created_at) for e in stored]
    for copy in copies:
        with transaction() as session:
            handler(session, copy)


def test_an_order_cancellation_delivered_twice_is_recorded_once(client, db):
    item = listing(client, stock=5)
    who = buyer(client)
    [order_id] = buy(client, who, item.sku_ids[0]).json()["order_ids"]
    with transaction() as session:
        orders.cancel_by_seller(session, int(order_id), item.seller.shop_id,
                                item.seller.user_id, "Out of stock")
    before = (_count(db, Cancellation), _count(db, AftersalesHistory),
              len(events_of(db, "aftersales.status_changed")))
    assert before == (1, 1, 1)
    _redeliver(db, "orders.status_changed", handlers.on_order_cancelled)
    assert (_count(db, Cancellation), _count(db, AftersalesHistory),
            len(events_of(db, "aftersales.status_changed"))) == before


def test_a_return_delivery_reported_twice_starts_the_timer_once(client, db, frozen_clock):
    item = listing(client, stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    ret = ask(client, who, order, "RETURN_AND_REFUND").json()
    with transaction() as session:
        service.approve(session, item.seller.shop_id, int(ret["id"]), actor="seller:1")
    shipped = client.post(f"/api/v1/returns/{ret['id']}/shipment", headers=who.headers,
                          json={}).json()
    carrier_moves(db, frozen_clock)
    with db.sessions() as session:
        first = session.get(ReturnRequest, int(ret["id"]))
        assert first is not None and first.item_delivered_at is not None
        marks = (first.item_delivered_at, first.due_at, first.status)
    frozen_clock.advance(hours=5)
    # the carrier sends its DELIVERED webhook again, and the outbox hands us the event again
    [delivered] = [e for e in simulator.events_of(db, shipped["return_provider"],
                                                  shipped["return_tracking_number"])
                   if e.status == "DELIVERED"]
    assert simulator.resend(db, delivered.id)
    _redeliver(db, "carriers.tracking", handlers.on_return_tracking)
    with db.sessions() as session:
        again = session.get(ReturnRequest, int(ret["id"]))
        assert again is not None
        assert (again.item_delivered_at, again.due_at, again.status) == marks
    assert _count(db, AftersalesHistory, AftersalesHistory.event == "RETURN_DELIVERED") == 1


def test_a_retried_return_request_with_the_same_key_returns_the_first(client, db, frozen_clock):
    item = listing(client, stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 2)])
    key = secrets.token_hex(8)
    first = ask(client, who, order, lines=[(0, 1)], key=key)
    second = ask(client, who, order, lines=[(0, 1)], key=key)
    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert _count(db, ReturnRequest) == 1
    assert len(events_of(db, "aftersales.opened")) == 1
