"""Warehouses, stock levels, movements, reservations and idempotency keys."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

# The tables inventory's foreign keys point at must be in the metadata whenever these
# models are used (a worker process imports only what its jobs need).
from clipcart.catalog import models as _catalog_models  # noqa: F401
from clipcart.db import Base, IdType, UtcDateTime
from clipcart.identity import models as _identity_models  # noqa: F401
from clipcart.shops import models as _shops_models  # noqa: F401

RESERVATION_STATUSES = ("HELD", "COMMITTED", "RELEASED")


class Warehouse(Base):
    """A place a shop keeps stock. Archived (never deleted) once retired: movements keep
    pointing at it."""

    __tablename__ = "warehouses"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    name: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(Text, default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (
        Index("ix_warehouses_shop", "shop_id"),
        # At most one default per shop; the database enforces it, not a read-then-write.
        Index("uq_warehouses_one_default", "shop_id", unique=True,
              sqlite_where=text("is_default"), postgresql_where=text("is_default")),
        Index("uq_warehouses_active_name", "shop_id", "name", unique=True,
              sqlite_where=text("archived_at IS NULL"),
              postgresql_where=text("archived_at IS NULL")),
        CheckConstraint("NOT (is_default AND archived_at IS NOT NULL)",
                        name="default_not_archived"),
    )


class StockLevel(Base):
    """Stock of one SKU in one warehouse. available = on_hand - reserved, never negative."""

    __tablename__ = "stock_levels"
    sku_id: Mapped[int] = mapped_column(IdType, ForeignKey("skus.id"), primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(IdType, ForeignKey("warehouses.id"),
                                              primary_key=True)
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    on_hand: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved: Mapped[int] = mapped_column(BigInteger, default=0)
    low_stock_threshold: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
        CheckConstraint("low_stock_threshold >= 0", name="threshold_not_negative"),
        Index("ix_stock_levels_shop", "shop_id"),
        Index("ix_stock_levels_warehouse", "warehouse_id"),
    )


class StockMovement(Base):
    """Every change of stock, with its reason and who made it. Append-only."""

    __tablename__ = "stock_movements"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    sku_id: Mapped[int] = mapped_column(IdType, ForeignKey("skus.id"))
    warehouse_id: Mapped[int] = mapped_column(IdType, ForeignKey("warehouses.id"))
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    on_hand_delta: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved_delta: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    actor_user_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"),
                                                      nullable=True)
    reference: Mapped[str | None] = mapped_column(String(80), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_stock_movements_sku", "sku_id", "id"),)


class StockReservation(Base):
    """Stock held for a checkout until it is paid (COMMITTED) or let go (RELEASED)."""

    __tablename__ = "stock_reservations"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    reference: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(12))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    release_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("status IN ('HELD', 'COMMITTED', 'RELEASED')", name="known_status"),
        Index("ix_stock_reservations_due", "status", "expires_at"),
    )


class StockReservationLine(Base):
    """Units of one SKU held in one warehouse by a reservation."""

    __tablename__ = "stock_reservation_lines"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    reservation_id: Mapped[int] = mapped_column(IdType, ForeignKey("stock_reservations.id"))
    sku_id: Mapped[int] = mapped_column(IdType, ForeignKey("skus.id"))
    warehouse_id: Mapped[int] = mapped_column(IdType, ForeignKey("warehouses.id"))
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    quantity: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint("quantity > 0", name="positive_quantity"),
        Index("ix_stock_reservation_lines_reservation", "reservation_id"),
    )


class StockReservationHistory(Base):
    """One row per status transition of a reservation."""

    __tablename__ = "stock_reservation_history"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    reservation_id: Mapped[int] = mapped_column(IdType, ForeignKey("stock_reservations.id"))
    from_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_stock_reservation_history_reservation", "reservation_id", "id"),
    )


class InventoryIdempotencyKey(Base):
    """The first answer to a stock write per (shop, key), replayed on retry: the seller
    API's Idempotency-Key, and the one-time key of each Seller Center adjust form."""

    __tablename__ = "inventory_idempotency_keys"
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
