from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime

CHECKOUT_STATUSES = ("OPEN", "PAID", "EXPIRED", "CANCELLED", "PAYMENT_FAILED")


class Cart(Base):
    """One cart per buyer across shops; a signed-out visitor's cart is keyed by a cookie."""

    __tablename__ = "carts"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"), unique=True,
                                                nullable=True)
    guest_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CartLine(Base):
    __tablename__ = "cart_lines"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    cart_id: Mapped[int] = mapped_column(IdType, ForeignKey("carts.id", ondelete="CASCADE"))
    sku_id: Mapped[int] = mapped_column(IdType, ForeignKey("skus.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    source_type: Mapped[str] = mapped_column(String(10))
    source_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("quantity > 0", name="positive_quantity"),
        CheckConstraint("source_type IN ('video', 'live', 'showcase', 'search', 'ad', 'direct')",
                        name="known_source"),
        Index("uq_cart_lines_cart_sku", "cart_id", "sku_id", unique=True),
    )


class Checkout(Base):
    """One payment for every shop in the cart; it becomes one order per shop."""

    __tablename__ = "checkouts"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    buyer_user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    market: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    subtotal_minor: Mapped[int] = mapped_column(BigInteger)
    shipping_minor: Mapped[int] = mapped_column(BigInteger)
    tax_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    shipping_address: Mapped[str] = mapped_column(Text)  # AES-GCM, clipcart.crypto
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (
        CheckConstraint("status IN ('OPEN', 'PAID', 'EXPIRED', 'CANCELLED', 'PAYMENT_FAILED')",
                        name="known_status"),
        CheckConstraint("total_minor > 0", name="positive_total"),
        Index("ix_checkouts_buyer", "buyer_user_id", "id"),
        Index("ix_checkouts_open_expiry", "status", "expires_at"),
    )


class CheckoutHistory(Base):
    __tablename__ = "checkout_history"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    checkout_id: Mapped[int] = mapped_column(IdType, ForeignKey("checkouts.id",
                                                                ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ShippingRate(Base):
    """A shop's own shipping rate; without one the market default applies."""

    __tablename__ = "shipping_rates"
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    flat_fee_minor: Mapped[int] = mapped_column(BigInteger)
    free_above_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (CheckConstraint("flat_fee_minor >= 0", name="fee_not_negative"),)


class CheckoutRefund(Base):
    """Money owed back to the buyer for a cancelled paid order (or a checkout paid too late).

    Written in the transaction that decides the refund; the provider call happens after
    commit (``checkout.refunds.run_refunds``), with ``key`` as its idempotency key, so a
    crash or a retry never refunds twice.
    """

    __tablename__ = "checkout_refunds"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    checkout_id: Mapped[int] = mapped_column(IdType, ForeignKey("checkouts.id"))
    order_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    payment_refund_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="positive_amount"),
        CheckConstraint("status IN ('PENDING', 'DONE', 'FAILED')", name="known_status"),
        Index("ix_checkout_refunds_pending", "status", "id"),
    )
