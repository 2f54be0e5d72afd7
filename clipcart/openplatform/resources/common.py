"""Helpers the resource modules share: amounts as strings, times as Unix seconds, IDs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from clipcart.ids import parse_id
from clipcart.markets import market
from clipcart.money import Money
from clipcart.openplatform import errors as E
from clipcart.openplatform.errors import OpenError


def amount(minor: int, currency: str, market_code: str | None = None) -> str:
    money = Money(minor, currency)
    if market_code:
        return money.amount_str(market(market_code).price_digits)
    return money.amount_str()


def unix(value: datetime | None) -> int:
    return int(value.timestamp()) if value is not None else 0


def an_id(raw: object, name: str) -> int:
    found = parse_id(str(raw)) if isinstance(raw, (str, int)) and not isinstance(raw, bool) \
        else None
    if found is None:
        raise OpenError(E.INVALID_PARAMETER, f"{name} must be an ID string.")
    return found


def ids(raws: Iterable[object], name: str) -> list[int]:
    return [an_id(r, name) for r in raws]


def page_size(raw: int, maximum: int = 100) -> int:
    if not 1 <= raw <= maximum:
        raise OpenError(E.INVALID_PARAMETER, f"page_size is 1 to {maximum}.")
    return raw
