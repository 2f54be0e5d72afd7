"""A buyer searches from the header box in a real chromium, filters, and opens a card."""

import pytest
from playwright.sync_api import expect

from tests.browser import artifacts_dir, browser_page, live_server
from tests.catalog_support import dress_input, live_product, make_seller, sync_categories

pytestmark = pytest.mark.browser


def test_a_visitor_searches_from_the_header_and_opens_a_product(app, client):
    sync_categories()
    seller = make_seller(client, market="GB")
    live_product(seller, dress_input("Linen summer dress", code="A"))
    live_product(seller, dress_input("Linen evening dress", code="B", price="89.00",
                                     list_price=None))
    shots = artifacts_dir()
    with live_server(app) as base, browser_page({"width": 390, "height": 844}) as page:
        page.goto(f"{base}/")
        page.get_by_role("searchbox", name="Search products").fill("linen")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?q=linen*")
        assert page.get_by_text("Choose the market you shop in").is_visible()
        page.get_by_label("Market").select_option("GB")
        page.get_by_label("Highest price").fill("50")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**max_price=50*")  # count the filtered page, not the one before
        cards = page.get_by_test_id("search-results").locator("li")
        expect(cards).to_have_count(1)
        page.screenshot(path=str(shots / "discovery-search-mobile.png"), full_page=True)
        cards.first.locator("a").click()
        page.wait_for_url("**/products/*")
        assert page.get_by_role("heading", name="Linen summer dress").is_visible()
