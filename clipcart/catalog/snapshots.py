"""Snapshots of a product: the working copy, as a submission would freeze it, and a revision.

Both have the same shape, so "did anything change" and "did anything change that needs a
review" are plain comparisons.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.catalog.models import Product, ProductImage, ProductRevision, Sku

# Changing any of these on a live product sends it back to audit (TikTok Shop's rule:
# title, images, category and price); other fields go live after the automatic rules.
REVIEWED_FIELDS = ("title", "category_id", "images", "options", "prices")


def working_snapshot(session: Session, product: Product) -> dict[str, Any]:
    images = session.execute(
        select(ProductImage).where(ProductImage.product_id == product.id)
        .order_by(ProductImage.position, ProductImage.id)).scalars()
    skus = session.execute(
        select(Sku).where(Sku.product_id == product.id, Sku.removed.is_(False))
        .order_by(Sku.position, Sku.id)).scalars()
    return {
        "title": product.title, "description": product.description, "brand": product.brand,
        "category_id": product.category_id, "attributes": dict(product.attributes),
        "options": [dict(o) for o in product.options],
        "images": [{"id": i.id, "key": i.key, "thumb_key": i.thumb_key, "width": i.width,
                    "height": i.height} for i in images],
        "skus": [{"id": s.id, "seller_sku": s.seller_sku, "attributes": dict(s.attributes),
                  "price_minor": s.price_minor, "list_price_minor": s.list_price_minor}
                 for s in skus],
    }


def revision_snapshot(revision: ProductRevision) -> dict[str, Any]:
    return {
        "title": revision.title, "description": revision.description, "brand": revision.brand,
        "category_id": revision.category_id, "attributes": dict(revision.attributes),
        "options": [dict(o) for o in revision.options],
        "images": [dict(i) for i in revision.images],
        "skus": [dict(s) for s in revision.skus],
    }


def _reviewed(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": snapshot["title"], "category_id": snapshot["category_id"],
        "images": [i["key"] for i in snapshot["images"]], "options": snapshot["options"],
        "prices": [(s["id"], s["attributes"], s["price_minor"], s["list_price_minor"])
                   for s in snapshot["skus"]],
    }


def _comparable(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {**snapshot, "images": [{k: v for k, v in i.items() if k != "id"}
                                   for i in snapshot["images"]]}


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return _comparable(a) == _comparable(b)


def changed_reviewed_fields(live: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Which of the reviewed fields differ between the live version and a new one."""
    old_view, new_view = _reviewed(live), _reviewed(new)
    return [name for name in REVIEWED_FIELDS if old_view[name] != new_view[name]]
