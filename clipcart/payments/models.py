"""The platform's payment tables: intents, their history, refunds, processed webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime

INTENT_STATUSES = ("REQUIRES_PAYMENT", "REQUIRES_ACTION", "AUTHORIZED", "CAPTURED",
                   "PARTIALLY_REFUNDED", "REFUNDED", "FAILED", "VOIDED")


class PaymentIntent(Base):
    """One attempt to collect an amount for a reference (e.g. ``checkout:123``).

    ``live_reference`` repeats ``reference`` while the intent may still take money and is
    cleared when it fails or is voided: its unique index lets one reference have at most one
    live intent, so two requests with different keys cannot charge a checkout twice.
    ``pending_op`` records a provider call (create, capture, void) that was sent but whose
    outcome is not recorded yet; reconciliation finishes it.
    """

    __tablename__ = "payment_intents"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    reference: Mapped[str] = mapped_column(String(120))
    live_reference: Mapped[str | None] = mapped_column(String(120), nullable=True, unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(20))
    provider_payment_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    capture_mode: Mapped[str] = mapped_column(String(10))
    payment_token: Mapped[str] = mapped_column(String(100))
    return_url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    captured_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refund_pending_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    decline_code: Mapped[str | None] = mapped_column(String(60), nullable=True)
    failure_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_action: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    card_brand: Mapped[str | None] = mapped_column(String(20), nullable=True)
    card_last4: Mapped[str | None] = mapped_column(String(4), nullable=True)
    pending_op: Mapped[str | None] = mapped_column(String(10), nullable=True)
    pending_amount_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    pending_since: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("captured_minor >= 0 AND captured_minor <= amount_minor",
                        name="captured_within_amount"),
        CheckConstraint("refunded_minor >= 0 AND refund_pending_minor >= 0",
                        name="refunds_not_negative"),
        CheckConstraint("refunded_minor + refund_pending_minor <= captured_minor",
                        name="refunds_within_captured"),
        CheckConstraint("capture_mode IN ('automatic', 'manual')", name="known_capture"),
        CheckConstraint(
            "status IN ('REQUIRES_PAYMENT', 'REQUIRES_ACTION', 'AUTHORIZED', 'CAPTURED', "
            "'PARTIALLY_REFUNDED', 'REFUNDED', 'FAILED', 'VOIDED')", name="known_status"),
        CheckConstraint("pending_op IS NULL OR pending_op IN ('create', 'capture', 'void')",
                        name="known_pending_op"),
        UniqueConstraint("provider", "provider_payment_id"),
        Index("ix_payment_intents_reference", "reference", "id"),
        Index("ix_payment_intents_pending", "pending_op", "pending_since"),
    )


class PaymentIntentTransition(Base):
    """One row per status change of an intent."""

    __tablename__ = "payment_intent_transitions"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    intent_id: Mapped[int] = mapped_column(IdType, ForeignKey("payment_intents.id"))
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    source: Mapped[str] = mapped_column(String(20))  # api, webhook or reconcile
    provider_event_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_payment_intent_transitions_intent", "intent_id", "id"),)


class PaymentRefund(Base):
    """A refund the platform asked for (or learnt of from the provider)."""

    __tablename__ = "payment_refunds"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    intent_id: Mapped[int] = mapped_column(IdType, ForeignKey("payment_intents.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text, default="")
    provider_refund_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    failure_code: Mapped[str | None] = mapped_column(String(60), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("status IN ('PENDING', 'SUCCEEDED', 'FAILED')", name="known_status"),
        UniqueConstraint("intent_id", "idempotency_key"),
        UniqueConstraint("provider_refund_id"),
        Index("ix_payment_refunds_pending", "status", "created_at"),
    )


class PaymentWebhookEvent(Base):
    """A provider event already processed: a second delivery changes nothing."""

    __tablename__ = "payment_webhook_events"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(80))
    event_type: Mapped[str] = mapped_column(String(60))
    provider_payment_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    outcome: Mapped[str] = mapped_column(String(20))  # applied, stale or unknown_payment
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("provider", "event_id"),)
