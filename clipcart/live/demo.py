"""Demo LIVEs: one room on air per demo shop, with a looping clip instead of a media server,
a bag of the shop's products, a pinned one and a flash sale counting down. Idempotent: a
shop that already has a room on air gets nothing new."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.catalog.buyer import sku_offer
from clipcart.errors import DomainError
from clipcart.live import flash, service
from clipcart.live.models import LiveRoom
from clipcart.live.products import room_products, shop_product_ids
from clipcart.markets import get_markets, market
from clipcart.media import get_storage
from clipcart.money import Money, exponent
from clipcart.shops.models import Shop
from clipcart.social.clips import generate_clip

BAG_SIZE = 6
COLOURS = ("#7c3aed", "#ff2d55", "#0a8a5a", "#b45309", "#1d4ed8")


def attach_demo_video(session: Session, room: LiveRoom, data: bytes) -> str:
    """Store a clip for the room to loop while no media server streams it."""
    key = f"live/{room.id}/demo.mp4"
    get_storage().put(key, data, "video/mp4")
    room.demo_video_key = key
    session.flush()
    return key


def deal_price(lowest: Money, market_code: str) -> str:
    """About 30% off the lowest price, rounded down to what the market charges."""
    where = market(market_code)
    unit = 10 ** (exponent(lowest.currency) - where.price_digits)
    minor = lowest.minor * 7 // 10 // unit * unit
    return Money(max(minor, unit), lowest.currency).amount_str(where.price_digits)


def _room(session: Session, shop: Shop, index: int) -> LiveRoom | None:
    if any(r.status == "LIVE" for r in service.rooms_of_shop(session, shop.id, limit=20)):
        return None
    products = shop_product_ids(session, shop.id, limit=BAG_SIZE)
    if not products:
        return None
    shortest, _ = service.duration_bounds()
    room = service.schedule(session, shop_id=shop.id, user_id=shop.owner_user_id,
                            title=f"{shop.name}: new arrivals LIVE", scheduled_at=clock.now(),
                            planned_minutes=max(shortest, 120))
    clip = generate_clip(6.0, (360, 640), COLOURS[index % len(COLOURS)], f"{shop.name} LIVE",
                         fps=12)
    attach_demo_video(session, room, clip)
    service.start(session, room, shop.owner_user_id)
    for product_id in products:
        service.add_to_bag(session, room, product_id)
    pinned = room_products(session, [products[0]]).get(products[0])
    service.pin(session, room, products[0])
    if pinned is not None and pinned.skus:
        offer = sku_offer(session, pinned.skus[0].id)
        lowest = flash.lowest_price(session, offer.sku_id, offer.price)
        low_countdown, _ = get_markets().rule("flash_sale_countdown_seconds")
        _, long_minutes = get_markets().rule("flash_sale_duration_minutes")
        try:
            with session.begin_nested():
                flash.create_sale(session, room, sku_id=offer.sku_id,
                                  deal_price=deal_price(lowest, room.market), stock=30,
                                  per_buyer_limit=2, countdown_seconds=int(low_countdown),
                                  duration_minutes=int(long_minutes))
        except DomainError:
            pass  # a price too low to discount: the LIVE runs without a flash sale
    return room


def seed_live(session: Session, shops: Sequence[Shop]) -> Iterator[str]:
    for index, shop in enumerate(shops):
        room = _room(session, shop, index)
        if room is not None:
            yield f"LIVE ({shop.market}): {shop.name} is on air at /live/{room.id}"
