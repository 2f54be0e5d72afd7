"""Tax strategies: the market's rule is a strategy, not an ``if country`` in services.

Inclusive markets (VAT, GST, SST, PPN) carry the tax inside the listed price: the tax of a
line is ``total x rate / (1 + rate)``. The US adds sales tax by the ship-to state on top.
Each line's tax is rounded once, half-even, to the minor unit and stored on the line.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Protocol

from clipcart.errors import ValidationFailed
from clipcart.markets import Market
from clipcart.money import Money


@dataclass(frozen=True)
class LineTax:
    tax: Money
    adds_to_total: bool  # False: already inside the price


class TaxStrategy(Protocol):
    @property
    def mode(self) -> str: ...

    def line_tax(self, line_total: Money, ship_to_region: str) -> LineTax: ...


@dataclass(frozen=True)
class InclusiveTax:
    rate: Decimal
    mode: str = "inclusive"

    def line_tax(self, line_total: Money, ship_to_region: str) -> LineTax:
        share = Fraction(self.rate) / (1 + Fraction(self.rate))
        return LineTax(line_total.multiply(share, ROUND_HALF_EVEN), adds_to_total=False)


@dataclass(frozen=True)
class StateSalesTax:
    rates: dict[str, Decimal]
    mode: str = "exclusive"

    def rate_for(self, state: str) -> Decimal:
        code = state.strip().upper()
        if code not in self.rates:
            raise ValidationFailed("Enter the two-letter US state of the shipping address.",
                                   field="shipping_address.region")
        return self.rates[code]

    def line_tax(self, line_total: Money, ship_to_region: str) -> LineTax:
        return LineTax(line_total.multiply(self.rate_for(ship_to_region), ROUND_HALF_EVEN),
                       adds_to_total=True)


@dataclass(frozen=True)
class FlatExclusiveTax:
    rate: Decimal
    mode: str = "exclusive"

    def line_tax(self, line_total: Money, ship_to_region: str) -> LineTax:
        return LineTax(line_total.multiply(self.rate, ROUND_HALF_EVEN), adds_to_total=True)


@lru_cache(maxsize=1)
def us_state_rates() -> dict[str, Decimal]:
    configured = os.environ.get("CLIPCART_US_SALES_TAX_FILE")
    text = (Path(configured).read_text() if configured else
            resources.files("clipcart").joinpath("data/us_sales_tax.toml").read_text())
    return dict(tomllib.loads(text, parse_float=Decimal)["states"])


def strategy_for(market: Market) -> TaxStrategy:
    if market.tax.mode == "inclusive":
        return InclusiveTax(market.tax.rate)
    if market.tax.by_state:
        return StateSalesTax(us_state_rates())
    return FlatExclusiveTax(market.tax.rate)
