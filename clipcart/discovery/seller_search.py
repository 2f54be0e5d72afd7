"""Sellers search their own catalog in any status: every word must appear in the title,
brand, description or one of the product's seller SKU codes (a LIKE scan of one shop)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select

from clipcart.catalog.models import Product, Sku
from clipcart.discovery.backends import MAX_TERMS


def seller_text_match(text: str) -> ColumnElement[bool] | None:
    """A condition over ``Product`` for the seller's search box; None for an empty text."""
    words = text.split()[:MAX_TERMS]
    if not words:
        return None
    conditions = []
    for word in words:
        conditions.append(or_(
            Product.title.icontains(word, autoescape=True),
            Product.brand.icontains(word, autoescape=True),
            Product.description.icontains(word, autoescape=True),
            exists(select(Sku.id).where(Sku.product_id == Product.id, Sku.removed.is_(False),
                                        Sku.seller_sku.icontains(word, autoescape=True)))))
    return and_(*conditions)
