"""Shipping pages over HTTP: the seller's shipping desk, labels, bulk ship, split, and the
buyer's tracking and receipt."""

from __future__ import annotations

import pytest

from clipcart.db import transaction
from clipcart.orders import packages as pk
from tests.catalog_support import log_in
from tests.fulfillment_support import carrier_step, order_status, package_ids, ready_order
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def test_the_seller_ships_from_the_desk_and_prints_the_label(client, db, frozen_clock):
    ready = ready_order(client, frozen_clock, quantity=1)
    [package_id] = package_ids(db, ready.order_id)
    token = log_in(client, ready.item.seller.email)
    base = f"/seller/{ready.shop_id}/shipping"
    desk = client.get(base)
    assert desk.status_code == 200 and f"Package {package_id}" in desk.text
    bad = client.post(f"{base}/{package_id}/ship", data={
        "_csrf_token": token, "carrier": "SIMPOST", "tracking_number": "no"})
    assert bad.status_code == 400 and "tracking number" in bad.text
    assert order_status(db, ready.order_id) == "AWAITING_SHIPMENT"
    shipped = client.post(f"{base}/{package_id}/ship", data={
        "_csrf_token": token, "carrier": "SIMPOST", "tracking_number": "SP-424242"})
    assert shipped.status_code == 200 and "SP-424242" in client.get(f"{base}?tab=shipped").text
    assert order_status(db, ready.order_id) == "AWAITING_COLLECTION"
    again = client.post(f"{base}/{package_id}/ship", data={
        "_csrf_token": token, "carrier": "SIMPOST", "tracking_number": "SP-434343"})
    assert again.status_code == 409
    labels = client.get(f"{base}/labels?ids={package_id}")
    assert labels.status_code == 200 and "SP-424242" in labels.text
    assert "Ada Lovelace" in labels.text  # the buyer's address is on the label


def test_bulk_ship_buys_labels_for_the_ticked_packages_only(client, db, frozen_clock):
    first = ready_order(client, frozen_clock)
    second_item_order = ready_order(client, frozen_clock)
    [p1] = package_ids(db, first.order_id)
    token = log_in(client, first.item.seller.email)
    base = f"/seller/{first.shop_id}/shipping"
    [p2] = package_ids(db, second_item_order.order_id)  # another shop's package
    answer = client.post(f"{base}/bulk", data={"_csrf_token": token, "carrier": "SIMX",
                                               f"pkg_{p1}": "1", f"pkg_{p2}": "1"},
                         follow_redirects=False)
    assert answer.status_code in (302, 303)
    assert f"printed={p1}&failed=1" in answer.headers["location"]
    assert order_status(db, first.order_id) == "AWAITING_COLLECTION"
    assert order_status(db, second_item_order.order_id) == "AWAITING_SHIPMENT"
    none = client.post(f"{base}/bulk", data={"_csrf_token": token, "carrier": "SIMX"})
    assert none.status_code == 400 and "Tick the packages" in none.text
    assert client.get(f"{base}/labels?ids={p2}").status_code == 404


def test_the_seller_splits_a_package_from_its_page(client, db, frozen_clock):
    ready = ready_order(client, frozen_clock, quantity=3)
    [package_id] = package_ids(db, ready.order_id)
    with transaction() as session:
        [(line, qty)] = pk.lines_of_packages(session, [package_id])[package_id]
    assert qty == 3
    token = log_in(client, ready.item.seller.email)
    url = f"/seller/{ready.shop_id}/shipping/{package_id}/split"
    assert client.get(url).status_code == 200
    too_many = client.post(url, data={"_csrf_token": token, f"line_{line.id}": "3"})
    assert too_many.status_code == 400 and "at least one unit" in too_many.text
    assert client.post(url, data={"_csrf_token": token, f"line_{line.id}": "1"}
                       ).status_code == 200
    with transaction() as session:
        split = pk.lines_of_packages(session, package_ids(db, ready.order_id))
    assert sorted(q for rows in split.values() for _, q in rows) == [1, 2]


def test_the_buyer_follows_the_tracking_and_confirms_receipt(client, db, frozen_clock):
    ready = ready_order(client, frozen_clock)
    [package_id] = package_ids(db, ready.order_id)
    with transaction() as session:
        pk.buy_label(session, shop_id=ready.shop_id, package_id=package_id, actor=ready.actor)
    carrier_step(db, frozen_clock, 2)
    token = log_in(client, ready.who.email)
    page = client.get(f"/orders/{ready.order_id}")
    assert page.status_code == 200
    assert "In transit" in page.text and "Collected by the carrier" in page.text
    assert 'data-testid="confirm-receipt"' in page.text
    done = client.post(f"/orders/{ready.order_id}/receipt", data={"_csrf_token": token})
    assert done.status_code == 200 and order_status(db, ready.order_id) == "COMPLETED"
    assert 'data-testid="confirm-receipt"' not in done.text
    stranger = ready_order(client, frozen_clock)
    log_in(client, stranger.who.email)
    token = log_in(client, stranger.who.email)
    assert client.post(f"/orders/{ready.order_id}/receipt",
                       data={"_csrf_token": token}).status_code == 404


def _queries(db, work) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    seen = []

    def hook(*_args: object) -> None:
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", hook)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", hook)
    return len(seen)


def test_the_shipping_desk_and_the_orders_api_cost_the_same_queries_for_more_packages(
        client, db, frozen_clock):
    from clipcart.orders import package_views, shipping_queries

    ready = ready_order(client, frozen_clock, quantity=4)
    [package_id] = package_ids(db, ready.order_id)

    def read() -> None:
        with transaction() as session:
            page = shipping_queries.shop_packages(session, ready.shop_id, ("PROCESSING",))
            assert page.items
            package_views.packages_json(session, [ready.order_id])

    one = _queries(db, read)
    with transaction() as session:
        [(line, _)] = pk.lines_of_packages(session, [package_id])[package_id]
        for _ in range(3):
            pk.split_package(session, shop_id=ready.shop_id, package_id=package_id,
                             quantities={line.id: 1}, actor=ready.actor)
    assert len(package_ids(db, ready.order_id)) == 4
    assert _queries(db, read) == one
