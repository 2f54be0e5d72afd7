"""The demo has a LIVE on air per demo shop, with a looping clip, a pin and a flash sale."""

from __future__ import annotations

from sqlalchemy import func, select

from clipcart.db import transaction
from clipcart.demo import seed
from clipcart.live.demo import deal_price
from clipcart.live.models import LiveRoom
from clipcart.money import Money


def test_the_demo_puts_a_live_on_air_per_shop_once(client):
    lines = list(seed())
    assert sum(line.startswith("LIVE (") for line in lines) == 5
    with transaction() as session:
        rooms = session.execute(select(LiveRoom).where(LiveRoom.status == "LIVE")).scalars().all()
        assert {r.market for r in rooms} == {"GB", "US", "SG", "ID", "VN"}
        gb = next(r for r in rooms if r.market == "GB")
    state = client.get(f"/api/v1/lives/{gb.id}").json()
    assert state["playback"]["loop"] is True
    assert client.get(state["playback"]["demo_video_url"]).headers["content-type"] == "video/mp4"
    assert state["pinned_product"] is not None and len(state["products"]) == 6
    assert state["flash_sale"]["status"] in ("UPCOMING", "RUNNING")  # a slow seed ran past it
    sale_price = Money.parse(state["flash_sale"]["deal_price"]["amount"], "GBP")
    assert sale_price < Money.parse(state["flash_sale"]["price"]["amount"], "GBP")
    list(seed())
    with transaction() as session:
        assert session.execute(select(func.count()).select_from(LiveRoom)).scalar_one() == 5


def test_demo_deal_prices_round_down_to_what_the_market_charges():
    assert deal_price(Money(2490, "GBP"), "GB") == "17.43"
    assert deal_price(Money(39900000, "IDR"), "ID") == "279300"
    assert deal_price(Money(539000, "VND"), "VN") == "377300"
