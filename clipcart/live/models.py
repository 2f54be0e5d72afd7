"""LIVE's tables: rooms and their history, the product bag, flash sales and claims.

Counters (a sale's stock, a buyer's claimed units) change only by one conditional UPDATE
(DESIGN rule 4); CHECK constraints back every quantity that must not go negative.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime

ROOM_STATUSES = ("SCHEDULED", "LIVE", "ENDED", "CANCELLED")
SALE_STATUSES = ("ACTIVE", "ENDED", "CANCELLED")


class LiveRoom(Base):
    """A LIVE of a shop: scheduled, on air, then ended (or cancelled before it started)."""

    __tablename__ = "live_rooms"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    host_user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    market: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(12))
    scheduled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    planned_minutes: Mapped[int] = mapped_column(Integer)
    stream_key: Mapped[str] = mapped_column(String(64), unique=True)
    demo_video_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    pinned_product_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("products.id"),
                                                          nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    peak_viewers: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("status IN ('SCHEDULED', 'LIVE', 'ENDED', 'CANCELLED')",
                        name="known_status"),
        CheckConstraint("planned_minutes > 0", name="positive_planned_minutes"),
        CheckConstraint("peak_viewers >= 0", name="peak_viewers_not_negative"),
        Index("ix_live_rooms_on_air", "market", "status", "id"),
        Index("ix_live_rooms_shop", "shop_id", "id"),
    )


class LiveRoomHistory(Base):
    """One row per room transition (DESIGN rule 6)."""

    __tablename__ = "live_room_history"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    room_id: Mapped[int] = mapped_column(IdType, ForeignKey("live_rooms.id"))
    from_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_status: Mapped[str] = mapped_column(String(12))
    actor: Mapped[str] = mapped_column(String(40))  # seller:<user id>, system
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_live_room_history_room", "room_id", "id"),)


class LiveBagItem(Base):
    """A product in a room's bag (at most ``product_bag_max``)."""

    __tablename__ = "live_bag_items"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    room_id: Mapped[int] = mapped_column(IdType, ForeignKey("live_rooms.id"))
    product_id: Mapped[int] = mapped_column(IdType, ForeignKey("products.id"))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("room_id", "product_id"),)


class FlashSale(Base):
    """A seller-funded deal price on one SKU, for purchases made from the room while it runs.

    ``stock_left`` is the sale's own counter: taken at checkout creation, given back when
    that checkout's reservation expires or its order is cancelled.
    """

    __tablename__ = "live_flash_sales"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    room_id: Mapped[int] = mapped_column(IdType, ForeignKey("live_rooms.id"))
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    product_id: Mapped[int] = mapped_column(IdType, ForeignKey("products.id"))
    sku_id: Mapped[int] = mapped_column(IdType, ForeignKey("skus.id"))
    currency: Mapped[str] = mapped_column(String(3))
    deal_price_minor: Mapped[int] = mapped_column(BigInteger)
    reference_price_minor: Mapped[int] = mapped_column(BigInteger)  # lowest of the lookback
    stock_total: Mapped[int] = mapped_column(Integer)
    stock_left: Mapped[int] = mapped_column(Integer)
    per_buyer_limit: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("status IN ('ACTIVE', 'ENDED', 'CANCELLED')", name="known_status"),
        CheckConstraint("deal_price_minor > 0", name="positive_deal_price"),
        CheckConstraint("deal_price_minor < reference_price_minor", name="deal_below_reference"),
        CheckConstraint("stock_left >= 0 AND stock_left <= stock_total", name="stock_in_range"),
        CheckConstraint("per_buyer_limit > 0", name="positive_per_buyer_limit"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # one running (or counting down) sale per room
        Index("uq_live_flash_sales_active_room", "room_id", unique=True,
              sqlite_where=text("status = 'ACTIVE'"),
              postgresql_where=text("status = 'ACTIVE'")),
        Index("ix_live_flash_sales_due", "status", "ends_at"),
    )


class FlashSaleClaim(Base):
    """Units one buyer holds of one sale; capped at the sale's per-buyer limit."""

    __tablename__ = "live_flash_sale_claims"
    sale_id: Mapped[int] = mapped_column(IdType, ForeignKey("live_flash_sales.id"),
                                         primary_key=True)
    buyer_user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_not_negative"),)


class FlashSaleOrder(Base):
    """Units of a sale taken by one order; ``released_at`` once they went back to the sale."""

    __tablename__ = "live_flash_sale_orders"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    sale_id: Mapped[int] = mapped_column(IdType, ForeignKey("live_flash_sales.id"))
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id"))
    buyer_user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (
        CheckConstraint("quantity > 0", name="positive_quantity"),
        UniqueConstraint("order_id", "sale_id"),
    )


class SkuPricePoint(Base):
    """A SKU's buyer-facing price from ``observed_at`` on (recorded from catalog events),
    so a flash sale can be checked against the lowest price of the lookback window."""

    __tablename__ = "live_sku_prices"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    sku_id: Mapped[int] = mapped_column(IdType, ForeignKey("skus.id"))
    currency: Mapped[str] = mapped_column(String(3))
    price_minor: Mapped[int] = mapped_column(BigInteger)
    observed_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_live_sku_prices_sku", "sku_id", "observed_at"),)
