"""Carts: one per buyer across shops, or one per signed-out visitor (keyed by a cookie).

A visitor's cookie token is stored hashed; on log-in ``merge_guest_cart`` moves its lines
into the buyer's cart. Lines hold only live SKUs; a buyer's cart holds only SKUs of the
buyer's market. Quantities change by single UPDATEs; a line's first insert races through a
savepoint on the unique (cart, SKU) index.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.catalog.buyer import SkuOffer, sku_offer, sku_offers
from clipcart.checkout.models import Cart, CartLine
from clipcart.db import built_once, upsert_for
from clipcart.errors import Forbidden, NotFound, ValidationFailed
from clipcart.ids import new_id
from clipcart.inventory import service as inventory
from clipcart.markets import get_markets
from clipcart.money import Money

GUEST_COOKIE = "cc_cart"
MAX_QUANTITY = 99
SOURCE_TYPES = ("video", "live", "showcase", "search", "ad", "direct")


@dataclass(frozen=True)
class CartLineView:
    id: int
    sku_id: int
    quantity: int
    source_type: str
    source_id: str | None
    offer: SkuOffer | None  # None: no longer on sale

    @property
    def line_total(self) -> Money | None:
        return self.offer.price.times(self.quantity) if self.offer else None


@dataclass(frozen=True)
class CartView:
    id: int | None
    market: str | None
    lines: list[CartLineView]
    subtotal: Money | None

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    def by_shop(self) -> dict[int, list[CartLineView]]:
        groups: dict[int, list[CartLineView]] = {}
        for line in self.lines:
            if line.offer is not None:
                groups.setdefault(line.offer.shop_id, []).append(line)
        return groups


def buyer_market(country: str) -> str:
    """The market a buyer shops in; 403 NOT_IN_MARKET outside the platform's markets."""
    if country not in get_markets():
        raise Forbidden("Shopping is available only in the platform's markets "
                        f"({', '.join(m.code for m in get_markets())}).", code="NOT_IN_MARKET")
    return country.upper()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_guest_token() -> str:
    return secrets.token_urlsafe(24)


def _find(session: Session, *, user_id: int | None, token_hash: str | None) -> int | None:
    where = Cart.user_id == user_id if user_id is not None else \
        Cart.guest_token_hash == token_hash
    return session.execute(select(Cart.id).where(where)).scalar_one_or_none()


def cart_id_for(session: Session, *, user_id: int | None = None, guest_token: str | None = None,
                create: bool = False) -> int | None:
    """The buyer's (or visitor's) cart. With ``create`` the caller is about to change it:
    the cart is created on first use, or marked changed now, in one upsert."""
    if user_id is None and not guest_token:
        return None
    token_hash = hash_token(guest_token) if guest_token and user_id is None else None
    if not create:
        return _find(session, user_id=user_id, token_hash=token_hash)
    now = clock.now()
    touch = built_once(session, _touch_by_user if user_id is not None else _touch_by_guest)
    return int(session.execute(touch, {"id": new_id(), "user_id": user_id,
                                       "guest_token_hash": token_hash, "now": now}
                               ).scalar_one())


def _touch_on(dialect: str, key: str) -> Any:
    now = bindparam("now", type_=Cart.updated_at.type)
    added = upsert_for(dialect, Cart.__table__).values(
        id=bindparam("id"), user_id=bindparam("user_id"),
        guest_token_hash=bindparam("guest_token_hash"), created_at=now, updated_at=now)
    return added.on_conflict_do_update(
        index_elements=[key], set_={"updated_at": added.excluded.updated_at}
    ).returning(Cart.__table__.c.id)


def _touch_by_user(dialect: str) -> Any:
    return _touch_on(dialect, "user_id")


def _touch_by_guest(dialect: str) -> Any:
    return _touch_on(dialect, "guest_token_hash")


