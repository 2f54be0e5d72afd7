"""The silence rules, driven by the injected clock: each fires only once its time is up."""

from __future__ import annotations

import pytest

from clipcart.aftersales import service, timers
from clipcart.db import transaction
from clipcart.markets import get_markets
from tests.aftersales_support import (
    ask,
    carrier_moves,
    delivered_order,
    fresh,
    refunds_of,
    run_timers,
)
from tests.checkout_support import buyer, listing
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def rule(name: str) -> float:
    return float(get_markets().rule(name))


def _status(client, who, ret_id):
    return client.get(f"/api/v1/returns/{ret_id}", headers=who.headers).json()


def test_a_seller_silent_past_the_response_time_approves_the_refund(client, db, frozen_clock):
    item = listing(client, stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    ret = ask(client, who, order).json()
    frozen_clock.advance(hours=rule("seller_return_response_hours"), seconds=-1)
    with transaction() as session:
        assert timers.auto_approve(session) == 0
    frozen_clock.advance(seconds=2)
    with transaction() as session:
        assert timers.auto_approve(session) == 1
    with transaction() as session:
        assert timers.complete_refunded(session) == 1
    who = fresh(client, who)
    done = _status(client, who, ret["id"])
    assert done["status"] == "RETURN_OR_REFUND_REQUEST_COMPLETE"
    assert [t["event"] for t in done["timeline"]] == ["REQUESTED", "AUTO_APPROVED", "REFUND_PAID"]
    assert [t["actor"] for t in done["timeline"]][1] == "system"
    assert [r[2] for r in refunds_of(db, order["id"])] == ["DONE"]


def test_a_seller_silent_after_the_item_is_back_confirms_receipt(client, db, frozen_clock):
    item = listing(client, stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    ret = ask(client, who, order, "RETURN_AND_REFUND").json()
    with transaction() as session:
        service.approve(session, item.seller.shop_id, int(ret["id"]), actor="seller:1")
    shipped = client.post(f"/api/v1/returns/{ret['id']}/shipment", headers=who.headers,
                          json={}).json()
    assert shipped["next_action"]["action"] == "SELLER_CONFIRM_RECEIPT"
    frozen_clock.advance(days=rule("seller_receipt_confirm_days") + 1)
    assert run_timers()["auto_confirmed"] == 0  # the item is not back yet: no timer
    carrier_moves(db, frozen_clock)
    frozen_clock.advance(days=rule("seller_receipt_confirm_days"), seconds=-1)
    assert run_timers()["auto_confirmed"] == 0
    frozen_clock.advance(seconds=2)
    assert run_timers()["auto_confirmed"] == 1
    assert run_timers()["completed"] == 1
    who = fresh(client, who)
    done = _status(client, who, ret["id"])
    assert done["status"] == "RETURN_OR_REFUND_REQUEST_COMPLETE" and done["restocked"] is False
    assert "RECEIPT_AUTO_CONFIRMED" in [t["event"] for t in done["timeline"]]


def test_a_buyer_who_does_not_ship_in_time_loses_the_return(client, db, frozen_clock):
    item = listing(client, stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    ret = ask(client, who, order, "RETURN_AND_REFUND").json()
    with transaction() as session:
        service.approve(session, item.seller.shop_id, int(ret["id"]), actor="seller:1")
    frozen_clock.advance(days=rule("buyer_return_ship_days"), seconds=1)
    assert run_timers()["expired"] == 1
    who = fresh(client, who)
    late = client.post(f"/api/v1/returns/{ret['id']}/shipment", headers=who.headers, json={})
    assert late.status_code == 409
    assert _status(client, who, ret["id"])["outcome"] == "cancelled"
    assert refunds_of(db, order["id"]) == []


def test_an_unescalated_rejection_stands_once_the_window_ends(client, db, frozen_clock):
    item = listing(client, stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    ret = ask(client, who, order).json()
    with transaction() as session:
        service.reject(session, item.seller.shop_id, int(ret["id"]), actor="seller:1",
                       reason="reverse_reject_request_reason_4")
    frozen_clock.advance(hours=rule("buyer_escalation_hours"), seconds=1)
    assert run_timers()["closed"] == 1
    assert run_timers()["closed"] == 0
    who = fresh(client, who)
    late = client.post(f"/api/v1/returns/{ret['id']}/escalate", headers=who.headers, json={})
    assert late.status_code == 409
    assert _status(client, who, ret["id"])["outcome"] == "rejected"
