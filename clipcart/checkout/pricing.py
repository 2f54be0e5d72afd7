"""Pricing a checkout once: per line price, discount and tax; per shop shipping.

Every figure is computed here, at checkout, and stored on the order lines and orders;
nothing is recomputed later. Tax and shipping are strategies chosen by market
(``tax.strategy_for``, ``shipping.default_rule`` or the shop's own ``ShippingRate``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.catalog.buyer import SkuOffer
from clipcart.checkout.models import ShippingRate
from clipcart.checkout.shipping import ShippingRule, default_rule
from clipcart.checkout.tax import strategy_for
from clipcart.errors import ValidationFailed
from clipcart.markets import market
from clipcart.money import Money
from clipcart.orders.service import LineDraft, OrderDraft

ADDRESS_FIELDS = ("name", "phone", "line1", "line2", "city", "region", "postal_code",
                  "country")
_REQUIRED = ("name", "phone", "line1", "city", "postal_code", "country")


@dataclass(frozen=True)
class Address:
    name: str
    phone: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str

    def as_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Address:
        return cls(**json.loads(text))


def clean_address(raw: Mapping[str, object], market_code: str) -> Address:
    """A shipping address in the buyer's market (orders ship within a market)."""
    values: dict[str, str] = {}
    for name in ADDRESS_FIELDS:
        value = raw.get(name) or ""
        if not isinstance(value, str) or not value.isprintable() or len(value) > 200:
            raise ValidationFailed(f"The address {name} is text of at most 200 characters.",
                                   field=f"shipping_address.{name}")
        values[name] = value.strip()
    for name in _REQUIRED:
        if not values[name]:
            raise ValidationFailed(f"Enter the {name.replace('_', ' ')} of the shipping "
                                   "address.", field=f"shipping_address.{name}")
    values["country"] = values["country"].upper()
    if values["country"] != market_code:
        raise ValidationFailed(f"Orders in {market(market_code).name} ship to addresses in "
                               f"{market_code} only.", field="shipping_address.country")
    return Address(**values)


@dataclass(frozen=True)
class WantedLine:
    sku_id: int
    quantity: int
    source_type: str
    source_id: str | None


@dataclass(frozen=True)
class PriceAdjustment:
    """A unit price other than the SKU's own, granted to one line by its source's pricer."""

    unit_price: Money
    grant: str  # what granted it (e.g. "flash_sale:<id>"): the pricer's own reference


class LinePricer(Protocol):
    """The seam a context plugs into to price lines of its own source type (e.g. ``live``).

    ``adjust`` only reads; ``claim`` runs after the orders exist, in the same transaction,
    and raises (a Conflict) when the grant can no longer be honoured, which rolls the
    whole checkout back.
    """

    def adjust(self, session: Session, offer: SkuOffer,
               wanted: WantedLine) -> PriceAdjustment | None: ...

    def claim(self, session: Session, *, buyer_user_id: int, order_id: int, sku_id: int,
              quantity: int, adjustment: PriceAdjustment) -> None: ...


_pricers: dict[str, LinePricer] = {}


def register_line_pricer(source_type: str, pricer: LinePricer) -> None:
    _pricers[source_type] = pricer


def line_adjustments(session: Session, offers: Mapping[int, SkuOffer],
                     lines: Sequence[WantedLine]) -> dict[int, PriceAdjustment]:
    """Adjusted unit prices by SKU, from the pricer of each line's source type."""
    found = {}
    for wanted in lines:
        pricer = _pricers.get(wanted.source_type)
        adjustment = pricer.adjust(session, offers[wanted.sku_id], wanted) if pricer else None
        if adjustment is not None:
            found[wanted.sku_id] = adjustment
    return found


