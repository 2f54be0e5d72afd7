"""What Seller Center pages read: the product list, one product for its editor, counts.

The list costs the same number of queries for any page size (tab counts, the page, its
images, its SKUs and their stock), pinned by a test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clipcart.catalog.categories import subtree_ids
from clipcart.catalog.images import images_of
from clipcart.catalog.models import (
    Category,
    Product,
    ProductImage,
    ProductRevision,
    ProductStatusHistory,
    Sku,
)
from clipcart.catalog.paging import decode_token, encode_token, page_size_of
from clipcart.catalog.service import product_of_shop, skus_of
from clipcart.discovery.seller_search import seller_text_match
from clipcart.errors import ValidationFailed
from clipcart.inventory import service as inventory
from clipcart.money import Money

TABS: dict[str, tuple[str, tuple[str, ...]]] = {
    "all": ("All", ()),
    "live": ("Live", ("ACTIVATE",)),
    "review": ("In review", ("PENDING",)),
    "failed": ("Failed", ("FAILED",)),
    "drafts": ("Drafts", ("DRAFT",)),
    "deactivated": ("Deactivated", ("SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED")),
}


@dataclass(frozen=True)
class SellerRow:
    product: Product
    category_path: str | None
    thumb_key: str | None
    sku_count: int
    min_price: Money | None
    max_price: Money | None
    available: int


@dataclass(frozen=True)
class SellerList:
    rows: list[SellerRow]
    next_page_token: str | None
    tab_counts: dict[str, int]


def _filters(session: Session, shop_id: int, text: str, category_id: int | None) -> list[Any]:
    where: list[Any] = [Product.shop_id == shop_id, Product.status != "DELETED"]
    matched = seller_text_match(text)
    if matched is not None:
        where.append(matched)
    if category_id is not None:
        where.append(Product.category_id.in_(subtree_ids(session, category_id)))
    return where


def seller_products(session: Session, shop_id: int, *, tab: str = "all", text: str = "",
                    category_id: int | None = None, page_size: int = 20,
                    page_token: str | None = None) -> SellerList:
    """A shop's products (any status but DELETED), newest first, filtered and paged."""
    if tab not in TABS:
        raise ValidationFailed("Unknown tab.", field="tab")
    size = page_size_of(page_size)
    where = _filters(session, shop_id, text, category_id)
    by_status = dict(session.execute(select(Product.status, func.count())
                                     .where(*where).group_by(Product.status)).all())
    counts = {name: sum(n for s, n in by_status.items() if not statuses or s in statuses)
              for name, (_, statuses) in TABS.items()}
    query = (select(Product, Category.path).outerjoin(Category, Category.id == Product.category_id)
             .where(*where).order_by(Product.id.desc()).limit(size + 1))
    if TABS[tab][1]:
        query = query.where(Product.status.in_(TABS[tab][1]))
    after = decode_token(page_token)
    if after is not None:
        query = query.where(Product.id < after)
    rows = session.execute(query).all()
    more = len(rows) > size
    rows = rows[:size]
    ids = [p.id for p, _ in rows]
    thumbs: dict[int, str] = {}
    skus: dict[int, list[Any]] = {i: [] for i in ids}
    if ids:
        for product_id, thumb in session.execute(
                select(ProductImage.product_id, ProductImage.thumb_key)
                .where(ProductImage.product_id.in_(ids), ProductImage.position == 0)):
            thumbs[product_id] = thumb
        # plain rows, not ORM objects: a page of 100-SKU products is thousands of SKUs
        for sku in session.execute(select(Sku.product_id, Sku.id, Sku.price_minor, Sku.currency)
                                   .where(Sku.product_id.in_(ids), Sku.removed.is_(False))):
            skus[sku.product_id].append(sku)
    available = inventory.available_for_skus(
        session, [s.id for group in skus.values() for s in group]) if ids else {}
    result = []
    for product, path in rows:
        group = skus[product.id]
        prices = [s.price_minor for s in group]
        currency = group[0].currency if group else ""
        result.append(SellerRow(product, path, thumbs.get(product.id), len(group),
                                Money(min(prices), currency) if prices else None,
                                Money(max(prices), currency) if prices else None,
                                sum(max(0, available.get(s.id, 0)) for s in group)))
    return SellerList(result, encode_token(ids[-1]) if more and ids else None, counts)


@dataclass
class SellerProductView:
    product: Product
    skus: list[Sku]
    images: list[ProductImage]
    live: ProductRevision | None  # what buyers see
    latest: ProductRevision | None  # the last submission and its audit result
    history: list[ProductStatusHistory]
    stock: dict[int, dict[int, int]] = field(default_factory=dict)  # sku -> warehouse -> on hand


def product_for_seller(session: Session, shop_id: int, product_id: int) -> SellerProductView:
    product = product_of_shop(session, shop_id, product_id)
    skus = skus_of(session, product.id)
    latest = session.execute(select(ProductRevision).where(
        ProductRevision.product_id == product.id).order_by(ProductRevision.number.desc())
        .limit(1)).scalar_one_or_none()
    live = session.get(ProductRevision, product.live_revision_id) \
        if product.live_revision_id else None
    history = list(session.execute(
        select(ProductStatusHistory).where(ProductStatusHistory.product_id == product.id)
        .order_by(ProductStatusHistory.id.desc()).limit(20)).scalars())
    levels = inventory.levels_for_skus(session, [s.id for s in skus])
    stock = {sku: {wh: level.on_hand for wh, level in per.items()} for sku, per in levels.items()}
    return SellerProductView(product, skus, images_of(session, product.id), live, latest,
                             history, stock)


@dataclass(frozen=True)
class AuditResult:
    product_id: int
    title: str
    audit_status: str
    reasons: list[dict[str, str]]
    decided_at: Any


def status_counts(session: Session, shop_id: int) -> dict[str, int]:
    return dict(session.execute(select(Product.status, func.count())
                                .where(Product.shop_id == shop_id, Product.status != "DELETED")
                                .group_by(Product.status)).all())


def recent_audit_results(session: Session, shop_id: int, limit: int = 5) -> list[AuditResult]:
    rows = session.execute(
        select(ProductRevision).join(Product, Product.id == ProductRevision.product_id)
        .where(ProductRevision.shop_id == shop_id, Product.status != "DELETED",
               ProductRevision.audit_status.in_(("APPROVED", "REJECTED", "IN_REVIEW")))
        .order_by(ProductRevision.id.desc()).limit(limit)).scalars()
    return [AuditResult(r.product_id, r.title, r.audit_status, list(r.reasons),
                        r.decided_at or r.created_at) for r in rows]
