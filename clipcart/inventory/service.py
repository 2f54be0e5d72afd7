"""Warehouses and stock. Stock changes by one conditional UPDATE, never read-check-write."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.errors import NotFound, ValidationFailed
from clipcart.ids import new_id
from clipcart.inventory.models import StockLevel, StockMovement, Warehouse


def ensure_default_warehouse(session: Session, shop_id: int) -> Warehouse:
    """The shop's default warehouse, created the first time it is needed."""
    found = session.execute(
        select(Warehouse).where(Warehouse.shop_id == shop_id, Warehouse.is_default.is_(True))
    ).scalar_one_or_none()
    if found is not None:
        return found
    warehouse = Warehouse(id=new_id(), shop_id=shop_id, name="Main warehouse", address="",
                          is_default=True, created_at=clock.now())
    session.add(warehouse)
    session.flush()
    return warehouse


def warehouses_of(session: Session, shop_id: int) -> list[Warehouse]:
    return list(session.execute(
        select(Warehouse).where(Warehouse.shop_id == shop_id)
        .order_by(Warehouse.is_default.desc(), Warehouse.id)).scalars())


def _warehouse_of_shop(session: Session, shop_id: int, warehouse_id: int) -> Warehouse:
    warehouse = session.get(Warehouse, warehouse_id)
    if warehouse is None or warehouse.shop_id != shop_id:
        raise NotFound("No such warehouse in this shop.")
    return warehouse


def _level(session: Session, shop_id: int, sku_id: int, warehouse_id: int) -> StockLevel:
    """The stock row, created at zero on first use (the row lock then serializes changes)."""
    level = session.execute(
        select(StockLevel).where(StockLevel.sku_id == sku_id,
                                 StockLevel.warehouse_id == warehouse_id).with_for_update()
    ).scalar_one_or_none()
    if level is None:
        level = StockLevel(sku_id=sku_id, warehouse_id=warehouse_id, shop_id=shop_id, on_hand=0,
                           reserved=0, low_stock_threshold=0, updated_at=clock.now())
        session.add(level)
        session.flush()
    return level


def set_on_hand(session: Session, *, shop_id: int, sku_id: int, warehouse_id: int,
                quantity: int, actor_user_id: int | None, reason: str = "manual_set",
                note: str = "") -> StockLevel:
    """Set the counted on-hand quantity; the difference is recorded as a movement.

    Refused (and nothing changes) when it would drop below what is already reserved.
    """
    if quantity < 0:
        raise ValidationFailed("Stock cannot be negative.", field="quantity")
    _warehouse_of_shop(session, shop_id, warehouse_id)
    level = _level(session, shop_id, sku_id, warehouse_id)
    if level.shop_id != shop_id:
        raise NotFound("No such SKU in this shop.")
    if quantity < level.reserved:
        raise ValidationFailed(
            f"{level.reserved} units are reserved by open checkouts; stock cannot go below that.",
            field="quantity", code="BELOW_RESERVED")
    delta = quantity - level.on_hand
    level.on_hand = quantity
    level.updated_at = clock.now()
    if delta:
        session.add(StockMovement(id=new_id(), sku_id=sku_id, warehouse_id=warehouse_id,
                                  shop_id=shop_id, on_hand_delta=delta, reserved_delta=0,
                                  reason=reason, note=note[:500], actor_user_id=actor_user_id,
                                  created_at=level.updated_at))
    session.flush()
    return level


def available_for_skus(session: Session, sku_ids: Sequence[int]) -> dict[int, int]:
    """Units that can be sold now (on hand minus reserved, over every warehouse), per SKU."""
    if not sku_ids:
        return {}
    rows = session.execute(
        select(StockLevel.sku_id, func.sum(StockLevel.on_hand - StockLevel.reserved))
        .where(StockLevel.sku_id.in_(list(sku_ids))).group_by(StockLevel.sku_id))
    found = {sku: int(qty or 0) for sku, qty in rows}
    return {sku: found.get(sku, 0) for sku in sku_ids}


def levels_for_skus(session: Session, sku_ids: Sequence[int]) -> dict[int, dict[int, StockLevel]]:
    """Stock rows per SKU and warehouse, for editors and reports."""
    result: dict[int, dict[int, StockLevel]] = {sku: {} for sku in sku_ids}
    if sku_ids:
        for level in session.execute(
                select(StockLevel).where(StockLevel.sku_id.in_(list(sku_ids)))).scalars():
            result[level.sku_id][level.warehouse_id] = level
    return result
