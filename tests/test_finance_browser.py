"""A seller's money in a real chromium: a settled order's revenue, a bank account, a payout."""

from __future__ import annotations

import pytest

from clipcart.finance import service
from tests.browser import artifacts_dir, browser_page, live_server
from tests.checkout_support import buyer, listing
from tests.finance_support import deliver, paid_order
from tests.helpers import PASSWORD
from tests.payments_helpers import psp  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("psp")]


def test_a_seller_sees_settled_money_adds_a_bank_account_and_gets_paid(
        app, client, db, frozen_clock):
    item = listing(client, price="10.00", list_price=None)
    bought = paid_order(client, buyer(client), item)
    deliver(db, frozen_clock, bought.order_id)
    frozen_clock.advance(days=7)
    assert service.settle_due(db) == 1
    shots = artifacts_dir()
    with live_server(app) as base, browser_page() as page:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(item.seller.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/seller/{bought.shop_id}")
        page.locator(".seller-nav").get_by_role("link", name="Finance").click()
        page.wait_for_url(f"{base}/seller/{bought.shop_id}/finance")
        assert page.get_by_test_id("available-balance").inner_text() == "£12.24"
        assert page.get_by_test_id("pending-balance").inner_text() == "£0.00"
        assert "Settled" in page.get_by_test_id("order-breakdown").inner_text()
        page.get_by_label("Account holder").fill("Ada Lovelace")
        page.get_by_label("Bank").fill("Analytical Bank")
        page.get_by_label("Account number").fill("12345678")
        page.get_by_role("button", name="Save bank account").click()
        assert page.get_by_role("status").inner_text() == "Bank account saved."
        page.get_by_label("Amount (GBP)").fill("10.00")
        page.get_by_role("button", name="Request payout").click()
        assert page.get_by_role("status").inner_text() == "Payout requested."
        assert page.get_by_test_id("available-balance").inner_text() == "£2.24"
        assert "PAID" in page.get_by_test_id("payouts").inner_text()
        page.screenshot(path=str(shots / "finance-overview.png"), full_page=True)
