"""What a room shows of its products: the approved version of visible products, by ID.

A read of catalog's buyer-facing data (the live revision), in one query for the whole bag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.catalog.models import Product, ProductRevision
from clipcart.media import media_url
from clipcart.money import Money


@dataclass(frozen=True)
class RoomSku:
    id: int
    label: str
    price: Money
    list_price: Money | None


@dataclass(frozen=True)
class RoomProduct:
    id: int
    shop_id: int
    market: str
    title: str
    image_url: str | None
    price: Money  # the lowest SKU price
    skus: list[RoomSku]


def room_products(session: Session, product_ids: Sequence[int]) -> dict[int, RoomProduct]:
    """Visible products by ID with their live SKUs; hidden or unknown ones are absent."""
    if not product_ids:
        return {}
    rows = session.execute(
        select(Product, ProductRevision)
        .join(ProductRevision, ProductRevision.id == Product.live_revision_id)
        .where(Product.id.in_(list(product_ids)), Product.visible.is_(True))).all()
    found = {}
    for product, revision in rows:
        skus = [RoomSku(int(s["id"]), " / ".join(str(v) for v in s["attributes"].values())
                        or s["seller_sku"], Money(s["price_minor"], revision.currency),
                        Money(s["list_price_minor"], revision.currency)
                        if s["list_price_minor"] is not None else None)
                for s in revision.skus]
        image = revision.images[0]["thumb_key"] if revision.images else None
        found[product.id] = RoomProduct(product.id, product.shop_id, product.market,
                                        revision.title, media_url(image),
                                        Money(revision.min_price_minor, revision.currency),
                                        skus)
    return found


def shop_product_ids(session: Session, shop_id: int, limit: int = 200) -> list[int]:
    """The shop's visible products (newest first), for the host to add to a bag."""
    return [r[0] for r in session.execute(
        select(Product.id).where(Product.shop_id == shop_id, Product.visible.is_(True),
                                 Product.live_revision_id.is_not(None))
        .order_by(Product.id.desc()).limit(limit))]
