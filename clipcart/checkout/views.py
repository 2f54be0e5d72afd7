"""What the checkout pages show: cart lines by shop, and a checkout with its orders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from clipcart.checkout.carts import CartLineView, CartView
from clipcart.checkout.refunds import refunds_of_checkout
from clipcart.checkout.service import CheckoutDetail, address_of
from clipcart.config import get_settings
from clipcart.markets import market
from clipcart.money import Money
from clipcart.payments.config import get_payment_settings
from clipcart.shops import service as shops


@dataclass(frozen=True)
class ShopGroup:
    shop_id: int
    shop_name: str
    lines: list[CartLineView]
    subtotal: Money


def _shop_names(session: Session, shop_ids: list[int]) -> dict[int, str]:
    names = {}
    for shop_id in shop_ids:  # a cart spans a handful of shops
        shop = shops.get_shop(session, shop_id)
        names[shop_id] = shop.name if shop else "Shop"
    return names


def group_cart(session: Session, cart: CartView) -> list[ShopGroup]:
    by_shop = cart.by_shop()
    names = _shop_names(session, sorted(by_shop))
    groups = []
    for shop_id, lines in sorted(by_shop.items()):
        currency = lines[0].offer.price.currency if lines[0].offer else "USD"
        subtotal = Money.zero(currency)
        for line in lines:
            total = line.line_total
            if total is not None:
                subtotal = subtotal + total
        groups.append(ShopGroup(shop_id, names[shop_id], lines, subtotal))
    return groups


def checkout_page_context(session: Session, detail: CheckoutDetail) -> dict[str, Any]:
    c = detail.checkout
    names = _shop_names(session, sorted({o.shop_id for o in detail.orders}))
    return {"checkout": c, "market": market(c.market), "orders": detail.orders,
            "lines": detail.lines, "shop_names": names, "address": address_of(c),
            "refunds": refunds_of_checkout(session, c.id),
            "money": lambda minor: market(c.market).format(Money(minor, c.currency)),
            "psp_tokens_url": tokens_url()}


def tokens_url() -> str:
    """Where the browser tokenizes a card: the mounted sandbox by path, else the provider."""
    base = get_payment_settings().provider_base_url.rstrip("/")
    if base.startswith(get_settings().base_url.rstrip("/")):
        return urlsplit(base).path + "/tokens"
    return base + "/tokens"
