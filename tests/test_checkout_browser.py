"""The buyer's journey in chromium: product page, cart, checkout, card, challenge, order."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import artifacts_dir, browser_page
from tests.checkout_support import buyer, listing
from tests.helpers import PASSWORD
from tests.payments_helpers import CHALLENGE, SUCCEEDS, live_psp  # noqa: F401

pytestmark = pytest.mark.browser


def _address(page: Any) -> None:
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Phone").fill("+44 20 7946 0000")
    page.get_by_label("Address", exact=True).fill("1 High Street")
    page.get_by_label("City").fill("London")
    page.get_by_label("Postal code").fill("SW1A 1AA")
    page.get_by_test_id("continue-to-payment").click()


def _card(page: Any, number: str) -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("2031")
    page.get_by_label("CVC").fill("737")
    page.get_by_test_id("pay").click()


def test_a_buyer_checks_out_with_a_card_and_with_a_challenge_card(
        app, client, db, live_psp):  # noqa: F811
    base, _ = live_psp
    item = listing(client, price="9.99", stock=5)
    who = buyer(client)
    shots = artifacts_dir()
    with browser_page() as page:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(who.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        page.goto(f"{base}/products/{item.product_id}")
        page.get_by_test_id("add-to-cart").click()
        page.wait_for_url(f"{base}/cart")
        assert page.get_by_test_id("cart-subtotal").inner_text() == "£9.99"
        page.screenshot(path=str(shots / "checkout-cart.png"), full_page=True)
        page.get_by_test_id("go-checkout").click()
        page.wait_for_url(f"{base}/checkout")
        page.screenshot(path=str(shots / "checkout-address.png"), full_page=True)
        _address(page)
        page.wait_for_selector("#card-form")
        assert page.get_by_test_id("checkout-total").inner_text() == "£12.98"
        page.screenshot(path=str(shots / "checkout-pay.png"), full_page=True)
        _card(page, SUCCEEDS)
        page.wait_for_selector('[data-testid="confirmation"]')
        page.screenshot(path=str(shots / "checkout-confirmation.png"), full_page=True)

        page.goto(f"{base}/products/{item.product_id}")
        page.get_by_test_id("buy-now").click()
        page.wait_for_url(f"{base}/checkout")
        _address(page)
        page.wait_for_selector("#card-form")
        _card(page, CHALLENGE)
        page.get_by_role("button", name="Complete authentication").wait_for()
        page.screenshot(path=str(shots / "checkout-challenge.png"), full_page=True)
        page.get_by_role("button", name="Complete authentication").click()
        page.wait_for_selector('[data-testid="confirmation"]')
        page.screenshot(path=str(shots / "checkout-challenge-confirmation.png"), full_page=True)
    orders = client.get("/api/v1/orders", headers=who.headers).json()["orders"]
    assert [o["status"] for o in orders] == ["ON_HOLD", "ON_HOLD"]
