"""Warehouses and stock. Stock changes by one conditional UPDATE, never read-check-write."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.ids import new_id
from clipcart.inventory.models import Warehouse


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
