"""Buyer search: live products of one market by text, category subtree and price range.

One query per page (two with a category: its subtree). Results are ordered by relevance,
ties by newest ID; the page token carries the last (score, id) so pages never overlap
or skip, however many there are.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from sqlalchemy import and_, literal, or_, select
from sqlalchemy.orm import Session

from clipcart.catalog.categories import subtree_ids
from clipcart.catalog.models import Product
from clipcart.catalog.paging import Page, page_size_of
from clipcart.discovery.backends import backend_for, terms_of
from clipcart.discovery.models import ProductSearchEntry as Entry
from clipcart.errors import ValidationFailed
from clipcart.markets import get_markets, market
from clipcart.media import media_url
from clipcart.money import Money, MoneyError


@dataclass(frozen=True)
class SearchHit:
    id: int
    shop_id: int
    title: str
    image_url: str | None
    price: Money  # the lowest SKU price
    category_id: int
    score: int


def encode_cursor(score: int, last_id: int) -> str:
    return base64.urlsafe_b64encode(f"s1:{score}:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(token: str | None) -> tuple[int, int] | None:
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, score, last = raw.split(":")
        if prefix == "s1":
            return int(score), int(last)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ValidationFailed("That page_token is not one this search gave out.",
                           field="page_token")


def _price(code: str, raw: str | None, field: str) -> int | None:
    if raw is None or not raw.strip():
        return None
    try:
        return market(code).parse_price(raw.strip()).minor
    except (MoneyError, ValueError, ArithmeticError) as exc:
        raise ValidationFailed(f"{field.replace('_', ' ').capitalize()}: {exc}.",
                               field=field) from None


_CARD = (Entry.product_id, Entry.shop_id, Entry.title, Entry.image_key, Entry.price_minor,
         Entry.currency, Entry.category_id)


def is_market(code: str | None) -> bool:
    return bool(code) and get_markets().get(str(code).upper()) is not None


def search_products(session: Session, market_code: str, *, text: str = "",
                    category_id: int | None = None, min_price: str | None = None,
                    max_price: str | None = None, page_size: int = 20,
                    page_token: str | None = None) -> Page[SearchHit]:
    """Live products of ``market_code`` matching every word of ``text`` (as prefixes).

    An empty ``text`` lists everything that passes the filters, newest first. Prices are
    decimal text in the market's currency. A code that is not a clipcart market finds
    nothing.
    """
    size = page_size_of(page_size)
    after = decode_cursor(page_token)
    if not is_market(market_code):
        return Page([], None)
    code = market_code.upper()
    low, high = _price(code, min_price, "min_price"), _price(code, max_price, "max_price")
    if low is not None and high is not None and low > high:
        raise ValidationFailed("The lowest price is above the highest.", field="min_price")
    terms = terms_of(text)
    if terms:
        hits = backend_for(session).hits(terms)
        score = hits.c.score
        query = select(*_CARD, score.label("score")).join(hits, hits.c.pid == Entry.product_id)
    else:
        score = literal(0)
        query = select(*_CARD, score.label("score"))
    query = (query.join(Product, Product.id == Entry.product_id)
             .where(Entry.market == code, Product.visible.is_(True)))
    if category_id is not None:
        query = query.where(Entry.category_id.in_(subtree_ids(session, category_id)))
    if low is not None:
        query = query.where(Entry.price_minor >= low)
    if high is not None:
        query = query.where(Entry.price_minor <= high)
    if after is not None:
        query = query.where(or_(score < after[0],
                                and_(score == after[0], Entry.product_id < after[1])))
    rows = session.execute(query.order_by(score.desc(), Entry.product_id.desc())
                           .limit(size + 1)).all()
    found = [SearchHit(r.product_id, r.shop_id, r.title, media_url(r.image_key),
                       Money(r.price_minor, r.currency), r.category_id, int(r.score))
             for r in rows[:size]]
    more = len(rows) > size
    return Page(found, encode_cursor(found[-1].score, found[-1].id) if more else None)
