"""Inventory's operations: the only way to change warehouses, stock and reservations.

Stock changes follow DESIGN rule 4: a delta is one conditional UPDATE
(``on_hand = on_hand + :d WHERE on_hand + :d >= reserved``); an absolute count is written
under the row lock; first use of a (SKU, warehouse) row is ``INSERT ... ON CONFLICT DO
NOTHING`` followed by ``SELECT ... FOR UPDATE``. CHECK constraints back all of it.
Warehouses live in ``warehouses.py`` and reservations in ``reservations.py``; both are
re-exported here, so other contexts import this module only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.db import built_once
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.inventory import catalog_view, locks
from clipcart.inventory.models import StockLevel
from clipcart.inventory.movements import MANUAL_REASONS, MAX_UNITS, record_movement
from clipcart.inventory.reservations import Reservation as Reservation
from clipcart.inventory.reservations import ReservedLine as ReservedLine
from clipcart.inventory.reservations import commit_reservation as commit_reservation
from clipcart.inventory.reservations import get_reservation as get_reservation
from clipcart.inventory.reservations import out_of_stock
from clipcart.inventory.reservations import release_expired as release_expired
from clipcart.inventory.reservations import release_reservation as release_reservation
from clipcart.inventory.reservations import reserve as reserve
from clipcart.inventory.warehouses import add_warehouse as add_warehouse
from clipcart.inventory.warehouses import archive_warehouse as archive_warehouse
from clipcart.inventory.warehouses import default_warehouse as default_warehouse
from clipcart.inventory.warehouses import ensure_default_warehouse as ensure_default_warehouse
from clipcart.inventory.warehouses import get_warehouse as get_warehouse
from clipcart.inventory.warehouses import set_default_warehouse as set_default_warehouse
from clipcart.inventory.warehouses import update_warehouse as update_warehouse
from clipcart.inventory.warehouses import warehouses_of as warehouses_of


def _units(value: int, field: str, *, allow_negative: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(f"{field} must be a whole number.", field=field)
    low = -MAX_UNITS if allow_negative else 0
    if not low <= value <= MAX_UNITS:
        raise ValidationFailed(
            f"{field} must be between {low:,} and {MAX_UNITS:,}.", field=field)
    return value


def _manual_reason(reason: str) -> str:
    if reason not in MANUAL_REASONS:
        raise ValidationFailed(f"Unknown reason {reason!r} for a stock change.", field="reason")
    return reason


def _require_sku(session: Session, shop_id: int, sku_id: int) -> None:
    if catalog_view.sku_owners(session, [sku_id]).get(sku_id) != shop_id:
        raise NotFound("No such SKU in this shop.")


def _open_row(session: Session, shop_id: int, sku_id: int, warehouse_id: int) -> None:
    """Check tenancy, hold the warehouse against archiving, make sure the row exists."""
    _require_sku(session, shop_id, sku_id)
    if locks.share_warehouse(session, shop_id, warehouse_id) is None:
        raise NotFound("No such warehouse in this shop.")
    locks.ensure_stock_row(session, shop_id=shop_id, sku_id=sku_id, warehouse_id=warehouse_id)


def stock_level(session: Session, sku_id: int, warehouse_id: int) -> StockLevel | None:
    """The row as the database has it now (never a stale copy from the session)."""
    return session.execute(
        select(StockLevel).where(StockLevel.sku_id == sku_id,
                                 StockLevel.warehouse_id == warehouse_id)
        .execution_options(populate_existing=True)).scalar_one_or_none()


def set_on_hand(session: Session, *, shop_id: int, sku_id: int, warehouse_id: int,
                quantity: int, actor_user_id: int | None, reason: str = "manual_set",
                note: str = "") -> StockLevel:
    """Set the counted on-hand quantity; the difference is recorded as a movement.

    Refused (BELOW_RESERVED, nothing changes) when it would drop below what open
    checkouts hold.
    """
    quantity = _units(quantity, "quantity")
    reason = _manual_reason(reason)
    _open_row(session, shop_id, sku_id, warehouse_id)
    level = locks.lock_stock_row(session, sku_id, warehouse_id)
    if level is None:  # pragma: no cover - the row was just ensured
        raise NotFound("No such stock row.")
    if quantity < level.reserved:
        raise ValidationFailed(
            f"{level.reserved} units are reserved by open checkouts; stock cannot go below "
            "that.", field="quantity", code="BELOW_RESERVED")
    delta = quantity - level.on_hand
    if delta:
        level.on_hand = quantity
        level.updated_at = clock.now()
        record_movement(session, shop_id=shop_id, sku_id=sku_id, warehouse_id=warehouse_id,
                        on_hand_delta=delta, reserved_delta=0, reason=reason,
                        actor_user_id=actor_user_id, note=note)
    session.flush()
    return level


def adjust_stock(session: Session, *, shop_id: int, sku_id: int, warehouse_id: int,
                 delta: int, actor_user_id: int | None, reason: str = "adjustment",
                 note: str = "", reference: str | None = None) -> StockLevel:
    """Add (or remove, when negative) units in one atomic conditional UPDATE.

    Refused with INSUFFICIENT_STOCK when fewer than ``-delta`` units are free.
    """
    delta = _units(delta, "delta", allow_negative=True)
    if delta == 0:
        raise ValidationFailed("Give a number of units to add or remove.", field="delta")
    reason = _manual_reason(reason)
    _open_row(session, shop_id, sku_id, warehouse_id)
    changed = session.execute(
        update(StockLevel)
        .where(StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse_id,
               StockLevel.on_hand + delta >= StockLevel.reserved,
               StockLevel.on_hand + delta <= MAX_UNITS)
        .values(on_hand=StockLevel.on_hand + delta, updated_at=clock.now())
        .returning(StockLevel.on_hand)
        .execution_options(synchronize_session=False)).first()
    if changed is None:
        level = stock_level(session, sku_id, warehouse_id)
        free = level.on_hand - level.reserved if level else 0
        if delta > 0:
            raise ValidationFailed(f"A warehouse holds at most {MAX_UNITS:,} units of a SKU.",
                                   field="delta")
        raise Conflict(f"Only {free} units are free to remove here; cannot remove "
                       f"{-delta}.", code="INSUFFICIENT_STOCK",
                       extra={"sku_id": str(sku_id), "available": free})
    record_movement(session, shop_id=shop_id, sku_id=sku_id, warehouse_id=warehouse_id,
                    on_hand_delta=delta, reserved_delta=0, reason=reason,
                    actor_user_id=actor_user_id, note=note, reference=reference)
    session.flush()
    level = stock_level(session, sku_id, warehouse_id)
    assert level is not None
    return level


def set_low_stock_threshold(session: Session, *, shop_id: int, sku_id: int, warehouse_id: int,
                            threshold: int) -> StockLevel:
    """Flag the row as low stock when its available units fall to ``threshold`` or below."""
    threshold = _units(threshold, "low_stock_threshold")
    _open_row(session, shop_id, sku_id, warehouse_id)
    session.execute(
        update(StockLevel)
        .where(StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse_id)
        .values(low_stock_threshold=threshold, updated_at=clock.now())
        .execution_options(synchronize_session=False))
    level = stock_level(session, sku_id, warehouse_id)
    assert level is not None
    return level


def is_low(level: StockLevel) -> bool:
    """Low stock: available at or under the row's threshold (with 0: sold out)."""
    return level.on_hand - level.reserved <= level.low_stock_threshold


