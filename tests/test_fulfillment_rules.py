"""Fulfillment rules: late shipments, cancellations, carrier scans delivered twice or out of
order, and bad input that changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import delete

from clipcart.carriers import service as carriers
from clipcart.carriers import simulator
from clipcart.carriers.config import get_carrier_settings
from clipcart.carriers.interface import SIGNATURE_HEADER, sign
from clipcart.db import transaction
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.orders import fulfillment
from clipcart.orders import packages as pk
from clipcart.orders import service as orders
from clipcart.orders.models import Order, Package
from tests.fulfillment_support import (
    carrier_step,
    emitted,
    order_status,
    package_ids,
    ready_order,
)
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def _package(db, package_id: int) -> Package:  # type: ignore[no-untyped-def]
    with db.sessions() as session:
        found = session.get(Package, package_id)
        assert found is not None
        session.expunge(found)
        return found


def test_scans_delivered_twice_or_late_change_nothing_for_the_order(client, db,
                                                                    frozen_clock):
    ready = ready_order(client, frozen_clock)
    [package_id] = package_ids(db, ready.order_id)
    with transaction() as session:
        shipped = pk.buy_label(session, shop_id=ready.shop_id, package_id=package_id,
                               actor=ready.actor)
        code, number = str(shipped.carrier_code), str(shipped.tracking_number)
    carrier_step(db, frozen_clock, 4)
    assert order_status(db, ready.order_id) == "DELIVERED"
    before_updates = emitted(db, "orders.package_updated")
    before_status = emitted(db, "orders.status_changed")
    sent = simulator.events_of(db, code, number)
    for event in (sent[3], sent[0], sent[2], sent[3]):  # DELIVERED again, then older scans
        assert simulator.resend(db, event.id)
    assert emitted(db, "orders.package_updated") == before_updates
    assert emitted(db, "orders.status_changed") == before_status
    assert _package(db, package_id).tracking_status == "DELIVERED"


def test_a_delivery_scan_before_the_collection_scan_still_delivers_the_order(client, db,
                                                                             frozen_clock):
    ready = ready_order(client, frozen_clock)
    [package_id] = package_ids(db, ready.order_id)
    with transaction() as session:
        shipped = pk.ship_package(session, shop_id=ready.shop_id, package_id=package_id,
                                  actor=ready.actor, carrier_code="SIMX",
                                  tracking_number="CX-777777")
        number = shipped.tracking_number
    conf = get_carrier_settings()

    def scan(status: str) -> str:
        body = json.dumps({"id": f"ext-{status}", "carrier": "SIMX", "tracking_number": number,
                           "status": status,
                           "occurred_at": frozen_clock.current.isoformat()}).encode()
        now = int(frozen_clock.current.timestamp())
        return carriers.receive_webhook(db, "SIMX", body, {
            SIGNATURE_HEADER: sign(conf.webhook_secret, now, body)}).outcome

    assert scan("DELIVERED") == "applied"
    assert scan("COLLECTED") == "stale"
    assert order_status(db, ready.order_id) == "DELIVERED"
    steps = [e["to"] for e in emitted(db, "orders.status_changed")][-3:]
    assert steps == ["AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED"]
    assert _package(db, package_id).status == "COMPLETED"


def test_late_orders_are_flagged_once_and_cancelled_only_when_configured(
        client, db, frozen_clock, monkeypatch):
    ready = ready_order(client, frozen_clock)
    with db.sessions() as session:
        paid_at = session.get(Order, ready.order_id).paid_at  # type: ignore[union-attr]
    frozen_clock.current = paid_at + timedelta(days=fulfillment.ship_sla_days(), seconds=-1)
    with transaction() as session:
        assert fulfillment.flag_late_orders(session) == 0
    frozen_clock.advance(seconds=1)
    with transaction() as session:
        assert fulfillment.flag_late_orders(session) == 1
    with transaction() as session:
        assert fulfillment.flag_late_orders(session) == 0
    assert [e["order_id"] for e in emitted(db, "orders.shipping_late")] == [str(ready.order_id)]
    assert order_status(db, ready.order_id) == "AWAITING_SHIPMENT"
    monkeypatch.setenv("CLIPCART_AUTO_CANCEL_LATE_ORDERS", "1")
    with transaction() as session:
        fulfillment.flag_late_orders(session)
    assert order_status(db, ready.order_id) == "CANCELLED"
    with transaction() as session:
        order = session.get(Order, ready.order_id)
        assert order is not None and order.cancelled_by == "system"
    [package_id] = package_ids(db, ready.order_id)
    assert _package(db, package_id).status == "CANCELLED"


def test_a_cancelled_order_cannot_be_shipped_and_its_package_is_cancelled(client, db,
                                                                         frozen_clock):
    ready = ready_order(client, frozen_clock)
    [package_id] = package_ids(db, ready.order_id)
    with transaction() as session:
        orders.cancel_by_seller(session, ready.order_id, ready.shop_id,
                                ready.item.seller.user_id, "Out of stock")
    assert _package(db, package_id).status == "CANCELLED"
    with pytest.raises(Conflict) as caught, transaction() as session:
        pk.buy_label(session, shop_id=ready.shop_id, package_id=package_id, actor=ready.actor)
    assert caught.value.code == "ORDER_NOT_READY_TO_SHIP"


def test_bad_shipping_input_is_refused_and_changes_nothing(client, db, frozen_clock):
    ready = ready_order(client, frozen_clock, quantity=2)
    [package_id] = package_ids(db, ready.order_id)
    attempts = [
        dict(carrier_code="NOPE", tracking_number="AB123456"),
        dict(carrier_code="SIMX", tracking_number="AB 12"),
        dict(shipping_provider_id="123", tracking_number="AB123456"),
        dict(tracking_number="AB123456"),
    ]
    for args in attempts:
        with pytest.raises(ValidationFailed), transaction() as session:
            pk.ship_package(session, shop_id=ready.shop_id, package_id=package_id,
                            actor=ready.actor, **args)  # type: ignore[arg-type]
    with pytest.raises(NotFound), transaction() as session:
        pk.ship_package(session, shop_id=ready.shop_id + 1, package_id=package_id,
                        actor=ready.actor, carrier_code="SIMX", tracking_number="AB123456")
    with transaction() as session:
        [(line, _)] = pk.lines_of_packages(session, [package_id])[package_id]
    for quantities in ({line.id: 2}, {line.id: 5}, {}, {line.id + 1: 1}, {line.id: -1}):
        with pytest.raises(ValidationFailed), transaction() as session:
            pk.split_package(session, shop_id=ready.shop_id, package_id=package_id,
                             quantities=quantities, actor=ready.actor)
    assert package_ids(db, ready.order_id) == [package_id]
    assert _package(db, package_id).status == "PROCESSING"
    assert emitted(db, "orders.package_updated") == []
    receipt = client.post(f"/api/v1/orders/{ready.order_id}/receipt", headers=ready.who.headers)
    assert receipt.status_code == 409 and receipt.json()["code"] == "ORDER_NOT_DELIVERED"
    assert client.post("/api/v1/orders/nope/receipt", headers=ready.who.headers
                       ).status_code == 404


def test_a_tracking_number_cannot_be_used_for_two_packages(client, db, frozen_clock):
    one = ready_order(client, frozen_clock)
    two = ready_order(client, frozen_clock)
    [p1], [p2] = package_ids(db, one.order_id), package_ids(db, two.order_id)
    with transaction() as session:
        pk.ship_package(session, shop_id=one.shop_id, package_id=p1, actor=one.actor,
                        carrier_code="SIMX", tracking_number="CX-SAME-1")
    with pytest.raises(Conflict) as caught, transaction() as session:
        pk.ship_package(session, shop_id=two.shop_id, package_id=p2, actor=two.actor,
                        carrier_code="SIMX", tracking_number="cx-same-1")
    assert caught.value.code == "TRACKING_NUMBER_IN_USE"
    assert _package(db, p2).status == "PROCESSING"


def test_an_order_ready_to_ship_without_a_package_gets_one(client, db, frozen_clock):
    ready = ready_order(client, frozen_clock, quantity=2)
    [package_id] = package_ids(db, ready.order_id)
    with transaction() as session:  # as if paid before packages existed
        session.execute(delete(Package).where(Package.id == package_id))
    with transaction() as session:
        assert fulfillment.backfill_packages(session) == 1
    with transaction() as session:
        assert fulfillment.backfill_packages(session) == 0
    [new] = package_ids(db, ready.order_id)
    with transaction() as session:
        assert [q for _, q in pk.lines_of_packages(session, [new])[new]] == [2]
