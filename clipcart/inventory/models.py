from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime


class Warehouse(Base):
    __tablename__ = "warehouses"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    name: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(Text, default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_warehouses_shop", "shop_id"),)


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
