"""Keeps ``product_search`` in line with what buyers see (the live revision of visible products).

Every write re-reads the product, so handling an event twice, late or out of order still
leaves the row right: the index follows the catalog's current state, not the event's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from clipcart.catalog.models import Category, Product, ProductRevision
from clipcart.discovery.models import ProductSearchEntry

REINDEX_BATCH = 500


def _document(revision: ProductRevision, category_path: str) -> str:
    """The searchable text besides the title: brand, category, description, attribute and
    option values."""
    parts: list[str] = [revision.brand, category_path.replace("/", " "), revision.description]
    parts += [str(v) for v in (revision.attributes or {}).values()]
    for option in revision.options or []:
        parts += [str(v) for v in option.get("values", [])]
    return "\n".join(p for p in parts if p)


def _entry(product: Product, revision: ProductRevision, category_path: str) -> dict[str, Any]:
    images: list[dict[str, Any]] = revision.images or []
    return {"product_id": product.id, "revision_id": revision.id, "market": product.market,
            "shop_id": product.shop_id, "category_id": revision.category_id,
            "price_minor": revision.min_price_minor, "currency": revision.currency,
            "title": revision.title, "image_key": images[0]["thumb_key"] if images else None,
            "document": _document(revision, category_path)}


def _live_rows(session: Session, product_ids: Iterable[int]) -> list[Any]:
    return list(session.execute(
        select(Product, ProductRevision, Category.path)
        .join(ProductRevision, ProductRevision.id == Product.live_revision_id)
        .join(Category, Category.id == ProductRevision.category_id)
        .where(Product.id.in_(list(product_ids)), Product.visible.is_(True))).all())


def index_products(session: Session, product_ids: Iterable[int]) -> int:
    """Bring these products' rows up to date: live ones (re)written, others removed.

    Returns how many are indexed now.
    """
    ids = sorted(set(product_ids))
    if not ids:
        return 0
    rows = _live_rows(session, ids)
    current = {e.product_id: e for e in session.execute(
        select(ProductSearchEntry).where(ProductSearchEntry.product_id.in_(ids))).scalars()}
    live_ids = set()
    for product, revision, path in rows:
        live_ids.add(product.id)
        values = _entry(product, revision, path)
        entry = current.get(product.id)
        if entry is None:
            session.add(ProductSearchEntry(**values))
        elif any(getattr(entry, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(entry, key, value)
    gone = [pid for pid in current if pid not in live_ids]
    if gone:
        session.execute(delete(ProductSearchEntry)
                        .where(ProductSearchEntry.product_id.in_(gone)))
    session.flush()
    return len(live_ids)


def index_product(session: Session, product_id: int) -> bool:
    """One product; True when it is in the index (live) afterwards."""
    return index_products(session, [product_id]) == 1


def reindex_all(session: Session, *, batch: int = REINDEX_BATCH) -> int:
    """Rebuild every row from the catalog (the ``clipcart search reindex`` command).

    Drops rows of products that are no longer live; returns how many are indexed.
    """
    indexed, after = 0, 0
    while True:
        ids = list(session.execute(select(Product.id).where(Product.id > after)
                                   .order_by(Product.id).limit(batch)).scalars())
        if not ids:
            break
        indexed += index_products(session, ids)
        after = ids[-1]
    orphans = select(ProductSearchEntry.product_id).where(
        ProductSearchEntry.product_id.not_in(select(Product.id)))
    session.execute(delete(ProductSearchEntry)
                    .where(ProductSearchEntry.product_id.in_(orphans)))
    return indexed
