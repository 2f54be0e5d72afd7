"""The cart over the buyer API: lines, quantities, sources, markets and bad input."""

from __future__ import annotations

from sqlalchemy import select

from clipcart.checkout.models import Cart
from tests.checkout_support import add, buyer, check_out, listing
from tests.helpers import bearer, signup


def test_adding_twice_adds_up_and_patch_and_delete_answer_the_cart(client):
    item = listing(client, price="9.99", stock=5, skus=2)
    who = buyer(client)
    add(client, who, item.sku_ids[0], 1)
    cart = add(client, who, item.sku_ids[0], 2, {"type": "search", "id": "q:dress"}).json()
    [line] = cart["lines"]
    assert (line["quantity"], line["source"]) == (3, {"type": "search", "id": "q:dress"})
    assert line["unit_price"] == {"amount": "9.99", "currency": "GBP"}
    assert cart["subtotal"] == {"amount": "29.97", "currency": "GBP"}
    add(client, who, item.sku_ids[1], 1)
    patched = client.patch(f"/api/v1/cart/lines/{line['id']}", json={"quantity": 1},
                           headers=who.headers).json()
    assert [ln["quantity"] for ln in patched["lines"]] == [1, 1]
    assert patched["subtotal"] == {"amount": "19.98", "currency": "GBP"}
    deleted = client.delete(f"/api/v1/cart/lines/{line['id']}", headers=who.headers)
    assert deleted.status_code == 200
    assert [ln["sku_id"] for ln in deleted.json()["lines"]] == [str(item.sku_ids[1])]


def test_a_sold_out_sku_is_turned_away_at_add_to_cart_and_nothing_is_written(client, db):
    item = listing(client, stock=2)
    who, late = buyer(client), buyer(client)
    too_many = add(client, who, item.sku_ids[0], 3)
    assert too_many.status_code == 409 and too_many.json()["code"] == "OUT_OF_STOCK"
    assert too_many.json()["sku_id"] == str(item.sku_ids[0])
    assert add(client, who, item.sku_ids[0], 2).status_code == 200
    assert check_out(client, who).status_code == 201  # both units reserved
    sold_out = add(client, late, item.sku_ids[0], 1)
    assert sold_out.status_code == 409 and sold_out.json()["code"] == "OUT_OF_STOCK"
    assert client.get("/api/v1/cart", headers=late.headers).json()["lines"] == []
    with db.sessions() as session:
        assert session.execute(select(Cart).where(Cart.user_id == late.user_id)).first() is None


def test_a_buyer_outside_the_markets_gets_not_in_market(client):
    item = listing(client, stock=5)
    account = signup(client, country="FR")
    answer = client.post("/api/v1/cart/lines", json={"sku_id": str(item.sku_ids[0])},
                         headers=bearer(account["access_token"]))
    assert answer.status_code == 403 and answer.json()["code"] == "NOT_IN_MARKET"
    assert client.get("/api/v1/cart", headers=bearer(account["access_token"])).status_code == 403


def test_a_product_of_another_market_is_not_available(client):
    item = listing(client, market="US", stock=5)
    who = buyer(client, "GB")
    answer = add(client, who, item.sku_ids[0], 1)
    assert answer.status_code == 404 and answer.json()["code"] == "SKU_NOT_AVAILABLE"
    assert client.get("/api/v1/cart", headers=who.headers).json()["lines"] == []


def test_bad_cart_input_is_a_clear_4xx_and_changes_nothing(client):
    item = listing(client, stock=5)
    who = buyer(client)
    sku = str(item.sku_ids[0])
    cases = [
        ({"sku_id": sku, "quantity": 0}, 400),
        ({"sku_id": sku, "quantity": 100}, 400),
        ({"sku_id": sku, "quantity": 1, "source": {"type": "billboard"}}, 400),
        ({"sku_id": "nope", "quantity": 1}, 400),
        ({"sku_id": "123456789", "quantity": 1}, 404),
        ({"sku_id": sku, "quantity": 1, "colour": "red"}, 400),
    ]
    for body, status in cases:
        answer = client.post("/api/v1/cart/lines", json=body, headers=who.headers)
        assert answer.status_code == status, (body, answer.text)
    assert client.patch("/api/v1/cart/lines/42", json={"quantity": 2},
                        headers=who.headers).status_code == 404
    assert client.get("/api/v1/cart", headers=who.headers).json()["lines"] == []
    assert client.post("/api/v1/checkouts", json={"shipping_address": {}},
                       headers=who.headers).status_code == 400
    empty = client.post("/api/v1/checkouts", headers=who.headers, json={"shipping_address": {
        "name": "A", "phone": "1", "line1": "x", "city": "y", "postal_code": "z",
        "country": "GB"}})
    assert empty.status_code == 400 and empty.json()["code"] == "CART_EMPTY"
    assert client.get("/api/v1/cart").status_code == 401