def _add_or_top_up(dialect: str) -> Any:
    least = func.min if dialect == "sqlite" else func.least
    added = upsert_for(dialect, CartLine.__table__).values(
        id=bindparam("id"), cart_id=bindparam("cart_id"), sku_id=bindparam("sku_id"),
        quantity=bindparam("quantity"), source_type=bindparam("source_type"),
        source_id=bindparam("source_id"),
        added_at=bindparam("added_at", type_=CartLine.added_at.type))
    return added.on_conflict_do_update(
        index_elements=["cart_id", "sku_id"],
        set_={"quantity": least(added.table.c.quantity + added.excluded.quantity, MAX_QUANTITY),
              "source_type": added.excluded.source_type,
              "source_id": added.excluded.source_id})


def _quantity(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_QUANTITY:
        raise ValidationFailed(f"Quantity is a whole number from 1 to {MAX_QUANTITY}.",
                               field="quantity")
    return value


def _source(source_type: str, source_id: str | None) -> tuple[str, str | None]:
    if source_type not in SOURCE_TYPES:
        raise ValidationFailed(f"source.type is one of {', '.join(SOURCE_TYPES)}.",
                               field="source.type")
    if source_id is not None and (not 1 <= len(source_id) <= 40 or not source_id.isprintable()):
        raise ValidationFailed("source.id is 1 to 40 printable characters.", field="source.id")
    return source_type, source_id


def _cart_market(session: Session, cart_id: int) -> str | None:
    sku_ids = list(session.execute(select(CartLine.sku_id).where(CartLine.cart_id == cart_id)
                                   .limit(20)).scalars())
    offers = sku_offers(session, sku_ids)
    return next((o.market for o in offers.values()), None)


def _require_market(offer: SkuOffer, market: str | None) -> None:
    if market is not None and offer.market != market:
        raise NotFound("This product is not sold in your market.", code="SKU_NOT_AVAILABLE")


def offer_to_add(session: Session, *, sku_id: int, quantity: object,
                 market: str | None) -> SkuOffer:
    """What a buyer's "Add to cart" checks before the cart is touched (reads only): a live
    SKU, sold in ``market`` (None: not known yet), with ``quantity`` units to sell now. A
    sold-out SKU is a 409 OUT_OF_STOCK here, at once, as the product page shows it; the
    checkout's reservation still decides (a unit seen here may be gone by then)."""
    wanted = _quantity(quantity)
    offer = sku_offer(session, sku_id)
    _require_market(offer, market)
    inventory.require_available(session, {sku_id: wanted})
    return offer


def add_line(session: Session, cart_id: int, *, sku_id: int, quantity: int,
             source_type: str = "direct", source_id: str | None = None,
             market: str | None = None, offer: SkuOffer | None = None) -> SkuOffer:
    """Add units of a live SKU (to an existing line: quantities add up, capped) to a cart
    from ``cart_id_for(create=True)``; the SKU's offer, for the answer (``offer``: read
    already, by ``offer_to_add``). No stock check: merging a visitor's cart keeps its lines.

    ``market`` is the buyer's market; a visitor's cart keeps to the market of its lines.
    """
    quantity = _quantity(quantity)
    source_type, source_id = _source(source_type, source_id)
    offer = offer or sku_offer(session, sku_id)
    _require_market(offer, market or _cart_market(session, cart_id))
    session.execute(built_once(session, _add_or_top_up), {
        "id": new_id(), "cart_id": cart_id, "sku_id": sku_id, "quantity": quantity,
        "source_type": source_type, "source_id": source_id, "added_at": clock.now()})
    return offer


def set_quantity(session: Session, cart_id: int, line_id: int, quantity: int) -> None:
    quantity = _quantity(quantity)
    changed = session.execute(
        update(CartLine).where(CartLine.id == line_id, CartLine.cart_id == cart_id)
        .values(quantity=quantity).returning(CartLine.id)
        .execution_options(synchronize_session=False)).first()
    if changed is None:
        raise NotFound("No such line in your cart.")


def remove_line(session: Session, cart_id: int, line_id: int) -> None:
    removed = session.execute(
        delete(CartLine).where(CartLine.id == line_id, CartLine.cart_id == cart_id)
        .returning(CartLine.id).execution_options(synchronize_session=False)).first()
    if removed is None:
        raise NotFound("No such line in your cart.")


def remove_skus(session: Session, user_id: int, sku_ids: Sequence[int]) -> None:
    """Bought: take these SKUs out of the buyer's cart."""
    if sku_ids:
        session.execute(delete(CartLine).where(
            CartLine.cart_id == select(Cart.id).where(Cart.user_id == user_id).scalar_subquery(),
            CartLine.sku_id.in_(list(sku_ids))))


def _lines_query(_dialect: str) -> Any:
    """A cart's lines as plain rows: the cart view reads them on every cart change."""
    lines = CartLine.__table__.c
    return (select(lines.id, lines.sku_id, lines.quantity, lines.source_type, lines.source_id)
            .where(lines.cart_id == bindparam("cart_id")).order_by(lines.id))


def view_cart(session: Session, cart_id: int | None,
              known: Mapping[int, SkuOffer] | None = None) -> CartView:
    """The cart with today's prices (two queries; one when ``known`` has every line's offer,
    as just read)."""
    if cart_id is None:
        return CartView(None, None, [], None)
    rows = session.execute(built_once(session, _lines_query), {"cart_id": cart_id}).all()
    known = known or {}
    offers = {**known, **sku_offers(session, [r.sku_id for r in rows if r.sku_id not in known])}
    lines = [CartLineView(r.id, r.sku_id, r.quantity, r.source_type, r.source_id,
                          offers.get(r.sku_id)) for r in rows]
    live = [line for line in lines if line.offer is not None]
    market = live[0].offer.market if live and live[0].offer else None
    subtotal = None
    if live and live[0].offer is not None:
        subtotal = Money.zero(live[0].offer.price.currency)
        for line in live:
            total = line.line_total
            if total is not None and total.currency == subtotal.currency:
                subtotal = subtotal + total
    return CartView(cart_id, market, lines, subtotal)


def cart_count(session: Session, *, user_id: int | None = None,
               guest_token: str | None = None) -> int:
    """Units in the buyer's (or visitor's) cart, in one query."""
    if user_id is None and not guest_token:
        return 0
    where = Cart.user_id == user_id if user_id is not None else \
        Cart.guest_token_hash == hash_token(guest_token or "")
    return int(session.execute(select(func.coalesce(func.sum(CartLine.quantity), 0))
                               .join(Cart, Cart.id == CartLine.cart_id).where(where))
               .scalar_one())


def merge_guest_cart(session: Session, user_id: int, country: str,
                     guest_token: str | None) -> int:
    """Move a visitor's lines into the buyer's cart on log-in; how many lines moved.

    Lines of another market, or no longer on sale, are dropped; the guest cart is deleted.
    """
    guest_id = cart_id_for(session, guest_token=guest_token) if guest_token else None
    if guest_id is None:
        return 0
    lines = list(session.execute(select(CartLine).where(CartLine.cart_id == guest_id)
                                 .order_by(CartLine.id)).scalars())
    moved = 0
    if country in get_markets() and lines:
        cart_id = cart_id_for(session, user_id=user_id, create=True)
        assert cart_id is not None
        offers = sku_offers(session, [line.sku_id for line in lines])
        for line in lines:
            offer = offers.get(line.sku_id)
            if offer is not None and offer.market == country.upper():
                add_line(session, cart_id, sku_id=line.sku_id, quantity=line.quantity,
                         source_type=line.source_type, source_id=line.source_id,
                         market=offer.market)
                moved += 1
    session.execute(delete(Cart).where(Cart.id == guest_id))
    return moved
