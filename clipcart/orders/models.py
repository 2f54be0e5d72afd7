from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime

ORDER_STATUSES = ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING",
                  "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED")
SOURCE_TYPES = ("video", "live", "showcase", "search", "ad", "direct")


class Order(Base):
    """One shop's part of a checkout. Amounts are computed once, at checkout, and kept."""

    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    checkout_id: Mapped[int] = mapped_column(IdType)
    buyer_user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    market: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(24))
    subtotal_minor: Mapped[int] = mapped_column(BigInteger)  # sum of line totals
    shipping_minor: Mapped[int] = mapped_column(BigInteger)
    tax_minor: Mapped[int] = mapped_column(BigInteger)  # included or added, see tax_mode
    tax_mode: Mapped[str] = mapped_column(String(10))
    total_minor: Mapped[int] = mapped_column(BigInteger)  # what the buyer pays for this order
    shipping_address: Mapped[str] = mapped_column(Text)  # AES-GCM, clipcart.crypto
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    on_hold_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    cancelled_by: Mapped[str | None] = mapped_column(String(10), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    shipping_late_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (
        CheckConstraint("total_minor >= 0 AND subtotal_minor >= 0 AND shipping_minor >= 0 "
                        "AND tax_minor >= 0", name="amounts_not_negative"),
        CheckConstraint("tax_mode IN ('inclusive', 'exclusive')", name="known_tax_mode"),
        Index("ix_orders_buyer", "buyer_user_id", "id"),
        Index("ix_orders_shop_status", "shop_id", "status", "id"),
        Index("ix_orders_checkout", "checkout_id"),
        Index("ix_orders_status_hold", "status", "on_hold_until"),
        Index("ix_orders_status_delivered", "status", "delivered_at"),
        Index("ix_orders_status_paid", "status", "paid_at"),
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id", ondelete="CASCADE"))
    sku_id: Mapped[int] = mapped_column(IdType, ForeignKey("skus.id"))
    product_id: Mapped[int] = mapped_column(IdType, ForeignKey("products.id"))
    title: Mapped[str] = mapped_column(String(255))
    seller_sku: Mapped[str] = mapped_column(String(64))
    sku_attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    image_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)  # what the buyer pays per unit
    list_price_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    discount_minor: Mapped[int] = mapped_column(BigInteger)  # (list - unit) x quantity
    tax_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)  # unit x quantity (+ tax if exclusive)
    source_type: Mapped[str] = mapped_column(String(10))
    source_id: Mapped[str | None] = mapped_column(String(40), nullable=True)

    __table_args__ = (
        CheckConstraint("quantity > 0", name="positive_quantity"),
        CheckConstraint("unit_price_minor > 0 AND tax_minor >= 0 AND discount_minor >= 0",
                        name="amounts_valid"),
        CheckConstraint("source_type IN ('video', 'live', 'showcase', 'search', 'ad', 'direct')",
                        name="known_source"),
        Index("ix_order_lines_order", "order_id"),
    )


class OrderHistory(Base):
    """One row per status transition: who moved the order, from what, to what, and why."""

    __tablename__ = "order_history"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_status: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(40))  # buyer, seller:<user>, system, operator:<id>
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_order_history_order", "order_id", "id"),)


# Package statuses of the TikTok Shop Partner API (fulfillment packages).
PACKAGE_STATUSES = ("PROCESSING", "FULFILLING", "COMPLETED", "CANCELLED")


class Package(Base):
    """Some of an order's units in one parcel. PROCESSING until shipped, FULFILLING while the
    carrier has it (``tracking_status`` says where), COMPLETED once delivered."""

    __tablename__ = "packages"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id", ondelete="CASCADE"))
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    status: Mapped[str] = mapped_column(String(12))
    tracking_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    shipping_type: Mapped[str | None] = mapped_column(String(10), nullable=True)  # PLATFORM|SELLER
    # PICKUP (the carrier collects) or DROP_OFF (the seller hands it in)
    handover_method: Mapped[str | None] = mapped_column(String(10), nullable=True)
    carrier_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    tracking_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    shipment_id: Mapped[int | None] = mapped_column(IdType, nullable=True)  # carriers' shipment
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (
        CheckConstraint("status IN ('PROCESSING', 'FULFILLING', 'COMPLETED', 'CANCELLED')",
                        name="known_status"),
        Index("ix_packages_order", "order_id", "id"),
        Index("ix_packages_shop_status", "shop_id", "status", "id"),
    )


class PackageLine(Base):
    """How many units of an order line travel in a package."""

    __tablename__ = "package_lines"
    package_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("packages.id", ondelete="CASCADE"), primary_key=True)
    order_line_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("order_lines.id", ondelete="CASCADE"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("quantity > 0", name="positive_quantity"),)


class PackageHistory(Base):
    """One row per package status or tracking change: the buyer's tracking timeline."""

    __tablename__ = "package_history"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    package_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("packages.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_status: Mapped[str] = mapped_column(String(12))
    tracking_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    actor: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_package_history_package", "package_id", "id"),)
