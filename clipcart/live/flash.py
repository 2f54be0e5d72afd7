"""LIVE flash sales: a seller-funded deal price on one SKU, for purchases from the room.

Rules (all bounds from markets.toml):
- the deal price must be below the lowest price buyers saw for the SKU in the last
  ``flash_sale_price_lookback_days`` (see ``lowest_price``);
- the sale starts after a countdown (``flash_sale_countdown_seconds``) and runs for
  ``flash_sale_duration_minutes``; one sale at a time per room;
- it has its own stock (``stock_left``), taken by one conditional UPDATE when a checkout is
  created from the room (not at add-to-cart), given back when that checkout's reservation
  expires or its order is cancelled; and a per-buyer limit (``FlashSaleClaim``, raised by
  one conditional UPDATE capped at the limit);
- checkout honours the deal price only for a cart line whose source is ``live:<room id>``
  while the sale runs (``LivePricer``, plugged into checkout's pricing seam). Once the sale
  is sold out, ended or not yet started, the line pays the SKU's usual price. A checkout
  that loses the race for the last units gets 409 FLASH_SALE_SOLD_OUT and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.catalog.buyer import SkuOffer, sku_offer, sku_offers
from clipcart.checkout.pricing import PriceAdjustment, WantedLine, register_line_pricer
from clipcart.db import upsert
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.ids import new_id, parse_id
from clipcart.live import service
from clipcart.live.models import FlashSale, FlashSaleClaim, FlashSaleOrder, LiveRoom, SkuPricePoint
from clipcart.markets import get_markets, market
from clipcart.money import Money, MoneyError


def _bounds(name: str) -> tuple[int, int]:
    low, high = get_markets().rule(name)
    return int(low), int(high)


# -- price history ----------------------------------------------------------------------

def record_price(session: Session, sku_id: int, price: Money, at: datetime) -> bool:
    """Note the SKU's buyer-facing price from ``at`` on, unless it is already the latest."""
    latest = session.execute(select(SkuPricePoint.price_minor, SkuPricePoint.currency)
                             .where(SkuPricePoint.sku_id == sku_id)
                             .order_by(SkuPricePoint.observed_at.desc(), SkuPricePoint.id.desc())
                             .limit(1)).first()
    if latest is not None and (latest[0], latest[1]) == (price.minor, price.currency):
        return False
    session.add(SkuPricePoint(id=new_id(), sku_id=sku_id, currency=price.currency,
                              price_minor=price.minor, observed_at=at))
    session.flush()
    return True


def lowest_price(session: Session, sku_id: int, current: Money) -> Money:
    """The lowest price of the lookback window: the current price, every price recorded in
    the window, and the price in force when the window opened (the last one before it)."""
    now = clock.now()
    since = now - timedelta(days=int(get_markets().rule("flash_sale_price_lookback_days")))
    in_window = session.execute(select(func.min(SkuPricePoint.price_minor))
                                .where(SkuPricePoint.sku_id == sku_id,
                                       SkuPricePoint.currency == current.currency,
                                       SkuPricePoint.observed_at >= since,
                                       SkuPricePoint.observed_at <= now)).scalar_one()
    before = session.execute(select(SkuPricePoint.price_minor)
                             .where(SkuPricePoint.sku_id == sku_id,
                                    SkuPricePoint.currency == current.currency,
                                    SkuPricePoint.observed_at < since)
                             .order_by(SkuPricePoint.observed_at.desc()).limit(1)
                             ).scalar_one_or_none()
    candidates = [current.minor] + [v for v in (in_window, before) if v is not None]
    return Money(min(candidates), current.currency)


# -- sales ------------------------------------------------------------------------------

