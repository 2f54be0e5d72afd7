"""In chromium: the seller ships a package from the shipping desk; the buyer follows its
tracking timeline as the carrier scans it, and confirms receipt."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import artifacts_dir, browser_page, live_server
from tests.fulfillment_support import carrier_step, order_status, package_ids, ready_order
from tests.helpers import PASSWORD
from tests.payments_helpers import psp  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("psp")]


def _log_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_the_seller_ships_and_the_buyer_tracks_the_package(app, client, db, frozen_clock):
    ready = ready_order(client, frozen_clock, quantity=2)
    [package_id] = package_ids(db, ready.order_id)
    shots = artifacts_dir()
    with live_server(app) as base:
        with browser_page({"width": 1280, "height": 900}) as page:
            _log_in(page, base, ready.item.seller.email)
            page.goto(f"{base}/seller/{ready.shop_id}/orders")
            page.get_by_test_id("shipping-link").click()
            card = page.get_by_test_id(f"package-{package_id}")
            card.wait_for()
            page.screenshot(path=str(shots / "fulfillment-desk.png"), full_page=True)
            card.get_by_test_id("carrier").select_option("SIMPOST")
            card.get_by_test_id("tracking-number").fill("SP-246810")
            card.get_by_test_id("ship").click()
            page.wait_for_load_state()
            page.goto(f"{base}/seller/{ready.shop_id}/shipping?tab=shipped")
            assert page.get_by_test_id("tracking").inner_text() == "SP-246810"
            page.screenshot(path=str(shots / "fulfillment-shipped.png"), full_page=True)
        assert order_status(db, ready.order_id) == "AWAITING_COLLECTION"
        carrier_step(db, frozen_clock, 2)  # collected, in transit
        with browser_page() as page:
            _log_in(page, base, ready.who.email)
            page.goto(f"{base}/orders/{ready.order_id}")
            timeline = page.get_by_test_id("tracking-timeline")
            assert timeline.locator("li").first.inner_text().startswith("In transit")
            assert page.get_by_test_id("package-tracking").inner_text() == "SP-246810"
            page.screenshot(path=str(shots / "fulfillment-buyer-in-transit.png"),
                            full_page=True)
            carrier_step(db, frozen_clock, 2)  # out for delivery, delivered
            page.reload()
            assert timeline.locator("li").first.inner_text().startswith("Delivered")
            assert [li.split("\n")[0] for li in timeline.locator("li strong").all_inner_texts()
                    ] == ["Delivered", "Out for delivery", "In transit",
                          "Collected by the carrier", "Shipped", "Packed"]
            page.get_by_test_id("confirm-receipt").click()
            page.wait_for_load_state()
            assert page.get_by_test_id("order-status").inner_text() == "Completed"
            page.screenshot(path=str(shots / "fulfillment-buyer-completed.png"),
                            full_page=True)
    assert order_status(db, ready.order_id) == "COMPLETED"
