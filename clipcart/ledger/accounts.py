"""Account codes: the families of accounts the ledger knows, and builders for their codes.

The family decides whether an account may go negative. Money outside the platform
(``external:*``) is the other side of every deposit and payout, so it runs negative by
design; seller and creator balances may go negative because a refund after settlement is
clawed back from them. Every other account (escrow, platform revenue, advertiser budgets,
coin wallets, diamonds) is protected: a transfer that would overdraw it fails with
INSUFFICIENT_FUNDS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clipcart.errors import ValidationFailed
from clipcart.money import ISO_EXPONENTS

EXTERNAL_PSP = "external:psp"
EXTERNAL_BANK = "external:bank"
ESCROW = "escrow"
PLATFORM_FEES = "platform:fees"
PLATFORM_TAX = "platform:tax"


@dataclass(frozen=True)
class Family:
    name: str
    pattern: re.Pattern[str]
    may_go_negative: bool
    description: str


FAMILIES: tuple[Family, ...] = (
    Family("external", re.compile(r"external:[a-z][a-z_]{0,30}"), True,
           "money outside the platform (payment provider, banks)"),
    Family("escrow", re.compile(r"escrow"), False, "paid by buyers, not yet earned"),
    Family("seller", re.compile(r"seller:[1-9][0-9]{0,18}:(pending|available)"), True,
           "a shop's earnings; negative after a claw-back"),
    Family("creator", re.compile(r"creator:[1-9][0-9]{0,18}:(pending|available)"), True,
           "a creator's commissions; negative after a claw-back"),
    Family("platform", re.compile(r"platform:[a-z][a-z_]{0,30}"), False,
           "the platform's fees and the tax it collects"),
    Family("advertiser", re.compile(r"advertiser:[1-9][0-9]{0,18}"), False,
           "an advertiser's prepaid budget"),
    Family("coins", re.compile(r"coins:[1-9][0-9]{0,18}"), False,
           "coins a viewer bought and has not spent (a liability)"),
    Family("diamonds", re.compile(r"diamonds:[1-9][0-9]{0,18}"), False,
           "diamonds a creator collected and has not cashed out (payable)"),
)


def family(code: str) -> Family:
    """The family of an account code; ValidationFailed for a code no family accepts."""
    if isinstance(code, str):
        for fam in FAMILIES:
            if fam.pattern.fullmatch(code):
                return fam
    raise ValidationFailed(f"{code!r} is not a ledger account code.", field="account",
                           code="UNKNOWN_ACCOUNT")


def may_go_negative(code: str) -> bool:
    return family(code).may_go_negative


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def plain_text(value: object, limit: int) -> bool:
    """Text a reference, key, memo or search may hold: no control characters (PostgreSQL
    refuses NUL), at most ``limit`` characters."""
    return isinstance(value, str) and len(value) <= limit and not _CONTROL.search(value)


def check_currency(currency: str) -> str:
    if currency not in ISO_EXPONENTS:
        raise ValidationFailed(f"{currency!r} is not a currency the ledger keeps.",
                               field="currency")
    return currency


def _owner(value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValidationFailed(f"{value!r} is not an owner id.", field="account")
    return value


def seller_pending(shop_id: int) -> str:
    return f"seller:{_owner(shop_id)}:pending"


def seller_available(shop_id: int) -> str:
    return f"seller:{_owner(shop_id)}:available"


def creator_pending(creator_id: int) -> str:
    return f"creator:{_owner(creator_id)}:pending"


def creator_available(creator_id: int) -> str:
    return f"creator:{_owner(creator_id)}:available"


def advertiser(advertiser_id: int) -> str:
    return f"advertiser:{_owner(advertiser_id)}"


def coins(user_id: int) -> str:
    return f"coins:{_owner(user_id)}"


def diamonds(creator_id: int) -> str:
    return f"diamonds:{_owner(creator_id)}"
