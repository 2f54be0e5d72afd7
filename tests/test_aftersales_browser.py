"""In chromium: a buyer asks to return an item (with a photo) from the order page; the
seller finds it in the returns queue, with its timer, and approves it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.aftersales_support import delivered_order
from tests.browser import artifacts_dir, browser_page, live_server
from tests.catalog_support import png
from tests.checkout_support import buyer, listing
from tests.helpers import PASSWORD
from tests.payments_helpers import psp  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("psp")]


def _log_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_a_buyer_asks_for_a_return_and_the_seller_approves(app, client, db, frozen_clock):
    item = listing(client, price="9.99", stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 2)])
    shots = artifacts_dir()
    with live_server(app) as base:
        with browser_page() as page:
            _log_in(page, base, who.email)
            page.goto(f"{base}/orders/{order['id']}")
            page.get_by_test_id("ask-return").click()
            page.wait_for_url(f"{base}/orders/{order['id']}/return")
            page.get_by_label("Units of Linen summer dress to return").select_option("1")
            page.get_by_label("Return and refund: send the item back").check()
            page.get_by_label("Reason").select_option("size_fit")
            page.get_by_label("Tell the seller more (optional)").fill("Too small")
            page.get_by_label("Photos (up to 6, optional)").set_input_files(
                {"name": "dress.png", "mimeType": "image/png", "buffer": png()})
            page.screenshot(path=str(shots / "aftersales-request.png"), full_page=True)
            page.get_by_role("button", name="Send request").click()
            page.wait_for_load_state()
            assert page.get_by_test_id("return-status").inner_text() == "Waiting for the seller"
            assert page.get_by_test_id("refund-total").inner_text() == "£9.99"
            assert page.get_by_alt_text("Photo 1 from the buyer").is_visible()
            return_url = page.url
            page.screenshot(path=str(shots / "aftersales-requested.png"), full_page=True)
        with browser_page({"width": 1280, "height": 900}) as page:
            _log_in(page, base, item.seller.email)
            page.goto(f"{base}/seller/{item.seller.shop_id}")
            page.get_by_role("link", name="Returns").first.click()
            row = page.get_by_test_id("return-row")
            assert "Seller to answer" in row.inner_text() and "left" in row.inner_text()
            page.screenshot(path=str(shots / "aftersales-seller-queue.png"), full_page=True)
            row.get_by_role("link").first.click()
            page.get_by_role("button", name="Approve").click()
            page.wait_for_load_state()
            assert page.get_by_test_id("return-status").inner_text() == (
                "Waiting for the buyer to ship")
            page.screenshot(path=str(shots / "aftersales-seller-approved.png"), full_page=True)
        with browser_page() as page:
            _log_in(page, base, who.email)
            page.goto(return_url)
            assert page.get_by_role("button", name="Get a return label").is_visible()
            assert "Buyer to send the item" in page.get_by_test_id("next-action").inner_text()
