"""Categories, products, SKUs, images, revisions and the status history.

A product row and its SKU rows are the seller's working copy. What buyers see is a
``ProductRevision``: an immutable snapshot taken at submission and made live by the audit.
``Product.live_revision_id`` points at the approved snapshot, so editing a live product
never changes what buyers see until the new revision is approved.
"""

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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime

PRODUCT_STATUSES = ("DRAFT", "PENDING", "ACTIVATE", "FAILED", "SELLER_DEACTIVATED",
                    "PLATFORM_DEACTIVATED", "DELETED")
AUDIT_STATUSES = ("IN_REVIEW", "APPROVED", "REJECTED", "WITHDRAWN")


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("categories.id"),
                                                  nullable=True)
    name: Mapped[str] = mapped_column(String(80))
    path: Mapped[str] = mapped_column(String(400), unique=True)  # "Womenswear/Dresses"
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the data file
    is_leaf: Mapped[bool] = mapped_column(Boolean, default=True)
    prohibited: Mapped[bool] = mapped_column(Boolean, default=False)  # own flag or an ancestor's
    # Referral fee for this subtree in basis points (500 = 5%); None: the market's default.
    referral_fee_bps: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        CheckConstraint("referral_fee_bps IS NULL OR (referral_fee_bps >= 0 AND "
                        "referral_fee_bps <= 10000)", name="fee_in_range"),
    )


class CategoryAttribute(Base):
    """An attribute sellers fill for products of a category; sales options become SKUs."""

    __tablename__ = "category_attributes"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    category_id: Mapped[int] = mapped_column(IdType, ForeignKey("categories.id",
                                                                ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    is_sales_option: Mapped[bool] = mapped_column(Boolean, default=False)
    values: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: free text

    __table_args__ = (UniqueConstraint("category_id", "name"),)


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    market: Mapped[str] = mapped_column(String(2))  # the shop's market, for buyer listings
    status: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    brand: Mapped[str] = mapped_column(String(120), default="")
    category_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("categories.id"),
                                                    nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The working copy differs from the last submission (buyers do not see those changes).
    unsubmitted_changes: Mapped[bool] = mapped_column(Boolean, default=True)
    visible: Mapped[bool] = mapped_column(Boolean, default=False)  # buyers see the live revision
    # No foreign key: revisions point at their product; this points back at one of them.
    live_revision_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint(
            "status IN ('DRAFT', 'PENDING', 'ACTIVATE', 'FAILED', 'SELLER_DEACTIVATED', "
            "'PLATFORM_DEACTIVATED', 'DELETED')", name="known_status"),
        CheckConstraint("NOT visible OR live_revision_id IS NOT NULL",
                        name="visible_has_revision"),
        Index("ix_products_shop_status", "shop_id", "status", "id"),
        Index("ix_products_market_visible", "market", "visible", "id"),
    )


class Sku(Base):
    __tablename__ = "skus"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    product_id: Mapped[int] = mapped_column(IdType, ForeignKey("products.id"))
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    seller_sku: Mapped[str] = mapped_column(String(64))
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Dropped from the working copy. Rows stay: stock and orders refer to them.
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    currency: Mapped[str] = mapped_column(String(3))
    price_minor: Mapped[int] = mapped_column(BigInteger)
    list_price_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    weight_g: Mapped[int | None] = mapped_column(Integer, nullable=True)
    length_mm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    width_mm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height_mm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("price_minor > 0", name="positive_price"),
        CheckConstraint("list_price_minor IS NULL OR list_price_minor >= price_minor",
                        name="list_price_not_below_price"),
        Index("ix_skus_product", "product_id"),
        # A seller SKU code names one SKU in a shop; removed SKUs give their code back.
        Index("uq_skus_shop_seller_sku", "shop_id", "seller_sku", unique=True,
              sqlite_where=text("NOT removed"), postgresql_where=text("NOT removed")),
    )


class ProductImage(Base):
    """An image of the working copy; ``position`` orders the gallery (0 is the main one)."""

    __tablename__ = "product_images"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    product_id: Mapped[int] = mapped_column(IdType, ForeignKey("products.id"))
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    key: Mapped[str] = mapped_column(String(300))
    thumb_key: Mapped[str] = mapped_column(String(300))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    submitted: Mapped[bool] = mapped_column(Boolean, default=False)  # a revision uses its files
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_product_images_product", "product_id", "position"),)


class ProductRevision(Base):
    """A submitted snapshot of a product: what the audit judged and buyers see once approved."""

    __tablename__ = "product_revisions"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    product_id: Mapped[int] = mapped_column(IdType, ForeignKey("products.id"))
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    brand: Mapped[str] = mapped_column(String(120))
    category_id: Mapped[int] = mapped_column(IdType, ForeignKey("categories.id"))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    images: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # key, thumb_key, width, height
    skus: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # id, seller_sku, attributes, prices
    currency: Mapped[str] = mapped_column(String(3))
    min_price_minor: Mapped[int] = mapped_column(BigInteger)
    audit_status: Mapped[str] = mapped_column(String(12))
    reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # code, message
    submitted_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"),
                                                     nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"),
                                                   nullable=True)  # None: the automatic audit
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (
        CheckConstraint("audit_status IN ('IN_REVIEW', 'APPROVED', 'REJECTED', 'WITHDRAWN')",
                        name="known_audit_status"),
        UniqueConstraint("product_id", "number"),
        Index("ix_product_revisions_audit", "audit_status", "id"),
        Index("ix_product_revisions_shop", "shop_id", "id"),
    )


class ProductStatusHistory(Base):
    """One row per status transition: who moved the product, from what, to what, and why."""

    __tablename__ = "product_status_history"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    product_id: Mapped[int] = mapped_column(IdType, ForeignKey("products.id"))
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    from_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_status: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(40))  # seller:<id>, operator:<id>, system
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    revision_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_product_status_history_product", "product_id", "id"),)
