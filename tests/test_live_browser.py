"""A buyer in chromium joins a LIVE, sees the pin change, and buys the flash-sale item."""

from __future__ import annotations

from typing import Any

import pytest

from clipcart.db import transaction
from clipcart.live import service
from clipcart.markets import get_markets
from tests.browser import artifacts_dir, browser_page
from tests.checkout_support import buyer, listing
from tests.helpers import PASSWORD
from tests.live_support import room_on_air, start_sale
from tests.payments_helpers import SUCCEEDS, live_psp  # noqa: F401

pytestmark = pytest.mark.browser


def _pay(page: Any) -> None:
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Phone").fill("+44 20 7946 0000")
    page.get_by_label("Address", exact=True).fill("1 High Street")
    page.get_by_label("City").fill("London")
    page.get_by_label("Postal code").fill("SW1A 1AA")
    page.get_by_test_id("continue-to-payment").click()
    page.wait_for_selector("#card-form")
    assert page.get_by_test_id("checkout-total").inner_text() == "£7.99"  # 5.00 + 2.99
    page.get_by_label("Card number").fill(SUCCEEDS)
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("2031")
    page.get_by_label("CVC").fill("737")
    page.get_by_test_id("pay").click()


def test_a_buyer_joins_a_live_sees_the_pin_and_buys_the_flash_sale_item(
        app, client, db, live_psp, monkeypatch):  # noqa: F811
    base, _ = live_psp
    # the test's own rule: no countdown, so the sale runs as soon as it is set
    monkeypatch.setitem(get_markets().platform, "flash_sale_countdown_seconds", [0, 300])
    made = room_on_air(client, price="9.99", stock=20)
    other = listing(client, seller=made.item.seller, price="19.99", list_price=None)
    with transaction() as session:
        service.add_to_bag(session, service.get_room(session, made.id), other.product_id)
    start_sale(made, deal="5.00", stock=30, limit=1, countdown=0)
    who = buyer(client)
    shots = artifacts_dir()
    with browser_page(viewport={"width": 390, "height": 844}) as page:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(who.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        page.goto(f"{base}/live/{made.id}")
        pinned = page.get_by_test_id("pinned-product")
        assert pinned.get_attribute("data-product-id") == str(made.item.product_id)
        assert page.get_by_test_id("flash-stock").inner_text().startswith("30 of 30 left")
        page.screenshot(path=str(shots / "live-room.png"), full_page=True)
        with transaction() as session:  # the host pins another product
            service.pin(session, service.get_room(session, made.id), other.product_id)
        page.wait_for_selector(f'[data-testid="pinned-product"][data-product-id="{other.product_id}"]',
                               timeout=10_000)
        page.get_by_test_id("flash-buy").click()
        page.wait_for_url(f"{base}/checkout")
        _pay(page)
        page.wait_for_selector('[data-testid="confirmation"]')
        page.screenshot(path=str(shots / "live-bought.png"), full_page=True)
        page.goto(f"{base}/live/{made.id}")
        assert page.get_by_test_id("flash-stock").inner_text().startswith("29 of 30 left")
    orders = client.get("/api/v1/orders", headers=who.headers).json()["orders"]
    [line] = orders[0]["lines"]
    assert line["unit_price"]["amount"] == "5.00"
    assert line["source"] == {"type": "live", "id": str(made.id)}


def test_without_an_event_stream_the_room_catches_up_by_polling(app, client, live_psp):  # noqa: F811
    base, _ = live_psp
    made = room_on_air(client, price="9.99")
    other = listing(client, seller=made.item.seller, price="19.99", list_price=None)
    with transaction() as session:
        service.add_to_bag(session, service.get_room(session, made.id), other.product_id)
    with browser_page() as page:
        page.add_init_script("delete window.EventSource; delete window.WebSocket;")
        page.goto(f"{base}/live/{made.id}")
        assert page.get_by_test_id("pinned-product").get_attribute("data-product-id") == \
            str(made.item.product_id)
        with transaction() as session:
            service.pin(session, service.get_room(session, made.id), other.product_id)
        page.wait_for_selector(f'[data-testid="pinned-product"][data-product-id="{other.product_id}"]',
                               timeout=10_000)


def test_a_host_runs_a_live_from_the_console(app, client, live_psp):  # noqa: F811
    base, _ = live_psp
    item = listing(client, price="9.99")
    shots = artifacts_dir()
    with browser_page(viewport={"width": 1280, "height": 900}) as page:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(item.seller.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        page.goto(f"{base}/seller/{item.seller.shop_id}/live")
        page.get_by_test_id("live-title").fill("Sunday linen LIVE")
        page.get_by_test_id("live-schedule").click()
        page.get_by_test_id("go-live").click()
        page.get_by_test_id("bag-add").click()
        page.get_by_test_id(f"pin-{item.product_id}").click()
        page.get_by_test_id("sale-price").fill("6.50")
        page.get_by_test_id("sale-start").click()
        assert page.get_by_test_id("console-sale-status").inner_text() == "upcoming"
        assert page.get_by_test_id("room-status").inner_text() == "live"
        page.screenshot(path=str(shots / "live-console.png"), full_page=True)
