"""Every row lock inventory takes, in one place and in one order.

Rules (so two transactions never wait on each other in a cycle):
- stock rows are locked in primary-key order, (sku_id, warehouse_id), all at once;
- a reservation row is locked before the stock rows it holds;
- a warehouse row is locked (shared for stock changes, exclusive for archiving) before its
  stock rows.
On SQLite these are no-ops: every write transaction starts with ``BEGIN IMMEDIATE`` and so
runs alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.db import upsert
from clipcart.inventory.models import StockLevel, Warehouse


@dataclass(frozen=True)
class LockedStock:
    sku_id: int
    warehouse_id: int
    shop_id: int
    on_hand: int
    reserved: int
    is_default: bool

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def ensure_stock_row(session: Session, *, shop_id: int, sku_id: int, warehouse_id: int) -> None:
    """Create the zero stock row if missing: ``INSERT ... ON CONFLICT DO NOTHING``.

    Two first-time writers both succeed here; the row lock taken next serializes them.
    """
    session.execute(
        upsert(session, StockLevel)
        .values(sku_id=sku_id, warehouse_id=warehouse_id, shop_id=shop_id, on_hand=0,
                reserved=0, low_stock_threshold=0, updated_at=clock.now())
        .on_conflict_do_nothing(index_elements=["sku_id", "warehouse_id"]))


def lock_stock_row(session: Session, sku_id: int, warehouse_id: int) -> StockLevel | None:
    """The stock row, freshly read and locked until the end of the transaction."""
    return session.execute(
        select(StockLevel).where(StockLevel.sku_id == sku_id,
                                 StockLevel.warehouse_id == warehouse_id)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()


def stock_of_skus(session: Session, sku_ids: Iterable[int], *,
                  lock: bool) -> list[LockedStock]:
    """Every active-warehouse stock row of these SKUs in primary-key order; with ``lock``
    locked in that order, without it only read (for a plan that conditional updates check)."""
    ids = sorted(set(sku_ids))
    if not ids:
        return []
    query = (select(StockLevel.sku_id, StockLevel.warehouse_id, StockLevel.shop_id,
                    StockLevel.on_hand, StockLevel.reserved, Warehouse.is_default)
             .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
             .where(StockLevel.sku_id.in_(ids), Warehouse.archived_at.is_(None))
             .order_by(StockLevel.sku_id, StockLevel.warehouse_id))
    rows = session.execute(query.with_for_update(of=StockLevel) if lock else query)
    return [LockedStock(*row) for row in rows]


def lock_stock_keys(session: Session, keys: Iterable[tuple[int, int]]) -> None:
    """Lock the stock rows with these (sku_id, warehouse_id) keys, in primary-key order."""
    ordered = sorted(set(keys))
    if ordered and session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(StockLevel.sku_id)
            .where(tuple_(StockLevel.sku_id, StockLevel.warehouse_id).in_(ordered))
            .order_by(StockLevel.sku_id, StockLevel.warehouse_id).with_for_update())


def share_warehouse(session: Session, shop_id: int, warehouse_id: int) -> Warehouse | None:
    """The shop's active warehouse, locked against archiving while stock is added to it."""
    return session.execute(
        select(Warehouse).where(Warehouse.id == warehouse_id, Warehouse.shop_id == shop_id,
                                Warehouse.archived_at.is_(None))
        .with_for_update(read=True).execution_options(populate_existing=True)
    ).scalar_one_or_none()


def lock_warehouses(session: Session, shop_id: int) -> list[Warehouse]:
    """All of a shop's active warehouses, locked in primary-key order (default changes)."""
    return list(session.execute(
        select(Warehouse).where(Warehouse.shop_id == shop_id, Warehouse.archived_at.is_(None))
        .order_by(Warehouse.id).with_for_update()
        .execution_options(populate_existing=True)).scalars())
