"""LIVE pages over HTTP: the room, its polled state, rooms on air, the host's console."""

from __future__ import annotations

import re

import pytest

from clipcart.db import transaction
from clipcart.live import service
from tests.catalog_support import log_in
from tests.checkout_support import listing
from tests.live_support import past_countdown, room_on_air, scheduled_room, start_sale
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def _form(token: str, **fields: str) -> dict[str, str]:
    return {"_csrf_token": token, **fields}


def test_the_room_page_shows_the_player_pinned_product_and_flash_sale(client, frozen_clock):
    made = room_on_air(client, price="9.99")
    start_sale(made, deal="5.00", stock=30)
    past_countdown(frozen_clock)
    page = client.get(f"/live/{made.id}")
    assert page.status_code == 200
    html = page.text
    assert 'data-testid="live-video"' in html and 'id="live-chat"' in html
    assert 'data-testid="pinned-product"' in html and "Buy at £5.00" in html
    assert "30 of 30 left" in html
    assert f'name="source_id" value="{made.id}"' in html
    assert "/static/css/live.css" in html


def test_the_polled_state_answers_204_while_nothing_changes(client):
    made = room_on_air(client)
    assert client.get(f"/live/{made.id}").status_code == 200
    first = client.get(f"/live/{made.id}/state")
    assert first.status_code == 200
    version = re.search(r"state\?v=([0-9a-f]+)", first.text)
    assert version is not None
    assert client.get(f"/live/{made.id}/state?v={version.group(1)}").status_code == 204
    with transaction() as session:
        service.pin(session, service.get_room(session, made.id), None)
    changed = client.get(f"/live/{made.id}/state?v={version.group(1)}")
    assert changed.status_code == 200 and 'data-testid="pinned-product"' not in changed.text


def test_rooms_on_air_are_listed(client):
    made = room_on_air(client)
    page = client.get("/live")
    assert page.status_code == 200 and f'href="/live/{made.id}"' in page.text


def test_an_unknown_room_page_is_404(client):
    assert client.get("/live/42").status_code == 404


def test_a_host_schedules_goes_live_fills_the_bag_pins_and_runs_a_flash_sale(client):
    item = listing(client, price="9.99")
    token = log_in(client, item.seller.email)
    base = f"/seller/{item.seller.shop_id}/live"
    assert client.get(base).status_code == 200
    made = client.post(base, data=_form(token, title="Friday drop", planned_minutes="60",
                                            scheduled_at=""), follow_redirects=False)
    assert made.status_code == 303, made.text
    console = made.headers["location"]
    room_id = int(console.rsplit("/", 1)[1])
    for action, fields in (("start", {}), ("bag-add", {"product_id": str(item.product_id)}),
                           ("pin", {"product_id": str(item.product_id)}),
                           ("flash-sale", {"sku_id": str(item.sku_ids[0]), "deal_price": "4.99",
                                           "stock": "10", "per_buyer_limit": "1",
                                           "countdown_seconds": "10",
                                           "duration_minutes": "5"})):
        done = client.post(f"{console}/{action}", data=_form(token, **fields),
                           follow_redirects=False)
        assert done.status_code == 303, (action, done.text[:500])
    page = client.get(console)
    assert page.status_code == 200 and "4.99" in page.text and "upcoming" in page.text
    state = client.get(f"/api/v1/lives/{room_id}").json()
    assert state["status"] == "LIVE"
    assert state["pinned_product"]["id"] == str(item.product_id)
    assert state["flash_sale"]["stock_total"] == 10


def test_a_console_mistake_is_shown_and_changes_nothing(client):
    made = scheduled_room(client, price="9.99")
    token = log_in(client, made.item.seller.email)
    console = f"/seller/{made.item.seller.shop_id}/live/{made.id}"
    refused = client.post(f"{console}/flash-sale", data=_form(
        token, sku_id=str(made.sku), deal_price="4.99", stock="10", per_buyer_limit="1",
        countdown_seconds="10", duration_minutes="5"))
    assert refused.status_code == 409 and "on air" in refused.text
    assert client.get(f"/api/v1/lives/{made.id}").json()["flash_sale"] is None


def test_another_shops_staff_cannot_open_the_console(client):
    made = scheduled_room(client)
    other = listing(client, shop_name="Other")
    log_in(client, other.seller.email)
    page = client.get(f"/seller/{made.item.seller.shop_id}/live/{made.id}")
    assert page.status_code == 404
