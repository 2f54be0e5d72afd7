"""Seller rejections, the buyer's escalation and the operator's decision, either way."""

from __future__ import annotations

import pytest

from clipcart.aftersales import service
from clipcart.db import transaction
from tests.aftersales_support import ask, delivered_order, events_of, refunds_of, run_timers
from tests.checkout_support import balance, buyer, invariants, listing
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")
REASON = "reverse_reject_request_reason_1"


def _rejected(client, frozen_clock, kind="REFUND_ONLY", reason="damaged"):
    item = listing(client, price="9.99", stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    ret = ask(client, who, order, kind, reason=reason).json()
    with transaction() as session:
        service.reject(session, item.seller.shop_id, int(ret["id"]), actor="seller:1",
                       reason=REASON, comment="Photos show no damage")
    return item, who, order, ret


def test_a_rejection_escalated_and_decided_for_the_buyer_is_refunded(client, db, frozen_clock):
    _, who, order, ret = _rejected(client, frozen_clock)
    seen = client.get(f"/api/v1/returns/{ret['id']}", headers=who.headers).json()
    assert seen["status"] == "RETURN_OR_REFUND_REQUEST_REJECT"
    assert seen["reject_reason"] == REASON and seen["reject_comment"] == "Photos show no damage"
    assert seen["next_action"]["action"] == "BUYER_ESCALATE"

    up = client.post(f"/api/v1/returns/{ret['id']}/escalate", headers=who.headers,
                     json={"note": "The seam is torn, see photo 2"})
    assert up.status_code == 200 and up.json()["arbitration_status"] == "IN_PROGRESS"
    again = client.post(f"/api/v1/returns/{ret['id']}/escalate", headers=who.headers, json={})
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_ESCALATED"

    with transaction() as session:
        service.arbitrate(session, int(ret["id"]), operator_id=7, decision="SUPPORT_BUYER",
                          note="Damage visible on the photos")
    run_timers()
    done = client.get(f"/api/v1/returns/{ret['id']}", headers=who.headers).json()
    assert done["status"] == "RETURN_OR_REFUND_REQUEST_COMPLETE"
    assert done["arbitration_status"] == "SUPPORT_BUYER" and done["outcome"] == "refunded"
    assert [t["event"] for t in done["timeline"]] == [
        "REQUESTED", "SELLER_REJECTED", "BUYER_ESCALATED", "OPERATOR_SUPPORTED_BUYER",
        "REFUND_PAID"]
    assert [r[2] for r in refunds_of(db, order["id"])] == ["DONE"]
    assert balance(db, "escrow") == 0 and invariants(db) == []


def test_a_rejection_decided_for_the_seller_closes_without_refund(client, db, frozen_clock):
    _, who, order, ret = _rejected(client, frozen_clock)
    client.post(f"/api/v1/returns/{ret['id']}/escalate", headers=who.headers, json={})
    with transaction() as session:
        service.arbitrate(session, int(ret["id"]), operator_id=7, decision="SUPPORT_SELLER")
    done = client.get(f"/api/v1/returns/{ret['id']}", headers=who.headers).json()
    assert done["status"] == "RETURN_OR_REFUND_REQUEST_REJECT"
    assert done["arbitration_status"] == "SUPPORT_SELLER" and done["outcome"] == "rejected"
    assert done["next_action"] is None and refunds_of(db, order["id"]) == []
    assert [e["outcome"] for e in events_of(db, "aftersales.closed")] == ["rejected"]
    with transaction() as session, pytest.raises(Exception) as twice:
        service.arbitrate(session, int(ret["id"]), operator_id=7, decision="SUPPORT_BUYER")
    assert getattr(twice.value, "code", "") == "NOT_ESCALATED"
    # the units are free again: the buyer may ask once more
    assert ask(client, who, order).status_code == 201


def test_a_return_decided_for_the_buyer_waits_for_the_item(client, db, frozen_clock):
    _, who, order, ret = _rejected(client, frozen_clock, "RETURN_AND_REFUND", "wrong_item")
    client.post(f"/api/v1/returns/{ret['id']}/escalate", headers=who.headers, json={})
    with transaction() as session:
        service.arbitrate(session, int(ret["id"]), operator_id=7, decision="SUPPORT_BUYER")
    seen = client.get(f"/api/v1/returns/{ret['id']}", headers=who.headers).json()
    assert seen["status"] == "AWAITING_BUYER_SHIP" and refunds_of(db, order["id"]) == []


def test_the_buyer_may_withdraw_a_pending_request(client, db, frozen_clock):
    item = listing(client, stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    ret = ask(client, who, order).json()
    gone = client.post(f"/api/v1/returns/{ret['id']}/cancel", headers=who.headers)
    assert gone.status_code == 200
    assert gone.json()["status"] == "RETURN_OR_REFUND_REQUEST_CANCEL"
    assert gone.json()["outcome"] == "cancelled"
    assert client.post(f"/api/v1/returns/{ret['id']}/cancel",
                       headers=who.headers).json()["code"] == "RETURN_STATE_CHANGED"
    with transaction() as session, pytest.raises(Exception) as late:
        service.approve(session, item.seller.shop_id, int(ret["id"]), actor="seller:1")
    assert getattr(late.value, "code", "") == "RETURN_STATE_CHANGED"
    assert [(e["from"], e["to"]) for e in events_of(db, "aftersales.status_changed")] == [
        (None, "RETURN_OR_REFUND_REQUEST_PENDING"),
        ("RETURN_OR_REFUND_REQUEST_PENDING", "RETURN_OR_REFUND_REQUEST_CANCEL")]


def test_a_refused_package_decided_for_the_buyer_is_refunded(client, db, frozen_clock):
    from clipcart.aftersales import receipts

    item = listing(client, price="9.99", stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    ret = ask(client, who, order, "RETURN_AND_REFUND", reason="wrong_item").json()
    with transaction() as session:
        service.approve(session, item.seller.shop_id, int(ret["id"]), actor="seller:1")
    client.post(f"/api/v1/returns/{ret['id']}/shipment", headers=who.headers, json={})
    with transaction() as session:
        receipts.reject_receipt(session, item.seller.shop_id, int(ret["id"]), actor="seller:1",
                                reason="package_wrong_item", comment="A different dress")
    refused = client.get(f"/api/v1/returns/{ret['id']}", headers=who.headers).json()
    assert refused["status"] == "REJECT_RECEIVE_PACKAGE"
    assert refused["next_action"]["action"] == "BUYER_ESCALATE"
    client.post(f"/api/v1/returns/{ret['id']}/escalate", headers=who.headers, json={})
    with transaction() as session:
        service.arbitrate(session, int(ret["id"]), operator_id=7, decision="SUPPORT_BUYER")
    assert [r[2] for r in refunds_of(db, order["id"])] == ["DONE"]
    run_timers()
    done = client.get(f"/api/v1/returns/{ret['id']}", headers=who.headers).json()
    assert done["status"] == "RETURN_OR_REFUND_REQUEST_COMPLETE"
    assert balance(db, "escrow") == 0 and invariants(db) == []