def _available_query(_dialect: str) -> Any:
    return (select(StockLevel.sku_id, func.sum(StockLevel.on_hand - StockLevel.reserved))
            .where(StockLevel.sku_id.in_(bindparam("ids", expanding=True)))
            .group_by(StockLevel.sku_id))


def available_for_skus(session: Session, sku_ids: Sequence[int]) -> dict[int, int]:
    """Units that can be sold now (on hand minus reserved, over every warehouse), per SKU."""
    if not sku_ids:
        return {}
    rows = session.execute(built_once(session, _available_query), {"ids": list(sku_ids)})
    found = {sku: int(qty or 0) for sku, qty in rows}
    return {sku: found.get(sku, 0) for sku in sku_ids}


def require_available(session: Session, wanted: Mapping[int, int]) -> None:
    """Raise OUT_OF_STOCK, as ``reserve`` would, when a SKU plainly has fewer units than
    wanted. A plain read without locks: it turns buyers of a sold-out SKU away before a
    checkout does any work and waits on the stock row, but it never decides a sale (a
    unit it sees may be gone by the time ``reserve``'s conditional update runs)."""
    available = available_for_skus(session, sorted(wanted))
    for sku_id in sorted(wanted):
        if available[sku_id] < wanted[sku_id]:
            raise out_of_stock(sku_id, max(available[sku_id], 0), wanted[sku_id])


def levels_for_skus(session: Session, sku_ids: Sequence[int]) -> dict[int, dict[int, StockLevel]]:
    """Stock rows per SKU and warehouse, for editors and reports."""
    result: dict[int, dict[int, StockLevel]] = {sku: {} for sku in sku_ids}
    if sku_ids:
        for level in session.execute(
                select(StockLevel).where(StockLevel.sku_id.in_(list(sku_ids)))
                .execution_options(populate_existing=True)).scalars():
            result[level.sku_id][level.warehouse_id] = level
    return result