def _whole(value: object, field: str, label: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(f"{label} is a whole number from {low} to {high}.", field=field)
    return value


def create_sale(session: Session, room: LiveRoom, *, sku_id: int, deal_price: str,
                stock: int, per_buyer_limit: int, countdown_seconds: int,
                duration_minutes: int) -> FlashSale:
    room = service.lock_room(session, room.id)
    if room.status != "LIVE":
        raise Conflict("Flash sales run during a LIVE on air.", code="ROOM_NOT_LIVE")
    countdown = _whole(countdown_seconds, "countdown_seconds", "The countdown in seconds",
                       *_bounds("flash_sale_countdown_seconds"))
    duration = _whole(duration_minutes, "duration_minutes", "The duration in minutes",
                      *_bounds("flash_sale_duration_minutes"))
    units = _whole(stock, "stock", "The flash sale stock", 1, 1_000_000)
    limit = _whole(per_buyer_limit, "per_buyer_limit", "The limit per buyer", 1, units)
    try:
        offer = sku_offer(session, sku_id)
    except NotFound:
        raise ValidationFailed("Choose a product option on sale.", field="sku_id") from None
    if offer.shop_id != room.shop_id or offer.product_id not in service.bag_ids(session,
                                                                                room.id):
        raise ValidationFailed("Put the product in this LIVE's bag first.", field="sku_id",
                               code="NOT_IN_BAG")
    where = market(room.market)
    try:
        deal = where.parse_price(deal_price)
    except (MoneyError, TypeError):
        raise ValidationFailed(f"The deal price is an amount in {where.currency}.",
                               field="deal_price") from None
    reference = lowest_price(session, sku_id, offer.price)
    if deal.minor <= 0 or deal >= reference:
        raise ValidationFailed(
            f"The deal price must be below {where.format(reference)}, the lowest price of "
            f"the last {get_markets().rule('flash_sale_price_lookback_days')} days.",
            field="deal_price", code="DEAL_PRICE_TOO_HIGH")
    if current_sale(session, room.id) is not None:
        raise Conflict("A flash sale is already on in this LIVE; end it first.",
                       code="FLASH_SALE_RUNNING")
    now = clock.now()
    starts = now + timedelta(seconds=countdown)
    sale = FlashSale(id=new_id(), room_id=room.id, shop_id=room.shop_id,
                     product_id=offer.product_id, sku_id=sku_id, currency=deal.currency,
                     deal_price_minor=deal.minor, reference_price_minor=reference.minor,
                     stock_total=units, stock_left=units, per_buyer_limit=limit,
                     status="ACTIVE", starts_at=starts,
                     ends_at=starts + timedelta(minutes=duration), created_at=now)
    session.add(sale)
    session.flush()
    events.emit(session, "live.flash_sale_created", {
        "sale_id": str(sale.id), "room_id": str(room.id), "shop_id": str(room.shop_id),
        "sku_id": str(sku_id), "deal_price": where.as_json(deal), "stock": units})
    service.publish(session, room.id, "flash_sale", sale_json(session, sale) or {})
    return sale


def current_sale(session: Session, room_id: int) -> FlashSale | None:
    """The room's active sale (counting down, running or sold out), if any."""
    return session.execute(select(FlashSale).where(FlashSale.room_id == room_id,
                                                   FlashSale.status == "ACTIVE")
                           .execution_options(populate_existing=True)).scalar_one_or_none()


def _close(session: Session, sales: Any, status: str) -> list[int]:
    rooms = [r[0] for r in session.execute(sales.values(status=status, ended_at=clock.now())
                                           .returning(FlashSale.room_id)
                                           .execution_options(synchronize_session=False))]
    for room_id in rooms:
        service.publish(session, room_id, "flash_sale", {"id": None, "status": "ENDED"})
    return rooms


def end_running(session: Session, room_id: int, reason: str = "") -> bool:
    """End the room's active sale now (host's choice or the room ending)."""
    return bool(_close(session, update(FlashSale).where(FlashSale.room_id == room_id,
                                                        FlashSale.status == "ACTIVE"),
                       "ENDED"))


def end_due(session: Session) -> int:
    """End active sales whose time is up; how many ended."""
    return len(_close(session, update(FlashSale).where(FlashSale.status == "ACTIVE",
                                                       FlashSale.ends_at <= clock.now()),
                      "ENDED"))


def phase(sale: FlashSale, now: datetime) -> str:
    if sale.status != "ACTIVE" or now >= sale.ends_at:
        return "ENDED"
    if now < sale.starts_at:
        return "UPCOMING"
    return "RUNNING" if sale.stock_left > 0 else "SOLD_OUT"


def sale_json(session: Session, sale: FlashSale | None) -> dict[str, Any] | None:
    if sale is None:
        return None
    now = clock.now()
    room = session.get(LiveRoom, sale.room_id)
    where = market(room.market if room else "GB")
    offer = sku_offers(session, [sale.sku_id]).get(sale.sku_id)
    return {
        "id": str(sale.id), "status": phase(sale, now), "product_id": str(sale.product_id),
        "sku_id": str(sale.sku_id), "title": offer.title if offer else "",
        "deal_price": where.as_json(Money(sale.deal_price_minor, sale.currency)),
        "price": where.as_json(offer.price) if offer else None,
        "reference_price": where.as_json(Money(sale.reference_price_minor, sale.currency)),
        "stock_total": sale.stock_total, "stock_left": sale.stock_left,
        "per_buyer_limit": sale.per_buyer_limit,
        "starts_at": sale.starts_at.isoformat(), "ends_at": sale.ends_at.isoformat(),
        "seconds_to_start": max(0, int((sale.starts_at - now).total_seconds())),
        "seconds_left": max(0, int((sale.ends_at - now).total_seconds())),
    }


def claimed(session: Session, sale_id: int, buyer_user_id: int) -> int:
    found = session.get(FlashSaleClaim, (sale_id, buyer_user_id))
    return found.quantity if found else 0


# -- checkout's pricing seam ------------------------------------------------------------

def _grant(adjustment: PriceAdjustment) -> int:
    sale_id = parse_id(adjustment.grant.removeprefix("flash_sale:"))
    if not adjustment.grant.startswith("flash_sale:") or sale_id is None:
        raise ValueError(f"not a flash sale grant: {adjustment.grant}")
    return sale_id


class LivePricer:
    """Deal prices for cart lines from a LIVE room while its flash sale runs."""

    def adjust(self, session: Session, offer: SkuOffer,
               wanted: WantedLine) -> PriceAdjustment | None:
        room_id = parse_id(wanted.source_id or "")
        if room_id is None:
            return None
        now = clock.now()
        sale = session.execute(
            select(FlashSale).join(LiveRoom, LiveRoom.id == FlashSale.room_id)
            .where(FlashSale.room_id == room_id, FlashSale.sku_id == offer.sku_id,
                   FlashSale.status == "ACTIVE", FlashSale.starts_at <= now,
                   FlashSale.ends_at > now, FlashSale.stock_left > 0,
                   LiveRoom.status == "LIVE")).scalar_one_or_none()
        if sale is None or sale.currency != offer.price.currency \
                or sale.deal_price_minor >= offer.price.minor:
            return None
        return PriceAdjustment(Money(sale.deal_price_minor, sale.currency),
                               f"flash_sale:{sale.id}")

    def claim(self, session: Session, *, buyer_user_id: int, order_id: int, sku_id: int,
              quantity: int, adjustment: PriceAdjustment) -> None:
        sale_id = _grant(adjustment)
        now = clock.now()
        left = session.execute(
            update(FlashSale).where(FlashSale.id == sale_id, FlashSale.status == "ACTIVE",
                                    FlashSale.starts_at <= now, FlashSale.ends_at > now,
                                    FlashSale.stock_left >= quantity)
            .values(stock_left=FlashSale.stock_left - quantity)
            .returning(FlashSale.stock_left, FlashSale.room_id, FlashSale.per_buyer_limit)
            .execution_options(synchronize_session=False)).first()
        if left is None:
            raise Conflict("The flash sale sold out (or ended) just now; check out again to "
                           "buy at the usual price.", code="FLASH_SALE_SOLD_OUT",
                           extra={"sku_id": str(sku_id)})
        stock_left, room_id, limit = left
        session.execute(upsert(session, FlashSaleClaim).values(sale_id=sale_id,
                                                      buyer_user_id=buyer_user_id, quantity=0)
                        .on_conflict_do_nothing())
        held = session.execute(
            update(FlashSaleClaim).where(FlashSaleClaim.sale_id == sale_id,
                                         FlashSaleClaim.buyer_user_id == buyer_user_id,
                                         FlashSaleClaim.quantity + quantity <= limit)
            .values(quantity=FlashSaleClaim.quantity + quantity)
            .returning(FlashSaleClaim.quantity)
            .execution_options(synchronize_session=False)).first()
        if held is None:
            raise Conflict(f"The flash sale allows {limit} per buyer at the deal price; "
                           "lower the quantity or buy more at the usual price.",
                           code="FLASH_SALE_LIMIT", extra={"sku_id": str(sku_id),
                                                           "per_buyer_limit": limit})
        session.add(FlashSaleOrder(id=new_id(), sale_id=sale_id, order_id=order_id,
                                   buyer_user_id=buyer_user_id, quantity=quantity,
                                   created_at=now))
        session.flush()
        service.publish(session, room_id, "stock", {"sale_id": str(sale_id),
                                                    "stock_left": stock_left})


register_line_pricer("live", LivePricer())


def release_order(session: Session, order_id: int) -> int:
    """Give an order's flash-sale units back (to the sale and the buyer's limit), once."""
    rows = session.execute(
        update(FlashSaleOrder).where(FlashSaleOrder.order_id == order_id,
                                     FlashSaleOrder.released_at.is_(None))
        .values(released_at=clock.now())
        .returning(FlashSaleOrder.sale_id, FlashSaleOrder.buyer_user_id,
                   FlashSaleOrder.quantity)
        .execution_options(synchronize_session=False)).all()
    returned = 0
    for sale_id, buyer_user_id, quantity in sorted(rows):
        back = session.execute(update(FlashSale).where(FlashSale.id == sale_id)
                               .values(stock_left=FlashSale.stock_left + quantity)
                               .returning(FlashSale.stock_left, FlashSale.room_id)
                               .execution_options(synchronize_session=False)).first()
        session.execute(update(FlashSaleClaim)
                        .where(FlashSaleClaim.sale_id == sale_id,
                               FlashSaleClaim.buyer_user_id == buyer_user_id)
                        .values(quantity=FlashSaleClaim.quantity - quantity)
                        .execution_options(synchronize_session=False))
        returned += quantity
        if back is not None:
            service.publish(session, back[1], "stock", {"sale_id": str(sale_id),
                                                        "stock_left": back[0]})
    return returned
