"""Shipping options: a flat fee per shop order, free above a threshold, per market.

Defaults come from ``clipcart/data/shipping.toml`` (or ``CLIPCART_SHIPPING_FILE``); a shop
may set its own rate for its market.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from clipcart.markets import market
from clipcart.money import Money


@dataclass(frozen=True)
class ShippingRule:
    flat_fee: Money
    free_above: Money | None

    def fee_for(self, subtotal: Money) -> Money:
        if self.free_above is not None and subtotal >= self.free_above:
            return Money.zero(subtotal.currency)
        return self.flat_fee

    def describe(self, locale_market: str) -> str:
        m = market(locale_market)
        if self.flat_fee.minor == 0:
            return "Free shipping"
        text = f"Standard shipping {m.format(self.flat_fee)}"
        if self.free_above is not None:
            text += f", free from {m.format(self.free_above)}"
        return text


@lru_cache(maxsize=1)
def _defaults() -> dict[str, dict[str, str]]:
    configured = os.environ.get("CLIPCART_SHIPPING_FILE")
    text = (Path(configured).read_text() if configured else
            resources.files("clipcart").joinpath("data/shipping.toml").read_text())
    return dict(tomllib.loads(text)["markets"])


def default_rule(market_code: str) -> ShippingRule:
    m = market(market_code)
    raw = _defaults()[m.code]
    free = raw.get("free_above")
    return ShippingRule(m.parse_price(raw["flat_fee"]), m.parse_price(free) if free else None)
