"""Read side for pages, the dashboard card and reports: a fixed number of queries each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, distinct, func, select
from sqlalchemy.orm import Session

from clipcart.errors import NotFound, ValidationFailed
from clipcart.ids import parse_id
from clipcart.inventory import catalog_view
from clipcart.inventory.catalog_view import SkuView
from clipcart.inventory.models import StockLevel, StockMovement, Warehouse
from clipcart.inventory.movements import REASON_LABELS
from clipcart.inventory.service import levels_for_skus
from clipcart.inventory.warehouses import warehouses_of

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Cell:
    """One SKU in one warehouse (zeros when the row was never created)."""

    warehouse: Warehouse
    on_hand: int = 0
    reserved: int = 0
    threshold: int = 0
    stocked: bool = False

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def low(self) -> bool:
        return self.stocked and self.available <= self.threshold


@dataclass(frozen=True)
class InventoryRow:
    sku: SkuView
    cells: list[Cell]

    @property
    def on_hand(self) -> int:
        return sum(c.on_hand for c in self.cells)

    @property
    def reserved(self) -> int:
        return sum(c.reserved for c in self.cells)

    @property
    def available(self) -> int:
        return sum(c.available for c in self.cells)

    @property
    def low(self) -> bool:
        return any(c.low for c in self.cells)


@dataclass(frozen=True)
class InventoryPage:
    warehouses: list[Warehouse]
    rows: list[InventoryRow]
    next_page_token: str | None


@dataclass(frozen=True)
class MovementView:
    id: int
    created_at: datetime
    warehouse_name: str
    reason: str
    on_hand_delta: int
    reserved_delta: int
    note: str
    reference: str | None
    actor: str | None

    @property
    def label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason.replace("_", " ").capitalize())


@dataclass(frozen=True)
class MovementsPage:
    sku: SkuView
    items: list[MovementView]
    next_page_token: str | None


@dataclass(frozen=True)
class StockSummary:
    low_stock_skus: int
    units_on_hand: int
    units_reserved: int
    warehouses: int


def page_size_of(raw: int | None) -> int:
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= raw <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"page_size is 1 to {MAX_PAGE_SIZE}.", field="page_size")
    return raw


def _token(raw: str | None) -> int | None:
    if not raw:
        return None
    value = parse_id(raw)
    if value is None:
        raise ValidationFailed("page_token is not valid; start from the first page.",
                               field="page_token")
    return value


def _rows(skus: list[SkuView], warehouses: list[Warehouse],
          levels: dict[int, dict[int, StockLevel]]) -> list[InventoryRow]:
    rows = []
    for sku in skus:
        cells = []
        for warehouse in warehouses:
            level = levels.get(sku.id, {}).get(warehouse.id)
            cells.append(Cell(warehouse, level.on_hand, level.reserved,
                              level.low_stock_threshold, True) if level else Cell(warehouse))
        rows.append(InventoryRow(sku, cells))
    return rows


def inventory_page(session: Session, shop_id: int, *, low_only: bool = False,
                   page_token: str | None = None,
                   page_size: int = DEFAULT_PAGE_SIZE) -> InventoryPage:
    """A page of the shop's SKUs, newest first, with stock per warehouse: three queries."""
    warehouses = warehouses_of(session, shop_id)
    skus = catalog_view.sku_page(session, shop_id, low_only=low_only,
                                 before=_token(page_token), limit=page_size + 1)
    more = len(skus) > page_size
    skus = skus[:page_size]
    levels = levels_for_skus(session, [s.id for s in skus])
    return InventoryPage(warehouses, _rows(skus, warehouses, levels),
                         str(skus[-1].id) if more and skus else None)


def inventory_row(session: Session, shop_id: int, sku_id: int) -> tuple[list[Warehouse],
                                                                        InventoryRow]:
    sku = catalog_view.sku_view(session, shop_id, sku_id)
    if sku is None:
        raise NotFound("No such SKU in this shop.")
    warehouses = warehouses_of(session, shop_id)
    return warehouses, _rows([sku], warehouses, levels_for_skus(session, [sku_id]))[0]


def movements_page(session: Session, shop_id: int, sku_id: int, *,
                   page_token: str | None = None,
                   page_size: int = DEFAULT_PAGE_SIZE) -> MovementsPage:
    """A SKU's stock history, newest first."""
    sku = catalog_view.sku_view(session, shop_id, sku_id)
    if sku is None:
        raise NotFound("No such SKU in this shop.")
    query = (select(StockMovement, Warehouse.name)
             .join(Warehouse, Warehouse.id == StockMovement.warehouse_id)
             .where(StockMovement.sku_id == sku_id, StockMovement.shop_id == shop_id))
    before = _token(page_token)
    if before is not None:
        query = query.where(StockMovement.id < before)
    found = list(session.execute(query.order_by(StockMovement.id.desc()).limit(page_size + 1)))
    more = len(found) > page_size
    found = found[:page_size]
    handles = catalog_view.handles_of(session, (m.actor_user_id for m, _ in found
                                                if m.actor_user_id))
    items = [MovementView(m.id, m.created_at, name, m.reason, m.on_hand_delta,
                          m.reserved_delta, m.note, m.reference,
                          handles.get(m.actor_user_id) if m.actor_user_id else None)
             for m, name in found]
    return MovementsPage(sku, items, str(items[-1].id) if more and items else None)


def _low() -> ColumnElement[bool]:
    return StockLevel.on_hand - StockLevel.reserved <= StockLevel.low_stock_threshold


def _active_levels(shop_id: int) -> Select[Any]:
    return (select(StockLevel).join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
            .where(StockLevel.shop_id == shop_id, Warehouse.archived_at.is_(None)))


def low_stock(session: Session, shop_id: int, limit: int = 5) -> list[tuple[SkuView, Cell]]:
    """The lowest rows first (fewest available), for the dashboard card."""
    levels = list(session.execute(
        _active_levels(shop_id).add_columns(Warehouse).where(_low())
        .order_by((StockLevel.on_hand - StockLevel.reserved), StockLevel.sku_id).limit(limit)))
    views = catalog_view.sku_views(session, (level.sku_id for level, _ in levels))
    return [(views[level.sku_id], Cell(warehouse, level.on_hand, level.reserved,
                                       level.low_stock_threshold, True))
            for level, warehouse in levels if level.sku_id in views]


def summary(session: Session, shop_id: int) -> StockSummary:
    units = session.execute(
        select(func.coalesce(func.sum(StockLevel.on_hand), 0),
               func.coalesce(func.sum(StockLevel.reserved), 0))
        .where(StockLevel.shop_id == shop_id)).one()
    low = session.execute(
        select(func.count(distinct(StockLevel.sku_id)))
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.shop_id == shop_id, Warehouse.archived_at.is_(None),
               _low())).scalar_one()
    warehouses = session.execute(
        select(func.count()).select_from(Warehouse)
        .where(Warehouse.shop_id == shop_id, Warehouse.archived_at.is_(None))).scalar_one()
    return StockSummary(int(low), int(units[0]), int(units[1]), int(warehouses))


def warehouse_totals(session: Session, shop_id: int) -> dict[int, tuple[int, int, int]]:
    """(units on hand, units reserved, SKUs stocked) per warehouse."""
    rows = session.execute(
        select(StockLevel.warehouse_id, func.sum(StockLevel.on_hand),
               func.sum(StockLevel.reserved),
               func.count().filter(StockLevel.on_hand > 0))
        .where(StockLevel.shop_id == shop_id).group_by(StockLevel.warehouse_id))
    return {int(w): (int(a or 0), int(b or 0), int(c or 0)) for w, a, b, c in rows}
