"""Full fulfillment journeys: ship with a label or a tracking number, carrier scans move the
package and the order, the buyer confirms receipt or the order completes on its own."""

from __future__ import annotations

import pytest

from clipcart.db import transaction
from clipcart.orders import fulfillment
from clipcart.orders import packages as pk
from clipcart.orders import service as orders
from clipcart.orders.models import Order
from tests.fulfillment_support import (
    carrier_step,
    emitted,
    order_status,
    package_ids,
    ready_order,
    ready_single,
)
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def test_a_label_shipment_is_tracked_to_delivery_and_the_buyer_confirms(client, db,
                                                                        frozen_clock):
    ready = ready_single(client, frozen_clock, quantity=2)
    [package_id] = package_ids(db, ready.order_id)
    with transaction() as session:
        shipped = pk.buy_label(session, shop_id=ready.shop_id, package_id=package_id,
                               actor=ready.actor)
        number = shipped.tracking_number
    assert order_status(db, ready.order_id) == "AWAITING_COLLECTION"
    carrier_step(db, frozen_clock)  # collected
    assert order_status(db, ready.order_id) == "IN_TRANSIT"
    carrier_step(db, frozen_clock, 2)  # in transit, out for delivery
    assert order_status(db, ready.order_id) == "IN_TRANSIT"
    carrier_step(db, frozen_clock)  # delivered
    assert order_status(db, ready.order_id) == "DELIVERED"
    order = client.get(f"/api/v1/orders/{ready.order_id}", headers=ready.who.headers).json()
    [package] = order["packages"]
    assert package["package_status"] == "COMPLETED" and package["tracking_number"] == number
    assert package["shipping_provider_name"] == "ClipExpress (simulated)"
    assert package["shipping_type"] == "PLATFORM" and package["lines"][0]["quantity"] == 2
    assert [t["tracking_status"] for t in package["tracking"]] == [
        None, None, "COLLECTED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"]
    assert order["delivered_at"] is not None and order["completed_at"] is None
    assert [t["status"] for t in order["timeline"]][-3:] == [
        "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED"]
    delivered = [e for e in emitted(db, "orders.status_changed") if e["to"] == "DELIVERED"]
    assert [e["order_id"] for e in delivered] == [str(ready.order_id)]
    updates = emitted(db, "orders.package_updated")
    assert [u["status"] for u in updates] == ["FULFILLING"] * 4 + ["COMPLETED"]
    assert updates[0] == {"package_id": str(package_id), "order_id": str(ready.order_id),
                          "shop_id": str(ready.shop_id), "status": "FULFILLING",
                          "tracking_status": None, "tracking_number": number,
                          "carrier": "SIMX", "shipping_provider_id": "7100000000000000001"}
    answer = client.post(f"/api/v1/orders/{ready.order_id}/receipt", headers=ready.who.headers)
    assert answer.status_code == 200 and answer.json()["status"] == "COMPLETED"
    assert answer.json()["completed_at"] is not None
    again = client.post(f"/api/v1/orders/{ready.order_id}/receipt", headers=ready.who.headers)
    assert again.status_code == 200 and again.json()["status"] == "COMPLETED"
    other = client.post(f"/api/v1/orders/{ready.order_id}/receipt",
                        headers=ready.item.seller and {"Authorization": "Bearer nope"})
    assert other.status_code == 401


def test_a_split_order_is_partially_shipping_until_every_package_ships(client, db,
                                                                       frozen_clock):
    ready = ready_order(client, frozen_clock, quantity=2, skus=2)
    [first] = package_ids(db, ready.order_id)
    with transaction() as session:
        lines = pk.lines_of_packages(session, [first])[first]
        line_a, line_b = lines[0][0].id, lines[1][0].id
        second = pk.split_package(session, shop_id=ready.shop_id, package_id=first,
                                  quantities={line_a: 1, line_b: 2}, actor=ready.actor).id
    with transaction() as session:
        left = {li.id: q for li, q in pk.lines_of_packages(session, [first])[first]}
        moved = {li.id: q for li, q in pk.lines_of_packages(session, [second])[second]}
    assert left == {line_a: 1} and moved == {line_a: 1, line_b: 2}
    with transaction() as session:
        pk.ship_package(session, shop_id=ready.shop_id, package_id=first, actor=ready.actor,
                        carrier_code="SIMPOST", tracking_number="SP-000111")
    assert order_status(db, ready.order_id) == "PARTIALLY_SHIPPING"
    carrier_step(db, frozen_clock, 4)  # the first parcel is delivered
    assert order_status(db, ready.order_id) == "PARTIALLY_SHIPPING"
    with transaction() as session:
        pk.ship_package(session, shop_id=ready.shop_id, package_id=second, actor=ready.actor,
                        shipping_provider_id="7100000000000000001", tracking_number="CX-9999")
    assert order_status(db, ready.order_id) == "AWAITING_COLLECTION"
    carrier_step(db, frozen_clock, 4)
    assert order_status(db, ready.order_id) == "DELIVERED"
    statuses = [e["to"] for e in emitted(db, "orders.status_changed")]
    assert statuses[-4:] == ["PARTIALLY_SHIPPING", "AWAITING_COLLECTION", "IN_TRANSIT",
                             "DELIVERED"]


def test_delivered_orders_complete_on_their_own_after_the_window(client, db, frozen_clock):
    ready = ready_single(client, frozen_clock)
    [package_id] = package_ids(db, ready.order_id)
    with transaction() as session:
        pk.buy_label(session, shop_id=ready.shop_id, package_id=package_id, actor=ready.actor)
    carrier_step(db, frozen_clock, 4)
    assert order_status(db, ready.order_id) == "DELIVERED"
    frozen_clock.advance(days=fulfillment.auto_complete_days(), seconds=-1)
    with transaction() as session:
        assert fulfillment.complete_delivered(session) == 0
    frozen_clock.advance(seconds=1)
    with transaction() as session:
        assert fulfillment.complete_delivered(session) == 1
    assert order_status(db, ready.order_id) == "COMPLETED"
    with transaction() as session:
        last = orders.history_of(session, ready.order_id)[-1]
        assert (last.to_status, last.actor) == ("COMPLETED", "system")
        assert session.get(Order, ready.order_id).completed_at == frozen_clock.current
