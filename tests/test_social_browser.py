"""In chromium: a profile, its video (which plays and seeks over byte ranges), the product
anchor, and the cart line that remembers the video."""

from __future__ import annotations

import pytest

from tests.browser import artifacts_dir, browser_page, live_server
from tests.checkout_support import buyer, listing
from tests.helpers import PASSWORD
from tests.social_support import upload

pytestmark = pytest.mark.browser


def test_profile_to_video_to_product_anchor_to_cart(app, client):
    shop = listing(client, price="9.99", stock=5)
    video = upload(client, shop.seller.token, caption="Linen season #linen #summer",
                   product_ids=[shop.product_id]).json()
    handle = client.get("/api/v1/me", headers={"Authorization": f"Bearer {shop.seller.token}"}
                        ).json()["handle"]
    who = buyer(client)
    shots = artifacts_dir()
    with live_server(app) as base, browser_page() as page:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(who.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        page.goto(f"{base}/@{handle}")
        page.get_by_test_id("follow").click()
        page.wait_for_selector('[data-testid="unfollow"]')
        assert page.get_by_test_id("follower-count").inner_text() == "1"
        page.screenshot(path=str(shots / "social-profile.png"), full_page=True)
        page.locator(f'a[href="/videos/{video["id"]}"]').click()
        page.wait_for_url(f"{base}/videos/{video['id']}")
        seeked = page.evaluate("""() => new Promise((done, fail) => {
            const v = document.querySelector('[data-testid=player]');
            const seek = () => { v.addEventListener('seeked', () => done(v.currentTime),
                                                    {once: true}); v.currentTime = 1.0; };
            if (v.readyState >= 1) seek(); else v.addEventListener('loadedmetadata', seek);
            v.addEventListener('error', () => fail('video error ' + v.error.code));
            setTimeout(() => fail('no seek'), 10000);
        })""")
        assert 0.9 <= seeked <= 1.1
        page.get_by_test_id("like").click()
        page.wait_for_selector('[data-testid="like"][aria-pressed="true"]')
        assert page.get_by_test_id("like-count").inner_text() == "1"
        page.screenshot(path=str(shots / "social-video.png"), full_page=True)
        page.get_by_test_id("product-anchor").click()
        page.wait_for_url(f"{base}/products/{shop.product_id}?source=video&source_id="
                          f"{video['id']}")
        page.get_by_test_id("add-to-cart").click()
        page.wait_for_url(f"{base}/cart")
        page.screenshot(path=str(shots / "social-cart.png"), full_page=True)
    cart = client.get("/api/v1/cart", headers=who.headers).json()
    assert [(line["product_id"], line["source"]) for line in cart["lines"]] == \
        [(str(shop.product_id), {"type": "video", "id": video["id"]})]
