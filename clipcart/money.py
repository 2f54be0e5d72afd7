"""Exact money: integer minor units and an ISO 4217 code. No float ever touches it.

Rounding happens where the caller says, with the mode the caller names. Display goes
through Babel in a locale; arithmetic never does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency

# ISO 4217 exponents of the currencies clipcart settles in (see markets.toml).
ISO_EXPONENTS: dict[str, int] = {
    "IDR": 2, "MYR": 2, "PHP": 2, "SGD": 2, "THB": 2, "GBP": 2, "USD": 2, "VND": 0,
}

class MoneyError(ValueError):
    """An amount that is not valid money (bad text, wrong currency, mixed currencies)."""


def exponent(currency: str) -> int:
    try:
        return ISO_EXPONENTS[currency]
    except KeyError:
        raise MoneyError(f"unsupported currency {currency!r}") from None


def _to_fraction(rate: Decimal | Fraction | int | str) -> Fraction:
    if isinstance(rate, float):
        raise TypeError("rates must be Decimal, Fraction, int or str, never float")
    if isinstance(rate, str):
        try:
            return Fraction(Decimal(rate))
        except InvalidOperation as exc:
            raise MoneyError(f"not a rate: {rate!r}") from exc
    return Fraction(rate)


def _round_fraction(value: Fraction, rounding: str) -> int:
    floor, rem = divmod(value.numerator, value.denominator)
    if rem == 0:
        return floor
    twice = 2 * rem
    half_cmp = (twice > value.denominator) - (twice < value.denominator)
    if rounding == "ROUND_FLOOR":
        return floor
    if rounding == "ROUND_CEILING":
        return floor + 1
    if rounding == "ROUND_DOWN":  # toward zero
        return floor if value >= 0 else floor + 1
    if rounding == "ROUND_UP":  # away from zero
        return floor + 1 if value >= 0 else floor
    if half_cmp > 0:
        return floor + 1
    if half_cmp < 0:
        return floor
    # exactly half way
    if rounding == ROUND_HALF_EVEN:
        return floor if floor % 2 == 0 else floor + 1
    if rounding == ROUND_HALF_UP:  # half away from zero
        return floor + 1 if value >= 0 else floor
    if rounding == "ROUND_HALF_DOWN":  # half toward zero
        return floor if value >= 0 else floor + 1
    raise MoneyError(f"unknown rounding mode {rounding!r}")


@lru_cache(maxsize=64)
def _pattern(locale: str, places: int) -> str:
    """The locale's own currency pattern with the fraction digits set to ``places``."""
    base = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    fraction = "." + "0" * places if places else ""
    return re.sub(r"0(\.0+)?(?=[^0#.,]*$)", "0" + fraction, base, count=1)


@dataclass(frozen=True, slots=True, order=False)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int")
        exponent(self.currency)

    # construction -------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, amount: str | Decimal | int, currency: str, digits: int | None = None) -> Money:
        """From a decimal amount in major units. Refuses more digits than allowed."""
        if isinstance(amount, float):
            raise TypeError("money is never built from a float")
        exp = exponent(currency)
        allowed = exp if digits is None else digits
        try:
            value = Decimal(str(amount).strip())
        except InvalidOperation:
            raise MoneyError(f"not an amount: {amount!r}") from None
        if not value.is_finite():
            raise MoneyError(f"not an amount: {amount!r}")
        if value != value.quantize(Decimal(1).scaleb(-allowed)):
            raise MoneyError(f"{currency} amounts take at most {allowed} decimal places")
        minor = value.scaleb(exp)
        return cls(int(minor.to_integral_exact()), currency)

    # arithmetic ---------------------------------------------------------------------
    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("can only combine Money with Money")
        if other.currency != self.currency:
            raise MoneyError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.minor >= other.minor

    def times(self, quantity: int) -> Money:
        """Exact multiplication by a whole quantity (no rounding needed)."""
        if not isinstance(quantity, int):
            raise TypeError("quantity must be an int; use multiply() for rates")
        return Money(self.minor * quantity, self.currency)

    def multiply(self, rate: Decimal | Fraction | int | str, rounding: str) -> Money:
        """Multiply by a rate, rounding once to a minor unit with the given mode."""
        return Money(_round_fraction(self.minor * _to_fraction(rate), rounding), self.currency)

    def allocate(self, ratios: Sequence[int | Decimal | Fraction | str]) -> list[Money]:
        """Split by ratios, largest remainder first; the parts always sum to the whole."""
        weights = [_to_fraction(r) for r in ratios]
        if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
            raise MoneyError("ratios must be non-negative with a positive sum")
        total = sum(weights)
        sign = -1 if self.minor < 0 else 1
        whole = abs(self.minor)
        exact = [whole * w / total for w in weights]
        parts = [int(e) for e in exact]  # floor for non-negative values
        short = whole - sum(parts)
        order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
        for i in order[:short]:
            parts[i] += 1
        return [Money(sign * p, self.currency) for p in parts]

    def split(self, n: int) -> list[Money]:
        """Split into n parts that differ by at most one minor unit."""
        if n <= 0:
            raise MoneyError("cannot split into fewer than one part")
        return self.allocate([1] * n)

    # display ------------------------------------------------------------------------
    def to_decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-exponent(self.currency))

    def amount_str(self, digits: int | None = None) -> str:
        """Major units as text, with ``digits`` places (the market's price digits)."""
        exp = exponent(self.currency)
        places = exp if digits is None else digits
        value = self.to_decimal().quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
        return f"{value:f}"

    def as_json(self, digits: int | None = None) -> dict[str, str]:
        return {"amount": self.amount_str(digits), "currency": self.currency}

    def format(self, locale: str, digits: int | None = None) -> str:
        """Human display, e.g. ``Rp 15.000`` or ``$12.34``; never used for arithmetic."""
        places = exponent(self.currency) if digits is None else digits
        return format_currency(
            self.to_decimal(), self.currency, format=_pattern(locale, places), locale=locale,
            currency_digits=False,
        )

    def __str__(self) -> str:
        return f"{self.amount_str()} {self.currency}"
