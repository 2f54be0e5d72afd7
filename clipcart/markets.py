"""The eight markets, loaded from markets.toml (never copied into code).

The file ships inside the package (``clipcart/data/markets.toml``, synced from
``../shared`` at build); ``CLIPCART_MARKETS_FILE`` points at another one.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from clipcart.config import get_settings
from clipcart.money import Money


@dataclass(frozen=True)
class TaxRule:
    mode: str  # "inclusive" or "exclusive"
    rate: Decimal
    name: str
    by_state: bool = False


@dataclass(frozen=True)
class Market:
    code: str
    name: str
    currency: str
    minor_unit: int
    price_digits: int
    locale: str
    timezone: str
    tax: TaxRule
    referral_fee: Decimal
    settlement_days: int
    return_days: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def parse_price(self, amount: str | Decimal) -> Money:
        """A price as sellers type it, with no more digits than the market charges."""
        return Money.parse(amount, self.currency, digits=self.price_digits)

    def format(self, money: Money) -> str:
        return money.format(self.locale, digits=self.price_digits)

    def as_json(self, money: Money) -> dict[str, str]:
        return money.as_json(self.price_digits)


@dataclass(frozen=True)
class Markets:
    platform: dict[str, Any]
    by_code: dict[str, Market]

    def get(self, code: str) -> Market | None:
        return self.by_code.get(code.upper()) if code else None

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code.upper() in self.by_code

    def __iter__(self) -> Iterator[Market]:
        return iter(self.by_code.values())

    def rule(self, name: str) -> Any:
        return self.platform[name]


class UnknownMarket(ValueError):
    """A code that is not one of the configured markets."""


def parse_markets(text: str) -> Markets:
    raw = tomllib.loads(text, parse_float=Decimal)
    platform = dict(raw["platform"])
    by_code: dict[str, Market] = {}
    known = {"name", "currency", "minor_unit", "price_digits", "locale", "timezone", "tax",
             "referral_fee", "settlement_days", "return_days"}
    for code in platform["markets"]:
        m = raw["markets"][code]
        tax = m["tax"]
        by_code[code] = Market(
            code=code,
            name=m["name"],
            currency=m["currency"],
            minor_unit=int(m["minor_unit"]),
            price_digits=int(m["price_digits"]),
            locale=m["locale"],
            timezone=m["timezone"],
            tax=TaxRule(tax["mode"], Decimal(tax["rate"]), tax["name"], bool(tax.get("by_state"))),
            referral_fee=Decimal(m["referral_fee"]),
            settlement_days=int(m["settlement_days"]),
            return_days=int(m["return_days"]),
            extra={k: v for k, v in m.items() if k not in known},
        )
    return Markets(platform=platform, by_code=by_code)


def _markets_text() -> str:
    configured = get_settings().markets_file
    if configured is not None:
        return Path(configured).read_text(encoding="utf-8")
    return resources.files("clipcart").joinpath("data/markets.toml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def get_markets() -> Markets:
    return parse_markets(_markets_text())


def market(code: str) -> Market:
    found = get_markets().get(code)
    if found is None:
        raise UnknownMarket(f"{code!r} is not a clipcart market")
    return found
