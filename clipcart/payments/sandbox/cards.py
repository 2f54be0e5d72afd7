"""Card checks done at tokenization: digits, Luhn, expiry, CVC, brand, test behaviour.

Error messages never repeat what was typed: a card number must not end up in a log line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from clipcart.errors import ValidationFailed

# The provider's documented test cards; any other valid number simply succeeds.
TEST_CARDS = {
    "4242424242424242": "succeed",
    "4000000000000002": "decline",
    "4000000000009995": "insufficient_funds",
    "4000000000003220": "challenge",
}
MAX_YEARS_AHEAD = 20


@dataclass(frozen=True)
class CheckedCard:
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    behaviour: str


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def brand_of(digits: str) -> str:
    two, four = int(digits[:2]), int(digits[:4])
    if digits[0] == "4":
        return "visa"
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return "mastercard"
    if two in (34, 37):
        return "amex"
    if digits.startswith("6011") or digits.startswith("65"):
        return "discover"
    if 3528 <= four <= 3589:
        return "jcb"
    return "unknown"


def _digits(number: str) -> str:
    cleaned = number.replace(" ", "").replace("-", "")
    if not cleaned.isascii() or not cleaned.isdigit() or not 12 <= len(cleaned) <= 19:
        raise ValidationFailed("A card number is 12 to 19 digits.", field="number",
                               code="INVALID_NUMBER")
    if not luhn_ok(cleaned):
        raise ValidationFailed("This card number is not valid; check it for typos.",
                               field="number", code="INCORRECT_NUMBER")
    return cleaned


def _expiry(exp_month: int, exp_year: int, now: datetime) -> tuple[int, int]:
    if not 1 <= exp_month <= 12:
        raise ValidationFailed("The expiry month is 1 to 12.", field="exp_month",
                               code="INVALID_EXPIRY_MONTH")
    year = exp_year + 2000 if 0 <= exp_year < 100 else exp_year
    if not 2000 <= year <= now.year + MAX_YEARS_AHEAD:
        raise ValidationFailed("The expiry year is not valid.", field="exp_year",
                               code="INVALID_EXPIRY_YEAR")
    if (year, exp_month) < (now.year, now.month):
        raise ValidationFailed("This card has expired.", field="exp_year",
                               code="EXPIRED_CARD")
    return exp_month, year


def check_card(number: str, exp_month: int, exp_year: int, cvc: str,
               now: datetime) -> CheckedCard:
    digits = _digits(number)
    month, year = _expiry(exp_month, exp_year, now)
    brand = brand_of(digits)
    cvc_length = 4 if brand == "amex" else 3
    if not (cvc.isascii() and cvc.isdigit() and len(cvc) == cvc_length):
        raise ValidationFailed(f"The security code (CVC) is {cvc_length} digits.", field="cvc",
                               code="INVALID_CVC")
    return CheckedCard(brand=brand, last4=digits[-4:], exp_month=month, exp_year=year,
                       behaviour=TEST_CARDS.get(digits, "succeed"))
