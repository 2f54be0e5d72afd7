"""Checkouts: the cart priced once, one UNPAID order per shop, stock held per order.

``create_checkout`` runs in the caller's transaction: the checkout, its orders and every
order's reservation (reference ``order:<id>``) commit together or not at all, so a 409
OUT_OF_STOCK leaves nothing behind. Payment lives in ``payment.py``; refunds in
``refunds.py``. A checkout's status moves by one conditional UPDATE with a history row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from clipcart import clock, crypto
from clipcart.catalog.buyer import sku_offers
from clipcart.checkout.carts import buyer_market
from clipcart.checkout.models import Cart, CartLine, Checkout, CheckoutHistory
from clipcart.checkout.pricing import (
    Address,
    WantedLine,
    claim_adjustments,
    clean_address,
    line_adjustments,
    price_orders,
)
from clipcart.db import built_once
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.ids import new_id
from clipcart.inventory import service as inventory
from clipcart.markets import get_markets
from clipcart.orders import service as orders
from clipcart.orders.models import Order, OrderLine

ALLOWED: dict[str, frozenset[str]] = {
    "OPEN": frozenset({"PAID", "EXPIRED", "CANCELLED", "PAYMENT_FAILED"}),
    "PAID": frozenset(),
    "EXPIRED": frozenset(),
    "CANCELLED": frozenset(),
    "PAYMENT_FAILED": frozenset(),
}


def reservation_reference(order_id: int) -> str:
    return f"order:{order_id}"


def payment_reference(checkout_id: int) -> str:
    return f"checkout:{checkout_id}"


def unpaid_ttl() -> timedelta:
    return timedelta(minutes=int(get_markets().rule("unpaid_order_ttl_minutes")))


@dataclass(frozen=True)
class CheckoutDetail:
    checkout: Checkout
    orders: list[Order]
    lines: dict[int, list[OrderLine]]


def _buyer_lines_query(_dialect: str) -> Any:
    """The buyer's cart lines as plain rows (read, never changed, by checkout)."""
    lines, carts = CartLine.__table__.c, Cart.__table__.c
    return (select(lines.sku_id, lines.quantity, lines.source_type, lines.source_id)
            .join_from(CartLine.__table__, Cart.__table__, carts.id == lines.cart_id)
            .where(carts.user_id == bindparam("user_id")).order_by(lines.id))


def create_checkout(session: Session, *, buyer_user_id: int, buyer_country: str,
                    shipping_address: Mapping[str, object],
                    before_hold: Callable[[CheckoutDetail], None] | None = None
                    ) -> CheckoutDetail:
    """Price the buyer's cart, create one UNPAID order per shop and hold their stock.
    ``before_hold`` sees the checkout before its stock is reserved (in the same
    transaction): the stock rows, which every buyer of a flash sale updates, come last."""
    market_code = buyer_market(buyer_country)
    address = clean_address(shipping_address, market_code)
    rows = session.execute(built_once(session, _buyer_lines_query),
                           {"user_id": buyer_user_id}).all()
    if not rows:
        raise ValidationFailed("Your cart is empty.", field="cart", code="CART_EMPTY")
    # sold out first: in a flash sale nearly every checkout ends here, before pricing
    inventory.require_available(session, {r.sku_id: r.quantity for r in rows})
    offers = sku_offers(session, [r.sku_id for r in rows])
    for row in rows:
        offer = offers.get(row.sku_id)
        if offer is None or offer.market != market_code:
            raise Conflict(f"SKU {row.sku_id} in your cart is no longer on sale; remove it "
                           "to check out.", code="SKU_NOT_AVAILABLE",
                           extra={"sku_id": str(row.sku_id)})
    wanted = [WantedLine(r.sku_id, r.quantity, r.source_type, r.source_id) for r in rows]
    adjustments = line_adjustments(session, offers, wanted)
    drafts = price_orders(session, market_code, offers, wanted, address, adjustments)
    detail = _open(session, buyer_user_id, market_code, address, drafts)
    if adjustments:
        order_of_sku = {line.sku_id: order_id for order_id, lines in detail.lines.items()
                        for line in lines}
        claim_adjustments(session, buyer_user_id=buyer_user_id, adjustments=adjustments,
                          lines=[(order_of_sku[w.sku_id], w) for w in wanted])
    if before_hold is not None:
        before_hold(detail)
    _hold(session, detail)
    return detail


