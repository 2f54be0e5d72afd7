"""The provider's own tables, all prefixed ``psp_``. No card number or CVC is ever stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime

PAYMENT_STATUSES = ("requires_action", "authorized", "succeeded", "partially_refunded",
                    "refunded", "failed", "voided")
CARD_BEHAVIOURS = ("succeed", "decline", "insufficient_funds", "challenge")


class PspMerchant(Base):
    """A merchant account; only the SHA-256 of its secret API key is kept."""

    __tablename__ = "psp_merchants"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    secret_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    webhook_url: Mapped[str] = mapped_column(Text)
    webhook_secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PspCardToken(Base):
    """A tokenized card: what a PSP may keep after tokenization, nothing more."""

    __tablename__ = "psp_card_tokens"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    brand: Mapped[str] = mapped_column(String(20))
    last4: Mapped[str] = mapped_column(String(4))
    exp_month: Mapped[int] = mapped_column(Integer)
    exp_year: Mapped[int] = mapped_column(Integer)
    behaviour: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (
        CheckConstraint("exp_month BETWEEN 1 AND 12", name="exp_month_range"),
        CheckConstraint("behaviour IN ('succeed', 'decline', 'insufficient_funds', 'challenge')",
                        name="known_behaviour"),
    )


class PspPayment(Base):
    __tablename__ = "psp_payments"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    merchant_id: Mapped[int] = mapped_column(IdType, ForeignKey("psp_merchants.id"))
    token_id: Mapped[int] = mapped_column(IdType, ForeignKey("psp_card_tokens.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    capture_method: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str] = mapped_column(String(120))
    payment_metadata: Mapped[dict[str, Any]] = mapped_column(JSON)
    return_url: Mapped[str] = mapped_column(Text)
    challenge_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    amount_captured: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_refunded: Mapped[int] = mapped_column(BigInteger, default=0)
    decline_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    failure_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("amount_captured >= 0 AND amount_captured <= amount",
                        name="captured_within_amount"),
        CheckConstraint("amount_refunded >= 0 AND amount_refunded <= amount_captured",
                        name="refunded_within_captured"),
        CheckConstraint("capture_method IN ('automatic', 'manual')", name="known_capture"),
        CheckConstraint(
            "status IN ('requires_action', 'authorized', 'succeeded', 'partially_refunded', "
            "'refunded', 'failed', 'voided')", name="known_status"),
        Index("ix_psp_payments_merchant", "merchant_id", "id"),
        Index("ix_psp_payments_status", "status", "created_at"),
    )


class PspPaymentTransition(Base):
    """One row per state change of a payment: its history."""

    __tablename__ = "psp_payment_transitions"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    payment_id: Mapped[int] = mapped_column(IdType, ForeignKey("psp_payments.id"))
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_psp_payment_transitions_payment", "payment_id", "id"),)


class PspRefund(Base):
    __tablename__ = "psp_refunds"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    payment_id: Mapped[int] = mapped_column(IdType, ForeignKey("psp_payments.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_psp_refunds_payment", "payment_id", "id"),
    )


class PspIdempotencyKey(Base):
    """The first answer to a merchant's POST, replayed for every retry with the same key."""

    __tablename__ = "psp_idempotency_keys"
    merchant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("psp_merchants.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PspEvent(Base):
    """A webhook event for a merchant; ``body`` is the exact JSON that is signed and sent."""

    __tablename__ = "psp_events"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    merchant_id: Mapped[int] = mapped_column(IdType, ForeignKey("psp_merchants.id"))
    type: Mapped[str] = mapped_column(String(40))
    payment_id: Mapped[int] = mapped_column(IdType, ForeignKey("psp_payments.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (Index("ix_psp_events_due", "delivered_at", "next_attempt_at"),)


class PspWebhookDelivery(Base):
    """The delivery log: one row per attempt to send an event."""

    __tablename__ = "psp_webhook_deliveries"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    event_id: Mapped[int] = mapped_column(IdType, ForeignKey("psp_events.id"))
    attempt: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_psp_webhook_deliveries_event", "event_id", "attempt"),)
