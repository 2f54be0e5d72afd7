"""LIVE flash sales: price rule, bounds, the deal at checkout only from the room, limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from clipcart import clock
from clipcart.db import transaction
from clipcart.errors import Conflict, ValidationFailed
from clipcart.inventory.jobs import release_expired_now
from clipcart.live import flash, service
from clipcart.live.jobs import sweep
from clipcart.live.models import SkuPricePoint
from clipcart.markets import get_markets
from clipcart.money import Money
from tests.checkout_support import add, buyer, check_out, pay, stock
from tests.live_support import past_countdown, room_on_air, sale_row, start_sale
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def _line(answer):  # type: ignore[no-untyped-def]
    [order] = answer.json()["orders"]
    [line] = order["lines"]
    return line


def test_publishing_a_product_records_its_sku_prices(client, db):
    made = room_on_air(client, price="9.99")
    with db.sessions() as session:
        points = session.execute(select(SkuPricePoint.price_minor)
                                 .where(SkuPricePoint.sku_id == made.sku)).scalars().all()
    assert points == [999]


def test_the_deal_must_be_below_the_lowest_price_of_the_lookback_window(client, frozen_clock):
    made = room_on_air(client, price="9.99")
    days = int(get_markets().rule("flash_sale_price_lookback_days"))
    with transaction() as session:
        # 7.49 long ago, then 7.99 (in force when the window opened), then 9.99 now
        flash.record_price(session, made.sku, Money(749, "GBP"),
                           clock.now() - timedelta(days=days + 10))
        flash.record_price(session, made.sku, Money(799, "GBP"),
                           clock.now() - timedelta(days=days + 5))
        flash.record_price(session, made.sku, Money(999, "GBP"), clock.now())
    for too_high in ("7.99", "8.50"):
        with pytest.raises(ValidationFailed) as refused:
            start_sale(made, deal=too_high)
        assert refused.value.code == "DEAL_PRICE_TOO_HIGH"
    sale = sale_row(start_sale(made, deal="7.98"))
    assert (sale.deal_price_minor, sale.reference_price_minor) == (798, 799)


def test_a_price_in_force_when_the_window_opened_counts(client, frozen_clock):
    made = room_on_air(client, price="9.99")
    days = int(get_markets().rule("flash_sale_price_lookback_days"))
    with transaction() as session:
        flash.record_price(session, made.sku, Money(599, "GBP"),
                           clock.now() - timedelta(days=days + 5))
        flash.record_price(session, made.sku, Money(999, "GBP"),
                           clock.now() - timedelta(days=days - 1))
    with pytest.raises(ValidationFailed):
        start_sale(made, deal="6.00")  # 5.99 was the price until a day into the window


@pytest.mark.parametrize(("field", "kwargs"), [
    ("countdown_seconds", {"countdown": 9}), ("countdown_seconds", {"countdown": 301}),
    ("duration_minutes", {"minutes": 0}), ("duration_minutes", {"minutes": 21}),
    ("stock", {"stock": 0}), ("per_buyer_limit", {"limit": 31}),
])
def test_sale_settings_outside_the_bounds_are_refused(client, field, kwargs):
    made = room_on_air(client)
    with pytest.raises(ValidationFailed) as refused:
        start_sale(made, **kwargs)
    assert refused.value.field == field
    assert client.get(f"/api/v1/lives/{made.id}").json()["flash_sale"] is None


def test_one_sale_at_a_time_and_only_on_air(client):
    made = room_on_air(client)
    start_sale(made)
    with pytest.raises(Conflict) as twice:
        start_sale(made)
    assert twice.value.code == "FLASH_SALE_RUNNING"
    with transaction() as session:
        service.end(session, service.get_room(session, made.id), actor="seller:1")
    with pytest.raises(Conflict) as ended:
        start_sale(made)
    assert ended.value.code == "ROOM_NOT_LIVE"


def test_a_purchase_from_the_room_pays_the_deal_once_the_countdown_is_over(client,
                                                                         frozen_clock):
    made = room_on_air(client, price="9.99", list_price=None)
    sale_id = start_sale(made, deal="5.00", stock=30, limit=2, countdown=10)
    state = client.get(f"/api/v1/lives/{made.id}").json()["flash_sale"]
    assert (state["status"], state["seconds_to_start"], state["stock_left"]) == (
        "UPCOMING", 10, 30)
    early = buyer(client)
    add(client, early, made.sku, 1, source=made.source)
    assert _line(check_out(client, early))["unit_price"]["amount"] == "9.99"
    past_countdown(frozen_clock)
    who = buyer(client)
    add(client, who, made.sku, 2, source=made.source)
    made_checkout = check_out(client, who)
    assert made_checkout.status_code == 201, made_checkout.text
    line = _line(made_checkout)
    assert line["unit_price"]["amount"] == "5.00"
    assert line["list_price"]["amount"] == "9.99"
    assert line["source"] == {"type": "live", "id": str(made.id)}
    assert made_checkout.json()["orders"][0]["subtotal"]["amount"] == "10.00"
    assert pay(client, who, made_checkout.json()["id"]).json()["status"] == "PAID"
    assert sale_row(sale_id).stock_left == 28
    state = client.get(f"/api/v1/lives/{made.id}").json()["flash_sale"]
    assert (state["status"], state["stock_left"]) == ("RUNNING", 28)


def test_a_purchase_from_outside_the_room_pays_the_usual_price(client, frozen_clock):
    made = room_on_air(client, price="9.99")
    other_room = room_on_air(client)
    sale_id = start_sale(made, deal="5.00")
    past_countdown(frozen_clock)
    for source in (None, {"type": "video", "id": "1"}, other_room.source):
        who = buyer(client)
        add(client, who, made.sku, 1, source=source)
        assert _line(check_out(client, who))["unit_price"]["amount"] == "9.99"
    assert sale_row(sale_id).stock_left == 30


def test_the_per_buyer_limit_holds_across_checkouts(client, frozen_clock):
    made = room_on_air(client, price="9.99")
    sale_id = start_sale(made, deal="5.00", limit=2)
    past_countdown(frozen_clock)
    who = buyer(client)
    add(client, who, made.sku, 3, source=made.source)
    over = check_out(client, who)
    assert over.status_code == 409 and over.json()["code"] == "FLASH_SALE_LIMIT"
    assert sale_row(sale_id).stock_left == 30  # the refused checkout changed nothing
    [line] = client.get("/api/v1/cart", headers=who.headers).json()["lines"]
    client.patch(f"/api/v1/cart/lines/{line['id']}", json={"quantity": 2}, headers=who.headers)
    assert check_out(client, who).status_code == 201
    add(client, who, made.sku, 1, source=made.source)
    again = check_out(client, who)
    assert again.status_code == 409 and again.json()["code"] == "FLASH_SALE_LIMIT"
    with transaction() as session:
        assert flash.claimed(session, sale_id, who.user_id) == 2
    assert sale_row(sale_id).stock_left == 28


def test_units_come_back_when_the_checkout_expires_unpaid(client, db, frozen_clock):
    made = room_on_air(client, price="9.99", stock=10)
    sale_id = start_sale(made, deal="5.00", stock=3, limit=2, minutes=20)
    past_countdown(frozen_clock)
    who = buyer(client)
    add(client, who, made.sku, 2, source=made.source)
    assert check_out(client, who).status_code == 201
    assert sale_row(sale_id).stock_left == 1
    frozen_clock.advance(minutes=int(get_markets().rule("unpaid_order_ttl_minutes")) - 15)
    assert release_expired_now() == 0
    frozen_clock.advance(minutes=16)
    assert release_expired_now() == 1
    assert sale_row(sale_id).stock_left == 3
    with db.sessions() as session:
        assert flash.claimed(session, sale_id, who.user_id) == 0
    assert stock(db, made.sku) == (10, 0)


def test_units_come_back_when_the_buyer_cancels_the_order(client, frozen_clock):
    made = room_on_air(client, price="9.99")
    sale_id = start_sale(made, deal="5.00", stock=3, limit=2)
    past_countdown(frozen_clock)
    who = buyer(client)
    add(client, who, made.sku, 2, source=made.source)
    opened = check_out(client, who).json()
    assert pay(client, who, opened["id"]).json()["status"] == "PAID"
    order_id = opened["orders"][0]["id"]
    cancelled = client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "changed mind"},
                            headers=who.headers)
    assert cancelled.status_code == 200, cancelled.text
    assert sale_row(sale_id).stock_left == 3


def test_a_sold_out_sale_leaves_buyers_the_usual_price(client, frozen_clock):
    made = room_on_air(client, price="9.99")
    start_sale(made, deal="5.00", stock=1, limit=1)
    past_countdown(frozen_clock)
    first, second = buyer(client), buyer(client)
    add(client, first, made.sku, 1, source=made.source)
    add(client, second, made.sku, 1, source=made.source)
    assert _line(check_out(client, first))["unit_price"]["amount"] == "5.00"
    state = client.get(f"/api/v1/lives/{made.id}").json()["flash_sale"]
    assert (state["status"], state["stock_left"]) == ("SOLD_OUT", 0)
    assert _line(check_out(client, second))["unit_price"]["amount"] == "9.99"


def test_the_sweep_ends_a_sale_when_its_time_is_up(client, frozen_clock):
    made = room_on_air(client, price="9.99")
    sale_id = start_sale(made, deal="5.00", countdown=10, minutes=5)
    frozen_clock.advance(seconds=10 + 5 * 60 - 1)
    assert sweep() == (0, 0)
    frozen_clock.advance(seconds=1)
    assert sweep() == (1, 0)
    assert sale_row(sale_id).status == "ENDED"
    assert client.get(f"/api/v1/lives/{made.id}").json()["flash_sale"] is None
    who = buyer(client)
    add(client, who, made.sku, 1, source=made.source)
    assert _line(check_out(client, who))["unit_price"]["amount"] == "9.99"
