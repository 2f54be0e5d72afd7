"""What the platform keeps from an order, computed once with explicit rounding.

The rules:

* **Referral fee.** Each order line pays ``rate x base``, rounded half-up to the minor unit,
  where base = what the buyer paid for the line less the tax in it (markets.toml: "paid
  price + platform discount - tax"; clipcart has no platform discounts yet). Shipping pays
  no referral fee. The rate is the nearest category override for the market in
  ``data/referral_fees.toml``, else the category's own ``referral_fee`` (categories.toml),
  else the market's ``referral_fee``.
* **Tax.** Where the market's tax is *exclusive* (US sales tax, added on top of prices) the
  platform is the marketplace facilitator: it collects the order's tax and books it to
  ``platform:tax``. Where tax is *inclusive* (VAT, GST, SST, PPN) prices contain it and it
  stays in the seller's revenue: the seller remits it.
* **Refund shares.** A refund of ``r`` out of an order total ``T`` carries the fee and tax
  shares ``round(fee x R / T) - round(fee x R_before / T)`` (cumulative, so the shares of
  all refunds add up to the whole fee and tax when the whole order is refunded).
* **Refund administration fee** (markets with ``refund_admin_fee``, the US): on a refund
  after settlement, the platform keeps ``min(share x fee returned, cap)`` of the referral fee
  it returns, and the seller bears it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.catalog.categories import referral_fee_rate
from clipcart.catalog.models import Category, Product
from clipcart.markets import Market, market
from clipcart.money import Money


def _data_text(env: str, name: str) -> str:
    configured = os.environ.get(env, "")
    if configured:
        return Path(configured).read_text(encoding="utf-8")
    return resources.files("clipcart").joinpath(f"data/{name}").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def fee_overrides() -> dict[str, dict[str, Decimal]]:
    """``{market: {category path: rate}}`` from referral_fees.toml."""
    raw = tomllib.loads(_data_text("CLIPCART_REFERRAL_FEES_FILE", "referral_fees.toml"))
    found: dict[str, dict[str, Decimal]] = {}
    for code, table in raw.items():
        rates = {}
        for path, value in table.items():
            rate = Decimal(str(value))
            if not Decimal(0) <= rate <= Decimal(1):
                raise ValueError(f"referral_fees.toml {code}.{path}: {value} is not a share")
            rates["/".join(p.strip() for p in path.split("/"))] = rate
        found[code.upper()] = rates
    return found


@lru_cache(maxsize=1)
def payout_rules() -> dict[str, Any]:
    return tomllib.loads(_data_text("CLIPCART_PAYOUTS_FILE", "payouts.toml"))


def reset_rules() -> None:
    """Forget loaded rule files (tests that point the environment at other files)."""
    fee_overrides.cache_clear()
    payout_rules.cache_clear()


def minimum_payout(code: str) -> Money:
    m = market(code)
    return Money.parse(str(payout_rules()["minimum"][m.code]), m.currency)


def round_half_up(value: Fraction) -> int:
    """Round a non-negative exact value half-up to an integer (minor units)."""
    if value < 0:
        raise ValueError("finance rounds only non-negative amounts")
    floor, rem = divmod(value.numerator, value.denominator)
    return floor + (1 if 2 * rem >= value.denominator else 0)


def _share(amount: int, part: int, whole: int) -> int:
    """``amount x part / whole`` rounded half-up; exact integers, no float."""
    if whole <= 0:
        return 0
    return round_half_up(Fraction(amount * min(part, whole), whole))


def category_rate(session: Session, product_id: int, code: str) -> tuple[Decimal, str]:
    """(rate, category path) for a product sold in market ``code``."""
    found = session.execute(select(Category.id, Category.path)
                            .join(Product, Product.category_id == Category.id)
                            .where(Product.id == product_id)).first()
    category_id, path = (found[0], found[1] or "") if found is not None else (None, "")
    overrides = fee_overrides().get(code, {})
    parts = path.split("/") if path else []
    for n in range(len(parts), 0, -1):
        rate = overrides.get("/".join(parts[:n]))
        if rate is not None:
            return rate, path
    return referral_fee_rate(session, category_id, code), path


def line_fee(base_minor: int, rate: Decimal) -> int:
    return round_half_up(Fraction(base_minor) * Fraction(rate))


def platform_collects_tax(m: Market) -> bool:
    return m.tax.mode == "exclusive"


@dataclass(frozen=True)
class RefundSplit:
    """How a refund after settlement is paid: seller + fees + tax == amount."""

    seller: int
    fee: int  # referral fee returned to the buyer (net of the admin fee)
    tax: int
    admin_fee: int
    fee_share: int  # the refund's whole fee share (fee + admin_fee)


def refund_shares(*, fee_total: int, tax_total: int, order_total: int,
                  refunded_before: int, amount: int) -> tuple[int, int]:
    """The (fee, tax) shares of a refund of ``amount`` after ``refunded_before``."""
    after = refunded_before + amount
    fee = _share(fee_total, after, order_total) - _share(fee_total, refunded_before,
                                                         order_total)
    tax = _share(tax_total, after, order_total) - _share(tax_total, refunded_before,
                                                         order_total)
    return fee, tax


def admin_fee(code: str, fee_share: int) -> int:
    rule = market(code).extra.get("refund_admin_fee")
    if not rule or fee_share <= 0:
        return 0
    share = Fraction(Decimal(str(rule["share_of_referral_fee"])))
    return min(round_half_up(share * fee_share), int(rule["cap_minor"]))


def split_clawback(code: str, amount: int, fee_share: int, tax_share: int) -> RefundSplit:
    """A refund after settlement: the platform returns its fee share (less the admin fee)
    and the tax share; the seller's balance pays the rest (and the admin fee)."""
    kept = admin_fee(code, fee_share)
    fee, tax = fee_share - kept, tax_share
    seller = amount - fee - tax
    if seller < 0:  # rounding on a tiny refund: the platform returns no more than the refund
        fee += seller
        seller = 0
    return RefundSplit(seller, fee, tax, kept, fee_share)
