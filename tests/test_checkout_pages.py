"""Cart and checkout pages over HTTP: guest cart, merge on log-in, address, card, result."""

from __future__ import annotations

import re

import pytest

from tests.checkout_support import ADDRESSES, buyer, listing, stock
from tests.helpers import PASSWORD, csrf_form
from tests.payments_helpers import DECLINED, psp, tokenize  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def _log_in(client, email):  # type: ignore[no-untyped-def]
    token = csrf_form(client, "/login")
    answer = client.post("/login", data={"_csrf_token": token, "email": email,
                                         "password": PASSWORD, "next": "/cart"})
    assert answer.status_code == 200, answer.text
    return token


def test_a_visitors_cart_moves_into_the_buyers_cart_on_log_in(client, db):
    item = listing(client, price="9.99", stock=5)
    who = buyer(client)
    client.cookies.clear()
    token = csrf_form(client, f"/products/{item.product_id}?source=video&source_id=v9")
    page = client.get(f"/products/{item.product_id}?source=video&source_id=v9")
    assert 'data-testid="add-to-cart"' in page.text and 'value="v9"' in page.text
    added = client.post("/cart/lines", data={
        "_csrf_token": token, "sku_id": str(item.sku_ids[0]), "quantity": "2",
        "source_type": "video", "source_id": "v9", "action": "add"}, follow_redirects=False)
    assert added.status_code in (302, 303) and added.headers["location"] == "/cart"
    assert "cc_cart" in client.cookies
    cart = client.get("/cart")
    assert "Linen summer dress" in cart.text and "£19.98" in cart.text
    assert "Log in to check out" in cart.text
    _log_in(client, who.email)
    mine = client.get("/api/v1/cart", headers=who.headers).json()
    assert [(line["sku_id"], line["quantity"], line["source"]) for line in mine["lines"]] == [
        (str(item.sku_ids[0]), 2, {"type": "video", "id": "v9"})]
    assert 'hx-get="/cart/badge"' in client.get("/cart").text
    badge = client.get("/cart/badge").text
    assert badge == '<span class="badge" data-testid="cart-count">2</span>'


def test_checking_out_on_the_pages_pays_and_confirms(client, db):
    item = listing(client, price="9.99", stock=5)
    who = buyer(client)
    token = _log_in(client, who.email)
    client.post("/cart/lines", data={"_csrf_token": token, "sku_id": str(item.sku_ids[0]),
                                     "quantity": "1", "action": "buy_now"})
    form = client.get("/checkout")
    assert form.status_code == 200 and "Where should we ship?" in form.text
    assert "Standard shipping £2.99" in form.text
    key = re.search(r'name="form_key" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    made = client.post("/checkout", data={"_csrf_token": token, "form_key": key,
                                          **ADDRESSES["GB"]}, follow_redirects=False)
    assert made.status_code in (302, 303), made.text
    pay_url = made.headers["location"]
    again = client.post("/checkout", data={"_csrf_token": token, "form_key": key,
                                           **ADDRESSES["GB"]}, follow_redirects=False)
    assert again.headers["location"] == pay_url  # a double submit makes one checkout
    assert stock(db, item.sku_ids[0]) == (5, 1)
    page = client.get(pay_url)
    assert "£12.98" in page.text and "VAT (included)" in page.text
    assert 'name="payment_token"' in page.text and 'data-card="number"' in page.text
    paid = client.post(f"{pay_url}/pay", data={"_csrf_token": token,
                                               "payment_token": tokenize(client),
                                               "pay_key": "p1"})
    assert paid.status_code == 200
    assert "Thank you, your order is placed" in paid.text
    assert stock(db, item.sku_ids[0]) == (4, 0)


def test_a_declined_card_on_the_pages_says_so_and_releases_the_stock(client, db):
    item = listing(client, stock=5)
    who = buyer(client)
    token = _log_in(client, who.email)
    client.post("/cart/lines", data={"_csrf_token": token, "sku_id": str(item.sku_ids[0]),
                                     "quantity": "1"})
    made = client.post("/checkout", data={"_csrf_token": token, "form_key": "f1",
                                          **ADDRESSES["GB"]}, follow_redirects=False)
    pay_url = made.headers["location"]
    answer = client.post(f"{pay_url}/pay", data={
        "_csrf_token": token, "payment_token": tokenize(client, DECLINED), "pay_key": "p1"})
    assert "The card was declined" in answer.text
    assert stock(db, item.sku_ids[0]) == (5, 0)


def test_a_bad_address_is_explained_and_holds_nothing(client, db):
    item = listing(client, stock=5)
    who = buyer(client)
    token = _log_in(client, who.email)
    client.post("/cart/lines", data={"_csrf_token": token, "sku_id": str(item.sku_ids[0]),
                                     "quantity": "1"})
    answer = client.post("/checkout", data={"_csrf_token": token, "form_key": "f2",
                                            **{**ADDRESSES["GB"], "postal_code": ""}})
    assert answer.status_code == 400
    assert "Enter the postal code of the shipping address." in answer.text
    assert stock(db, item.sku_ids[0]) == (5, 0)


def test_an_empty_cart_page_invites_to_shop(client):
    page = client.get("/cart")
    assert page.status_code == 200 and "Your cart is empty" in page.text


def test_adding_more_than_is_left_on_the_page_says_so_and_keeps_no_cart(client):
    item = listing(client, stock=1)
    client.cookies.clear()
    token = csrf_form(client, f"/products/{item.product_id}")
    answer = client.post("/cart/lines", data={
        "_csrf_token": token, "sku_id": str(item.sku_ids[0]), "quantity": "2",
        "action": "buy_now"}, follow_redirects=False)
    assert answer.status_code == 409
    assert "1 available, 2 requested" in answer.text
    assert "cc_cart" not in client.cookies
