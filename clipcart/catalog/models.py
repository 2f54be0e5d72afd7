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
)
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime

PRODUCT_STATUSES = ("DRAFT", "PENDING", "ACTIVATE", "FAILED", "SELLER_DEACTIVATED",
                    "PLATFORM_DEACTIVATED", "DELETED")


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("categories.id"),
                                                  nullable=True)
    name: Mapped[str] = mapped_column(String(80))
    path: Mapped[str] = mapped_column(String(400), unique=True)  # "Womenswear/Dresses"
    is_leaf: Mapped[bool] = mapped_column(Boolean, default=True)
    prohibited: Mapped[bool] = mapped_column(Boolean, default=False)


class CategoryAttribute(Base):
    __tablename__ = "category_attributes"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    category_id: Mapped[int] = mapped_column(IdType, ForeignKey("categories.id",
                                                                ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    is_sales_option: Mapped[bool] = mapped_column(Boolean, default=False)
    values: Mapped[list[str]] = mapped_column(JSON, default=list)

    __table_args__ = (UniqueConstraint("category_id", "name"),)


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    status: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    brand: Mapped[str] = mapped_column(String(120), default="")
    category_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("categories.id"),
                                                    nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint(
            "status IN ('DRAFT', 'PENDING', 'ACTIVATE', 'FAILED', 'SELLER_DEACTIVATED', "
            "'PLATFORM_DEACTIVATED', 'DELETED')", name="known_status"),
        Index("ix_products_shop_status", "shop_id", "status", "id"),
    )


class Sku(Base):
    __tablename__ = "skus"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    product_id: Mapped[int] = mapped_column(IdType, ForeignKey("products.id"))
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    seller_sku: Mapped[str] = mapped_column(String(64))
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    currency: Mapped[str] = mapped_column(String(3))
    price_minor: Mapped[int] = mapped_column(BigInteger)
    list_price_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    weight_g: Mapped[int | None] = mapped_column(Integer, nullable=True)
    length_mm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    width_mm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height_mm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("shop_id", "seller_sku"),
        CheckConstraint("price_minor > 0", name="positive_price"),
        CheckConstraint("list_price_minor IS NULL OR list_price_minor >= price_minor",
                        name="list_price_not_below_price"),
        Index("ix_skus_product", "product_id"),
    )
