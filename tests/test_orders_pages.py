"""Order pages: "My orders" for buyers and the Seller Center's orders, with tenancy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import event, select

from clipcart import crypto
from clipcart.catalog.service import skus_of
from clipcart.db import transaction
from clipcart.orders import service as orders
from clipcart.orders.models import Order
from tests.catalog_support import Seller, live_product, log_in, make_seller, sync_categories
from tests.helpers import signup

ADDRESS = {"name": "Olivia Brown", "phone": "+44 7700 900123", "line1": "10 Baker Street",
           "line2": "", "city": "London", "region": "", "postal_code": "NW1 6XE",
           "country": "GB"}


@pytest.fixture
def world(client) -> dict[str, Any]:
    sync_categories()
    seller = make_seller(client, "GB", "Linen Studio")
    other = make_seller(client, "GB", "Other Shop")
    product_id = live_product(seller)
    buyer = signup(client, country="GB", handle="olivia_b")
    stranger = signup(client, country="GB", handle="someone_else")
    return {"seller": seller, "other": other, "product_id": product_id, "buyer": buyer,
            "stranger": stranger}


def place_order(seller: Seller, product_id: int, buyer_id: int, quantity: int = 2) -> int:
    """An UNPAID order of two dresses at 24.90 with 2.99 shipping (VAT included)."""
    with transaction() as session:
        sku = skus_of(session, product_id)[0]
        line = orders.LineDraft(
            sku_id=sku.id, product_id=product_id, title="Linen summer dress",
            seller_sku=sku.seller_sku, sku_attributes=dict(sku.attributes), image_key=None,
            quantity=quantity, unit_price_minor=2490, list_price_minor=2990,
            discount_minor=1000, tax_minor=830, total_minor=2490 * quantity,
            source_type="video", source_id="123")
        draft = orders.OrderDraft(shop_id=seller.shop_id, market="GB", currency="GBP",
                                  subtotal_minor=4980, shipping_minor=299, tax_minor=880,
                                  tax_mode="inclusive", total_minor=5279, lines=[line])
        [order] = orders.create_orders(
            session, checkout_id=1, buyer_user_id=buyer_id,
            shipping_address=crypto.encrypt(json.dumps(ADDRESS), "address"), drafts=[draft])
        return order.id


def status_of(order_id: int) -> str:
    with transaction() as session:
        return session.execute(select(Order.status).where(Order.id == order_id)).scalar_one()


def test_buyer_sees_the_order_with_lines_amounts_address_and_timeline(client, world):
    order_id = place_order(world["seller"], world["product_id"], int(world["buyer"]["user"]["id"]))
    log_in(client, world["buyer"]["email"])
    listing = client.get("/orders")
    assert listing.status_code == 200
    assert "Linen Studio" in listing.text and "£52.79" in listing.text
    detail = client.get(f"/orders/{order_id}")
    assert detail.status_code == 200
    for text in ("Linen summer dress", "£24.90", "£29.90", "£2.99", "£8.80", "£52.79",
                 "10 Baker Street", "NW1 6XE", "Awaiting payment", "from video"):
        assert text in detail.text, text
    to_pay = client.get("/orders?tab=to_pay")
    assert str(order_id) in to_pay.text
    assert str(order_id) not in client.get("/orders?tab=cancelled").text


def test_buyer_cancels_an_unpaid_order_and_the_timeline_says_why(client, world):
    order_id = place_order(world["seller"], world["product_id"], int(world["buyer"]["user"]["id"]))
    token = log_in(client, world["buyer"]["email"])
    response = client.post(f"/orders/{order_id}/cancel",
                           data={"_csrf_token": token, "reason": "Ordered by mistake"})
    assert response.status_code == 200
    assert status_of(order_id) == "CANCELLED"
    assert "Ordered by mistake" in response.text
    again = client.post(f"/orders/{order_id}/cancel", data={"_csrf_token": token, "reason": ""})
    assert again.status_code == 409
    assert "this is not possible any more" in again.text


def test_nobody_else_sees_or_cancels_a_buyers_order(client, world):
    order_id = place_order(world["seller"], world["product_id"], int(world["buyer"]["user"]["id"]))
    token = log_in(client, world["stranger"]["email"])
    assert client.get(f"/orders/{order_id}").status_code == 404
    assert client.post(f"/orders/{order_id}/cancel",
                       data={"_csrf_token": token, "reason": "x"}).status_code == 404
    assert client.get("/orders/not-an-id").status_code == 404
    assert status_of(order_id) == "UNPAID"


def test_seller_lists_searches_and_opens_the_shops_orders(client, world):
    seller = world["seller"]
    buyer_id = int(world["buyer"]["user"]["id"])
    first = place_order(seller, world["product_id"], buyer_id)
    second = place_order(seller, world["product_id"], buyer_id, quantity=1)
    log_in(client, seller.email)
    base = f"/seller/{seller.shop_id}/orders"
    listing = client.get(base)
    assert listing.status_code == 200
    assert listing.text.index(str(second)) < listing.text.index(str(first))  # newest first
    assert "@olivia_b" in listing.text
    by_id = client.get(base, params={"q": str(first)})
    assert str(first) in by_id.text and str(second) not in by_id.text
    by_handle = client.get(base, params={"q": "@olivia"})
    assert str(first) in by_handle.text and str(second) in by_handle.text
    assert str(first) not in client.get(base, params={"q": "nobody"}).text
    detail = client.get(f"{base}/{first}")
    assert "Buyer @olivia_b" in detail.text and "10 Baker Street" in detail.text


def test_seller_cancels_a_paid_order_only_with_a_reason(client, world):
    seller = world["seller"]
    order_id = place_order(seller, world["product_id"], int(world["buyer"]["user"]["id"]))
    token = log_in(client, seller.email)
    url = f"/seller/{seller.shop_id}/orders/{order_id}/cancel"
    unpaid = client.post(url, data={"_csrf_token": token, "reason": "Out of stock"})
    assert unpaid.status_code == 409  # unpaid orders expire; sellers cancel paid ones
    with transaction() as session:
        orders.transition(session, order_id, "ON_HOLD", actor="system", reason="paid")
    no_reason = client.post(url, data={"_csrf_token": token, "reason": "  "})
    assert no_reason.status_code == 400
    assert status_of(order_id) == "ON_HOLD"
    done = client.post(url, data={"_csrf_token": token, "reason": "Out of stock"})
    assert done.status_code == 200
    assert status_of(order_id) == "CANCELLED"


def test_other_shops_cannot_reach_an_order_by_any_route(client, world):
    seller, other = world["seller"], world["other"]
    order_id = place_order(seller, world["product_id"], int(world["buyer"]["user"]["id"]))
    with transaction() as session:
        orders.transition(session, order_id, "ON_HOLD", actor="system", reason="paid")
    token = log_in(client, other.email)
    routes = [
        ("GET", f"/seller/{other.shop_id}/orders/{order_id}"),
        ("GET", f"/seller/{seller.shop_id}/orders"),
        ("GET", f"/seller/{seller.shop_id}/orders/{order_id}"),
        ("POST", f"/seller/{other.shop_id}/orders/{order_id}/cancel"),
        ("POST", f"/seller/{seller.shop_id}/orders/{order_id}/cancel"),
    ]
    for method, url in routes:
        response = client.request(method, url, data={"_csrf_token": token, "reason": "x"}
                                  if method == "POST" else None)
        assert response.status_code == 404, (method, url)
    assert str(order_id) not in client.get(f"/seller/{other.shop_id}/orders").text
    assert status_of(order_id) == "ON_HOLD"


def test_order_lists_cost_the_same_queries_for_one_or_many_orders(client, world, db):
    seller = world["seller"]
    buyer_id = int(world["buyer"]["user"]["id"])
    log_in(client, seller.email)

    def count(url: str) -> int:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    place_order(seller, world["product_id"], buyer_id)
    one = count(f"/seller/{seller.shop_id}/orders")
    for _ in range(6):
        place_order(seller, world["product_id"], buyer_id)
    assert count(f"/seller/{seller.shop_id}/orders") == one