def _open(session: Session, buyer_user_id: int, market_code: str, address: Address,
          drafts: list[orders.OrderDraft]) -> CheckoutDetail:
    now = clock.now()
    expires_at = now + unpaid_ttl()
    sealed = crypto.encrypt(address.as_json(), "address")
    checkout = Checkout(
        id=new_id(), buyer_user_id=buyer_user_id, market=market_code,
        currency=drafts[0].currency, status="OPEN",
        subtotal_minor=sum(d.subtotal_minor for d in drafts),
        shipping_minor=sum(d.shipping_minor for d in drafts),
        tax_minor=sum(d.tax_minor for d in drafts),
        total_minor=sum(d.total_minor for d in drafts), shipping_address=sealed,
        expires_at=expires_at, created_at=now)
    session.add(checkout)
    session.add(CheckoutHistory(id=new_id(), checkout_id=checkout.id, from_status=None,
                                to_status="OPEN", reason="", created_at=now))
    session.flush()
    created = orders.create_orders(session, checkout_id=checkout.id,
                                   buyer_user_id=buyer_user_id, shipping_address=sealed,
                                   drafts=drafts)
    return CheckoutDetail(checkout, created, orders.lines_of(session, [o.id for o in created]))


def _hold(session: Session, detail: CheckoutDetail) -> None:
    """Reserve every order's lines until the checkout expires."""
    for order in detail.orders:
        inventory.reserve(session, reference=reservation_reference(order.id),
                          lines=[(line.sku_id, line.quantity)
                                 for line in detail.lines.get(order.id, [])],
                          expires_at=detail.checkout.expires_at)


def lock_checkout(session: Session, checkout_id: int) -> Checkout:
    """The checkout row, locked: capture, failure and expiry of one checkout queue here."""
    found = session.execute(select(Checkout).where(Checkout.id == checkout_id)
                            .with_for_update()
                            .execution_options(populate_existing=True)).scalar_one_or_none()
    if found is None:
        raise NotFound("No such checkout.")
    return found


def move(session: Session, checkout: Checkout, target: str, reason: str = "",
         paid_at: datetime | None = None) -> bool:
    """OPEN -> target, once; False when the checkout had already left OPEN."""
    current = checkout.status
    if target not in ALLOWED.get(current, frozenset()):
        return False
    values: dict[str, object] = {"status": target}
    if paid_at is not None:
        values["paid_at"] = paid_at
    moved = session.execute(  # RETURNING the row refreshes ``checkout`` (no read back)
        update(Checkout).where(Checkout.id == checkout.id, Checkout.status == current)
        .values(**values).returning(Checkout)
        .execution_options(populate_existing=True, synchronize_session=False)
    ).scalars().first()
    if moved is None:
        return False
    session.add(CheckoutHistory(id=new_id(), checkout_id=checkout.id, from_status=current,
                                to_status=target, reason=reason[:1000], created_at=clock.now()))
    session.flush()
    return True


def buyer_checkout(session: Session, buyer_user_id: int, checkout_id: int) -> CheckoutDetail:
    checkout = session.get(Checkout, checkout_id, populate_existing=True)
    if checkout is None or checkout.buyer_user_id != buyer_user_id:
        raise NotFound("No such checkout.")
    found = orders.orders_of_checkout(session, checkout_id)
    return CheckoutDetail(checkout, found, orders.lines_of(session, [o.id for o in found]))


def address_of(checkout: Checkout) -> Address:
    return Address.from_json(crypto.decrypt(checkout.shipping_address, "address"))


def history_of(session: Session, checkout_id: int) -> list[CheckoutHistory]:
    return list(session.execute(select(CheckoutHistory)
                                .where(CheckoutHistory.checkout_id == checkout_id)
                                .order_by(CheckoutHistory.id)).scalars())
