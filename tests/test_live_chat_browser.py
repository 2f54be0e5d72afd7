"""Two people in chromium on one LIVE: chat over the WebSocket, moderation, live viewers."""

from __future__ import annotations

from typing import Any

import pytest

from clipcart.db import transaction
from clipcart.live import chat_service as chat
from clipcart.live import service as live_service
from tests.browser import CHROMIUM_ARGS, artifacts_dir, chromium_path, live_server
from tests.catalog_support import live_product, sync_categories
from tests.helpers import PASSWORD
from tests.live_chat_support import room_on_air, viewer

pytestmark = pytest.mark.browser


def _log_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_a_viewer_chats_the_host_deletes_and_both_see_it_live(app: Any, client: Any) -> None:
    from playwright.sync_api import sync_playwright

    sync_categories()
    room, fan = room_on_air(client), viewer(client)
    product_id = live_product(room.host)
    with transaction() as session:
        live_service.add_to_bag(session, live_service.get_room(session, room.id), product_id)
    shots = artifacts_dir()
    with live_server(app) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            fan_page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
            host_page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
            _log_in(fan_page, base, fan.email)
            _log_in(host_page, base, room.host.email)
            fan_page.goto(f"{base}/live/{room.id}")
            host_page.goto(f"{base}/live/{room.id}")
            # both pages hold the room's stream: each sees two viewers
            fan_page.wait_for_function(
                "document.querySelector('[data-testid=live-viewers]').innerText.trim() === '2'",
                timeout=10_000)
            with transaction() as session:  # the pin swaps the state partial in both pages
                live_service.pin(session, live_service.get_room(session, room.id), product_id)
            fan_page.wait_for_selector(
                f'[data-testid="pinned-product"][data-product-id="{product_id}"]', timeout=10_000)
            # the stream's viewer count survives the swap
            assert fan_page.get_by_test_id("live-viewers").inner_text().strip() == "2"

            fan_page.fill("#live-chat-input", "love it, this shit is great")
            fan_page.press("#live-chat-input", "Enter")
            said = host_page.locator("#live-chat-list .chat-msg").first
            said.wait_for(timeout=10_000)
            assert said.locator(".chat-body").inner_text() == "love it, this s*** is great"
            assert said.locator(".chat-author").inner_text() == fan.handle
            fan_page.locator("#live-chat-list .chat-msg").first.wait_for(timeout=10_000)
            host_page.screenshot(path=str(shots / "live-chat-host.png"), full_page=True)

            said.hover()
            said.get_by_role("button", name="Delete").click()
            fan_page.wait_for_function(
                "document.querySelectorAll('#live-chat-list .chat-msg').length === 0",
                timeout=10_000)

            with transaction() as session:
                chat.set_slow_mode(session, room.id, room.host.user_id, 30)
            fan_page.wait_for_function(
                "document.querySelector('#live-chat-status').innerText.includes('30 s')",
                timeout=10_000)
            # the fan's first message was moments ago: the next one must wait
            fan_page.fill("#live-chat-input", "again")
            fan_page.press("#live-chat-input", "Enter")
            fan_page.wait_for_function(
                "document.querySelector('#live-chat-status').classList.contains('error')",
                timeout=10_000)
            assert "Slow mode" in fan_page.locator("#live-chat-status").inner_text()
            fan_page.screenshot(path=str(shots / "live-chat-viewer.png"), full_page=True)
        finally:
            browser.close()
    with transaction() as session:
        assert chat.recent(session, room.id) == []  # deleted, then refused
