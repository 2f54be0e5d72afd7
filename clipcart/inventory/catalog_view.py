"""Read model of the catalog (and user handles) for inventory: SELECTs only.

Inventory needs to know which shop owns a SKU, to find SKUs by seller SKU code and to show
product titles beside stock. It reads the catalog's tables here, in one place, and never
writes them; every change to the catalog goes through ``clipcart.catalog.service``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.catalog.models import Product, Sku
from clipcart.identity.models import User
from clipcart.inventory.models import StockLevel, Warehouse


@dataclass(frozen=True)
class SkuView:
    id: int
    shop_id: int
    product_id: int
    product_title: str
    product_status: str
    seller_sku: str
    attributes: dict[str, str]


_COLUMNS = (Sku.id, Sku.shop_id, Sku.product_id, Product.title, Product.status, Sku.seller_sku,
            Sku.attributes)


def _view(row: Any) -> SkuView:
    sku_id, shop_id, product_id, title, status, code, attributes = row
    return SkuView(sku_id, shop_id, product_id, title, status, code, dict(attributes or {}))


def sku_owners(session: Session, sku_ids: Iterable[int]) -> dict[int, int]:
    """Shop id per existing SKU id (unknown SKUs are absent)."""
    ids = list(set(sku_ids))
    if not ids:
        return {}
    rows = session.execute(select(Sku.id, Sku.shop_id).where(Sku.id.in_(ids)))
    return {int(sku): int(shop) for sku, shop in rows}


def skus_by_code(session: Session, shop_id: int, codes: Iterable[str]) -> dict[str, int]:
    """SKU id per seller SKU code of one shop (unknown codes are absent)."""
    wanted = list({c for c in codes if c})
    if not wanted:
        return {}
    rows = session.execute(select(Sku.seller_sku, Sku.id)
                           .where(Sku.shop_id == shop_id, Sku.seller_sku.in_(wanted)))
    return {str(code): int(sku) for code, sku in rows}


def sku_view(session: Session, shop_id: int, sku_id: int) -> SkuView | None:
    row = session.execute(
        select(*_COLUMNS).join(Product, Product.id == Sku.product_id)
        .where(Sku.id == sku_id, Sku.shop_id == shop_id, Product.status != "DELETED")
    ).one_or_none()
    return _view(row) if row is not None else None


def sku_views(session: Session, sku_ids: Iterable[int]) -> dict[int, SkuView]:
    ids = list(set(sku_ids))
    if not ids:
        return {}
    rows = session.execute(select(*_COLUMNS).join(Product, Product.id == Sku.product_id)
                           .where(Sku.id.in_(ids)))
    return {view.id: view for view in map(_view, rows)}


def sku_page(session: Session, shop_id: int, *, low_only: bool, before: int | None,
             limit: int) -> list[SkuView]:
    """One page of a shop's SKUs, newest first, keyed by SKU id (one query).

    ``low_only`` keeps SKUs with at least one stock row at or under its low-stock threshold.
    """
    query = (select(*_COLUMNS).join(Product, Product.id == Sku.product_id)
             .where(Sku.shop_id == shop_id, Product.status != "DELETED"))
    if low_only:
        query = query.where(
            select(StockLevel.sku_id)
            .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
            .where(StockLevel.sku_id == Sku.id, Warehouse.archived_at.is_(None),
                   StockLevel.on_hand - StockLevel.reserved <= StockLevel.low_stock_threshold)
            .exists())
    if before is not None:
        query = query.where(Sku.id < before)
    rows = session.execute(query.order_by(Sku.id.desc()).limit(limit))
    return [_view(row) for row in rows]


def handles_of(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    """Public handles of users, for "who made it" columns."""
    ids = list({u for u in user_ids if u is not None})
    if not ids:
        return {}
    return {int(uid): str(handle) for uid, handle in
            session.execute(select(User.id, User.handle).where(User.id.in_(ids)))}