def claim_adjustments(session: Session, *, buyer_user_id: int,
                      lines: Sequence[tuple[int, WantedLine]],
                      adjustments: Mapping[int, PriceAdjustment]) -> None:
    """Let each pricer take what it granted, per (order id, line)."""
    for order_id, wanted in lines:
        adjustment = adjustments.get(wanted.sku_id)
        if adjustment is not None:
            _pricers[wanted.source_type].claim(
                session, buyer_user_id=buyer_user_id, order_id=order_id, sku_id=wanted.sku_id,
                quantity=wanted.quantity, adjustment=adjustment)


def shipping_rules(session: Session, market_code: str,
                   shop_ids: Sequence[int]) -> dict[int, ShippingRule]:
    """Each shop's rule: its own rate in the market's currency, else the market default."""
    fallback = default_rule(market_code)
    own = {r.shop_id: r for r in session.execute(
        select(ShippingRate).where(ShippingRate.shop_id.in_(list(shop_ids)))).scalars()}
    rules = {}
    for shop_id in shop_ids:
        rate = own.get(shop_id)
        if rate is not None and rate.currency == fallback.flat_fee.currency:
            free = Money(rate.free_above_minor, rate.currency) \
                if rate.free_above_minor is not None else None
            rules[shop_id] = ShippingRule(Money(rate.flat_fee_minor, rate.currency), free)
        else:
            rules[shop_id] = fallback
    return rules


def _line(offer: SkuOffer, wanted: WantedLine, region: str,
          adjustment: PriceAdjustment | None = None) -> LineDraft:
    if adjustment is not None:  # the usual price becomes the "was" price of the line
        offer = replace(offer, price=adjustment.unit_price,
                        list_price=max(offer.list_price or offer.price, offer.price))
    strategy = strategy_for(market(offer.market))
    line_total = offer.price.times(wanted.quantity)
    tax = strategy.line_tax(line_total, region)
    discount = 0
    if offer.list_price is not None and offer.list_price > offer.price:
        discount = (offer.list_price - offer.price).times(wanted.quantity).minor
    return LineDraft(
        sku_id=offer.sku_id, product_id=offer.product_id, title=offer.title,
        seller_sku=offer.seller_sku, sku_attributes=dict(offer.attributes),
        image_key=offer.image_key, quantity=wanted.quantity,
        unit_price_minor=offer.price.minor,
        list_price_minor=offer.list_price.minor if offer.list_price else None,
        discount_minor=discount, tax_minor=tax.tax.minor,
        total_minor=(line_total + tax.tax).minor if tax.adds_to_total else line_total.minor,
        source_type=wanted.source_type, source_id=wanted.source_id)


def price_orders(session: Session, market_code: str, offers: Mapping[int, SkuOffer],
                 lines: Sequence[WantedLine], address: Address,
                 adjustments: Mapping[int, PriceAdjustment] | None = None) -> list[OrderDraft]:
    """One priced draft per shop, shops and lines in ID order."""
    where = market(market_code)
    mode = strategy_for(where).mode
    by_shop: dict[int, list[LineDraft]] = {}
    for wanted in sorted(lines, key=lambda w: w.sku_id):
        offer = offers[wanted.sku_id]
        by_shop.setdefault(offer.shop_id, []).append(
            _line(offer, wanted, address.region, (adjustments or {}).get(wanted.sku_id)))
    rules = shipping_rules(session, market_code, sorted(by_shop))
    drafts = []
    for shop_id in sorted(by_shop):
        shop_lines = by_shop[shop_id]
        subtotal = Money(sum(d.unit_price_minor * d.quantity for d in shop_lines),
                         where.currency)
        shipping = rules[shop_id].fee_for(subtotal)
        tax = sum(d.tax_minor for d in shop_lines)
        total = subtotal.minor + shipping.minor + (tax if mode == "exclusive" else 0)
        drafts.append(OrderDraft(shop_id=shop_id, market=where.code, currency=where.currency,
                                 subtotal_minor=subtotal.minor, shipping_minor=shipping.minor,
                                 tax_minor=tax, tax_mode=mode, total_minor=total,
                                 lines=shop_lines))
    return drafts
