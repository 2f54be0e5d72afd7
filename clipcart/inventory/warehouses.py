"""A shop's warehouses: one default, add, rename, make default, archive when empty."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.db import upsert
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.ids import new_id
from clipcart.inventory import locks
from clipcart.inventory.models import StockLevel, Warehouse

DEFAULT_NAME = "Main warehouse"


def _clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not 1 <= len(cleaned) <= 80:
        raise ValidationFailed("Warehouse names are 1 to 80 characters.", field="name")
    return cleaned


def _clean_address(address: str) -> str:
    cleaned = "\n".join(line.strip() for line in (address or "").strip().splitlines())
    if len(cleaned) > 500:
        raise ValidationFailed("Addresses are at most 500 characters.", field="address")
    return cleaned


def _name_taken() -> Conflict:
    return Conflict("This shop already has a warehouse with that name.",
                    code="WAREHOUSE_NAME_TAKEN", extra={"field": "name"})


def ensure_default_warehouse(session: Session, shop_id: int) -> Warehouse:
    """The shop's default warehouse, created the first time it is needed (race-free: the
    partial unique index allows one default per shop, a second insert does nothing)."""
    found = default_warehouse(session, shop_id)
    if found is not None:
        return found
    session.execute(upsert(session, Warehouse).values(
        id=new_id(), shop_id=shop_id, name=DEFAULT_NAME, address="", is_default=True,
        created_at=clock.now()).on_conflict_do_nothing())
    found = default_warehouse(session, shop_id)
    if found is None:  # the name was taken by a non-default warehouse: cannot happen
        raise Conflict("The shop's default warehouse could not be created.",
                       code="WAREHOUSE_NAME_TAKEN")
    return found


def default_warehouse(session: Session, shop_id: int) -> Warehouse | None:
    return session.execute(
        select(Warehouse).where(Warehouse.shop_id == shop_id, Warehouse.is_default.is_(True))
        .execution_options(populate_existing=True)).scalar_one_or_none()


def warehouses_of(session: Session, shop_id: int) -> list[Warehouse]:
    """The shop's active warehouses, default first, then oldest first."""
    return list(session.execute(
        select(Warehouse).where(Warehouse.shop_id == shop_id, Warehouse.archived_at.is_(None))
        .order_by(Warehouse.is_default.desc(), Warehouse.id)).scalars())


def get_warehouse(session: Session, shop_id: int, warehouse_id: int) -> Warehouse:
    """One of the shop's active warehouses; NOT_FOUND for any other id (tenancy)."""
    warehouse = session.get(Warehouse, warehouse_id)
    if warehouse is None or warehouse.shop_id != shop_id or warehouse.archived_at is not None:
        raise NotFound("No such warehouse in this shop.")
    return warehouse


def add_warehouse(session: Session, shop_id: int, name: str, address: str = "",
                  *, make_default: bool = False) -> Warehouse:
    warehouse = Warehouse(id=new_id(), shop_id=shop_id, name=_clean_name(name),
                          address=_clean_address(address), is_default=False,
                          created_at=clock.now())
    try:
        with session.begin_nested():
            session.add(warehouse)
            session.flush()
    except IntegrityError:
        raise _name_taken() from None
    if make_default:
        set_default_warehouse(session, shop_id, warehouse.id)
    return warehouse


def update_warehouse(session: Session, shop_id: int, warehouse_id: int, *, name: str,
                     address: str) -> Warehouse:
    """Rename a warehouse and change its address."""
    warehouse = get_warehouse(session, shop_id, warehouse_id)
    new_name, new_address = _clean_name(name), _clean_address(address)
    try:
        with session.begin_nested():
            warehouse.name, warehouse.address = new_name, new_address
            session.flush()
    except IntegrityError:
        session.refresh(warehouse)
        raise _name_taken() from None
    return warehouse


def set_default_warehouse(session: Session, shop_id: int, warehouse_id: int) -> Warehouse:
    """Make a warehouse the default: reservations take from it first, uploads use it."""
    active = {w.id: w for w in locks.lock_warehouses(session, shop_id)}
    target = active.get(warehouse_id)
    if target is None:
        raise NotFound("No such warehouse in this shop.")
    if not target.is_default:
        # Unset first, then set: the one-default index is checked after each statement.
        session.execute(update(Warehouse).where(Warehouse.shop_id == shop_id,
                                                Warehouse.is_default.is_(True))
                        .values(is_default=False).execution_options(synchronize_session=False))
        session.execute(update(Warehouse).where(Warehouse.id == warehouse_id)
                        .values(is_default=True).execution_options(synchronize_session=False))
    return get_warehouse_fresh(session, warehouse_id)


def get_warehouse_fresh(session: Session, warehouse_id: int) -> Warehouse:
    return session.execute(select(Warehouse).where(Warehouse.id == warehouse_id)
                           .execution_options(populate_existing=True)).scalar_one()


def archive_warehouse(session: Session, shop_id: int, warehouse_id: int) -> Warehouse:
    """Retire an empty warehouse. One holding stock, or the default, is refused.

    Stock is only ever added under a shared lock on the warehouse row (see locks.py), so
    the exclusive lock here makes "is it empty?" and "archive it" one atomic step.
    """
    active = {w.id: w for w in locks.lock_warehouses(session, shop_id)}
    target = active.get(warehouse_id)
    if target is None:
        raise NotFound("No such warehouse in this shop.")
    if target.is_default:
        raise Conflict("The default warehouse cannot be deleted; make another one the default "
                       "first.", code="WAREHOUSE_IS_DEFAULT")
    units = session.execute(
        select(func.coalesce(func.sum(StockLevel.on_hand), 0))
        .where(StockLevel.warehouse_id == warehouse_id)).scalar_one()
    if units:
        raise Conflict(f"This warehouse still holds {units} units; move or count them down "
                       "to zero before deleting it.", code="WAREHOUSE_HAS_STOCK")
    target.archived_at = clock.now()
    session.flush()
    return target
