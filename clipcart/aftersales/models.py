"""After-sales tables: return requests with their lines, cancellations, claims and history.

Amounts are stored per request and per line (minor units, the order's currency), computed
once when the request is made. ``due_at`` is the deadline of the timed rule that applies in
the current status (seller response, buyer shipping, seller receipt, buyer escalation).
"""

from __future__ import annotations

from datetime import datetime

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
)
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime

_RETURN_STATUSES = ("'RETURN_OR_REFUND_REQUEST_PENDING', 'AWAITING_BUYER_SHIP', "
                    "'BUYER_SHIPPED_ITEM', 'RETURN_OR_REFUND_REQUEST_REJECT', "
                    "'REJECT_RECEIVE_PACKAGE', 'RETURN_OR_REFUND_REQUEST_SUCCESS', "
                    "'RETURN_OR_REFUND_REQUEST_CANCEL', 'RETURN_OR_REFUND_REQUEST_COMPLETE'")
_CANCEL_STATUSES = ("'CANCELLATION_REQUEST_PENDING', 'CANCELLATION_REQUEST_SUCCESS', "
                    "'CANCELLATION_REQUEST_COMPLETE', 'CANCELLATION_REQUEST_CANCEL'")


class ReturnRequest(Base):
    """A buyer's request for a refund (REFUND) or a return and refund (RETURN_AND_REFUND)."""

    __tablename__ = "aftersales_returns"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id"))
    checkout_id: Mapped[int] = mapped_column(IdType)
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    buyer_user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    market: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    return_type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(40))
    arbitration_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reason: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    refund_total_minor: Mapped[int] = mapped_column(BigInteger)
    refund_subtotal_minor: Mapped[int] = mapped_column(BigInteger)
    refund_shipping_minor: Mapped[int] = mapped_column(BigInteger)
    refund_tax_minor: Mapped[int] = mapped_column(BigInteger)
    reject_reason: Mapped[str | None] = mapped_column(String(60), nullable=True)
    reject_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    escalation_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    arbitration_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    return_shipment_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    return_tracking_number: Mapped[str | None] = mapped_column(String(60), nullable=True)
    return_provider: Mapped[str | None] = mapped_column(String(40), nullable=True)
    item_delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    restocked: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(12), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (
        CheckConstraint(f"status IN ({_RETURN_STATUSES})", name="known_status"),
        CheckConstraint("return_type IN ('REFUND', 'RETURN_AND_REFUND')", name="known_type"),
        CheckConstraint("arbitration_status IS NULL OR arbitration_status IN "
                        "('IN_PROGRESS', 'SUPPORT_BUYER', 'SUPPORT_SELLER')",
                        name="known_arbitration"),
        CheckConstraint("outcome IS NULL OR outcome IN ('refunded', 'rejected', 'cancelled')",
                        name="known_outcome"),
        CheckConstraint("refund_total_minor >= 0 AND refund_subtotal_minor >= 0 AND "
                        "refund_shipping_minor >= 0 AND refund_tax_minor >= 0",
                        name="amounts_not_negative"),
        Index("ix_aftersales_returns_shop", "shop_id", "status", "id"),
        Index("ix_aftersales_returns_buyer", "buyer_user_id", "id"),
        Index("ix_aftersales_returns_order", "order_id"),
        Index("ix_aftersales_returns_due", "status", "due_at"),
        Index("ix_aftersales_returns_arbitration", "arbitration_status", "id"),
    )


class ReturnLine(Base):
    """Units of one order line in a request, with the refund they carry."""

    __tablename__ = "aftersales_return_lines"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    return_id: Mapped[int] = mapped_column(IdType, ForeignKey("aftersales_returns.id",
                                                              ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(IdType, ForeignKey("order_lines.id"))
    sku_id: Mapped[int] = mapped_column(IdType)
    product_id: Mapped[int] = mapped_column(IdType)
    title: Mapped[str] = mapped_column(String(255))
    seller_sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    refund_total_minor: Mapped[int] = mapped_column(BigInteger)
    refund_subtotal_minor: Mapped[int] = mapped_column(BigInteger)
    refund_tax_minor: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint("quantity > 0", name="positive_quantity"),
        CheckConstraint("refund_total_minor >= 0 AND refund_subtotal_minor >= 0 AND "
                        "refund_tax_minor >= 0", name="amounts_not_negative"),
        Index("ix_aftersales_return_lines_return", "return_id"),
    )


class LineClaim(Base):
    """Units of an order line held by open or refunded requests (never above the line's)."""

    __tablename__ = "aftersales_line_claims"
    order_line_id: Mapped[int] = mapped_column(IdType, ForeignKey("order_lines.id"),
                                               primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType)
    quantity: Mapped[int] = mapped_column(Integer)
    claimed: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("claimed >= 0 AND claimed <= quantity", name="claimed_within_line"),
    )


class Cancellation(Base):
    """A paid order cancelled before shipment, as TikTok Shop lists cancellations."""

    __tablename__ = "aftersales_cancellations"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id"), unique=True)
    checkout_id: Mapped[int] = mapped_column(IdType)
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    buyer_user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    market: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    cancel_type: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(10))  # BUYER, SELLER, SYSTEM, OPERATOR
    status: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    refund_key: Mapped[str] = mapped_column(String(120))
    refund_total_minor: Mapped[int] = mapped_column(BigInteger)
    refund_subtotal_minor: Mapped[int] = mapped_column(BigInteger)
    refund_shipping_minor: Mapped[int] = mapped_column(BigInteger)
    refund_tax_minor: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint(f"status IN ({_CANCEL_STATUSES})", name="known_status"),
        CheckConstraint("role IN ('BUYER', 'SELLER', 'SYSTEM', 'OPERATOR')", name="known_role"),
        CheckConstraint("refund_total_minor >= 0 AND refund_subtotal_minor >= 0 AND "
                        "refund_shipping_minor >= 0 AND refund_tax_minor >= 0",
                        name="amounts_not_negative"),
        Index("ix_aftersales_cancellations_shop", "shop_id", "id"),
        Index("ix_aftersales_cancellations_buyer", "buyer_user_id", "id"),
        Index("ix_aftersales_cancellations_status", "status", "id"),
    )


class CancellationLine(Base):
    __tablename__ = "aftersales_cancellation_lines"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    cancellation_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("aftersales_cancellations.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(IdType, ForeignKey("order_lines.id"))
    sku_id: Mapped[int] = mapped_column(IdType)
    title: Mapped[str] = mapped_column(String(255))
    seller_sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    refund_total_minor: Mapped[int] = mapped_column(BigInteger)
    refund_tax_minor: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint("quantity > 0", name="positive_quantity"),
        Index("ix_aftersales_cancellation_lines_cancellation", "cancellation_id"),
    )


class AftersalesHistory(Base):
    """One row per transition (and per event such as an escalation) of a request."""

    __tablename__ = "aftersales_history"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # return, cancellation
    request_id: Mapped[int] = mapped_column(IdType)
    from_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    to_status: Mapped[str] = mapped_column(String(40))
    event: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(40))  # buyer, seller:<user>, system, operator:<id>
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("kind IN ('return', 'cancellation')", name="known_kind"),
        Index("ix_aftersales_history_request", "kind", "request_id", "id"),
    )
