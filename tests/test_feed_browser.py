"""In chromium, on a phone-sized screen: the home page opens on the feed, the visible video
plays muted, scrolling loads more, a video's product anchor opens the buy sheet, and Buy
now goes through checkout with the sandbox card."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import artifacts_dir, browser_page
from tests.checkout_support import buyer, listing
from tests.feed_support import creator, post
from tests.helpers import PASSWORD
from tests.payments_helpers import SUCCEEDS, live_psp  # noqa: F401
from tests.social_support import upload
from tests.test_checkout_browser import _address, _card

pytestmark = pytest.mark.browser


def _scroll_to(page: Any, selector: str) -> None:
    for _ in range(30):
        target = page.locator(selector)
        if target.count() and target.first.is_visible() and page.evaluate(
                """s => { const r = document.querySelector(s).getBoundingClientRect();
                          return r.top >= 0 && r.top < window.innerHeight / 2; }""", selector):
            return
        page.locator("[data-feed]").evaluate("f => f.scrollBy(0, f.clientHeight)")
        page.wait_for_timeout(400)
    raise AssertionError(f"{selector} never scrolled into view")


def test_scroll_the_feed_open_a_videos_product_and_buy_it(app, client, frozen_clock,
                                                          live_psp):  # noqa: F811
    base, _ = live_psp
    shop = listing(client, price="9.99", stock=5)
    video = upload(client, shop.seller.token, caption="Linen for hot days #linen",
                   product_ids=[shop.product_id]).json()
    others = [creator(client) for _ in range(3)]
    for n in range(6):
        frozen_clock.advance(minutes=5)
        post(client, others[n % 3].token, f"Summer look {n} #summer")
    who = buyer(client)
    shots = artifacts_dir()
    with browser_page({"width": 390, "height": 844}) as page:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(who.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        page.goto(f"{base}/")
        first = page.locator('[data-testid="feed-item"]').first
        first.wait_for()
        first_id = first.get_attribute("data-id")
        page.wait_for_selector('[data-testid="feed-item"][data-playing="true"]')
        assert page.evaluate("""() => { const v = document.querySelector('video.feed-media');
                                        return v.muted && !v.paused; }""")
        page.wait_for_selector('[data-testid="feed-item"][data-viewed="1"]')  # 2 s on screen
        page.screenshot(path=str(shots / "feed-home.png"))
        item = f'[data-testid="feed-item"][data-id="{video["id"]}"]'
        _scroll_to(page, item)  # past the first page: the rest loads as the viewer scrolls
        assert page.locator('[data-testid="feed-item"]').count() == 7
        page.locator(f"{item} [data-testid=product-anchor]").click()
        sheet = page.locator(f"{item} [data-testid=buy-sheet]")
        sheet.wait_for()
        assert "Linen summer dress" in sheet.inner_text()
        page.screenshot(path=str(shots / "feed-buy-sheet.png"))
        sheet.get_by_test_id("sheet-buy-now").click()
        page.wait_for_url(f"{base}/checkout")
        _address(page)
        page.wait_for_selector("#card-form")
        _card(page, SUCCEEDS)
        page.wait_for_selector('[data-testid="confirmation"]')
        page.screenshot(path=str(shots / "feed-bought.png"), full_page=True)
    orders = client.get("/api/v1/orders", headers=who.headers).json()["orders"]
    assert [o["status"] for o in orders] == ["ON_HOLD"]
    newest = client.get(f"/api/v1/videos/{first_id}").json()
    assert newest["view_count"] == 1
