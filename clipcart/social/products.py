"""What social shows of products: live product cards, read (never written) from the
catalog's approved revisions, one query for any number of products."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.catalog.models import Product, ProductRevision
from clipcart.catalog.paging import Page, decode_token, encode_token, page_size_of
from clipcart.markets import market
from clipcart.media import media_url
from clipcart.money import Money


@dataclass(frozen=True)
class ProductCard:
    id: int
    shop_id: int
    market: str
    title: str
    image_url: str | None
    price: Money  # the lowest SKU price

    def price_json(self) -> dict[str, str]:
        return market(self.market).as_json(self.price)

    def price_text(self) -> str:
        return market(self.market).format(self.price)

    def as_json(self) -> dict[str, object]:
        return {"id": str(self.id), "title": self.title, "price": self.price_json(),
                "image_url": self.image_url, "shop_id": str(self.shop_id)}


def product_columns() -> tuple[Any, ...]:
    """The columns a card needs, for queries that join products and their live revision."""
    return (Product.id.label("product_id"), Product.shop_id, Product.market,
            ProductRevision.title, ProductRevision.images, ProductRevision.min_price_minor,
            ProductRevision.currency)


def _select():
    return (select(*product_columns())
            .join(ProductRevision, ProductRevision.id == Product.live_revision_id)
            .where(Product.visible.is_(True)))


def product_card(row: Any) -> ProductCard:
    """The card of a row holding ``product_columns()``."""
    images = row.images
    return ProductCard(row.product_id, row.shop_id, row.market, row.title,
                       media_url(images[0]["thumb_key"]) if images else None,
                       Money(row.min_price_minor, row.currency))


def live_cards(session: Session, product_ids: Sequence[int]) -> dict[int, ProductCard]:
    """Cards of the given products that are live now (others are left out)."""
    if not product_ids:
        return {}
    rows = session.execute(_select().where(Product.id.in_(set(product_ids)))).all()
    return {r.product_id: product_card(r) for r in rows}


def shop_live_products(session: Session, shop_id: int, *, page_size: int = 20,
                       page_token: str | None = None) -> Page[ProductCard]:
    """A shop's live products, newest first, by keyset (one query)."""
    size = page_size_of(page_size)
    query = _select().where(Product.shop_id == shop_id).order_by(Product.id.desc())
    after = decode_token(page_token)
    if after is not None:
        query = query.where(Product.id < after)
    rows = session.execute(query.limit(size + 1)).all()
    cards = [product_card(r) for r in rows[:size]]
    return Page(cards, encode_token(cards[-1].id) if len(rows) > size else None)
