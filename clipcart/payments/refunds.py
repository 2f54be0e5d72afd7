"""Refunds, full or partial, several per payment, never more than was captured.

The amount is reserved on the intent by one conditional UPDATE before the provider is
called (``refunded + pending + n <= captured``, backed by a CHECK constraint), so two
concurrent refunds cannot together exceed the captured amount.
"""

from __future__ import annotations

from sqlalchemy import select, update

from clipcart import clock, waits
from clipcart.db import Database
from clipcart.errors import Conflict, ValidationFailed
from clipcart.ids import new_id
from clipcart.money import Money
from clipcart.payments import states
from clipcart.payments.adapters import get_provider
from clipcart.payments.calls import (
    RETRYABLE_REJECTIONS,
    IdempotencyKeyReused,
    check_key,
    minor_of,
    record,
)
from clipcart.payments.intents import RefundView, Source, lock_intent, refund_view
from clipcart.payments.models import PaymentIntent, PaymentRefund
from clipcart.payments.provider import PaymentProvider, ProviderRejected, ProviderUnavailable


def _open_refund(db: Database, intent_id: int, amount: Money, key: str,
                 reason: str) -> tuple[int, str, str, RefundView | None]:
    """Step 1: reserve the amount and record the refund; or find the one under ``key``."""
    with db.transaction() as session:
        intent = lock_intent(session, intent_id)
        minor = minor_of(amount, intent.currency)
        found = session.execute(
            select(PaymentRefund).where(PaymentRefund.intent_id == intent_id,
                                        PaymentRefund.idempotency_key == key)
        ).scalar_one_or_none()
        if found is not None:
            if found.amount_minor != minor:
                raise IdempotencyKeyReused("This Idempotency-Key was used for another refund.")
            done = None if found.status == "PENDING" else refund_view(found, intent.currency)
            return found.id, str(intent.provider_payment_id), intent.provider, done
        if intent.status not in states.REFUNDABLE:
            raise Conflict(f"Only a captured payment can be refunded; this one is "
                           f"{intent.status}.", code="PAYMENT_NOT_REFUNDABLE")
        reserved = session.execute(
            update(PaymentIntent)
            .where(PaymentIntent.id == intent_id,
                   PaymentIntent.refunded_minor + PaymentIntent.refund_pending_minor + minor
                   <= PaymentIntent.captured_minor)
            .values(refund_pending_minor=PaymentIntent.refund_pending_minor + minor)
            .returning(PaymentIntent.id)
        ).scalar_one_or_none()
        if reserved is None:
            left = intent.captured_minor - intent.refunded_minor - intent.refund_pending_minor
            raise Conflict(f"At most {Money(left, intent.currency)} can still be refunded.",
                           code="REFUND_EXCEEDS_CAPTURED")
        refund = PaymentRefund(id=new_id(), intent_id=intent_id, amount_minor=minor,
                               status="PENDING", idempotency_key=key, reason=reason[:2000],
                               created_at=clock.now())
        session.add(refund)
        return refund.id, str(intent.provider_payment_id), intent.provider, None


def _refund_outcome(db: Database, refund_id: int) -> RefundView:
    with db.sessions() as session:
        refund = session.get(PaymentRefund, refund_id)
        assert refund is not None
        intent = session.get(PaymentIntent, refund.intent_id)
        assert intent is not None
        return refund_view(refund, intent.currency)


def _fail_refund(db: Database, refund_id: int, code: str) -> None:
    with db.transaction() as session:
        refund = session.get(PaymentRefund, refund_id)
        assert refund is not None
        intent = lock_intent(session, refund.intent_id)
        refund = session.get(PaymentRefund, refund_id, populate_existing=True)
        assert refund is not None
        if refund.status == "PENDING":
            refund.status, refund.failure_code = "FAILED", code
            refund.completed_at = clock.now()
            intent.refund_pending_minor -= refund.amount_minor


def send_refund(db: Database, refund_id: int, payment_id: str, adapter: PaymentProvider,
                source: Source = "api") -> RefundView:
    """Steps 2 and 3; safe to repeat, the provider's key is the refund's own id."""
    with db.sessions() as session:
        refund = session.get(PaymentRefund, refund_id)
        assert refund is not None
        amount, intent_id = refund.amount_minor, refund.intent_id
    try:
        with waits.outside():
            snap = adapter.refund(payment_id, amount, reference=str(refund_id),
                                  idempotency_key=f"refund-{refund_id}")
    except ProviderRejected as exc:
        if exc.http_status in RETRYABLE_REJECTIONS:
            raise ProviderUnavailable(exc.detail) from exc
        _fail_refund(db, refund_id, exc.provider_code)
        raise Conflict(exc.detail, code="REFUND_REJECTED") from exc
    record(db, intent_id, snap, source)
    return _refund_outcome(db, refund_id)


def refund(db: Database, intent_id: int, *, amount: Money, idempotency_key: str,
           reason: str = "", provider: PaymentProvider | None = None) -> RefundView:
    """Give back part or all of a captured payment. A retry with the same key returns the
    same refund and never refunds twice; the same key with another amount is 422."""
    key = check_key(idempotency_key)
    if not isinstance(amount, Money):
        raise ValidationFailed("The refund amount is Money.", field="amount")
    refund_id, payment_id, name, done = _open_refund(db, intent_id, amount, key, reason)
    if done is not None:
        return done
    return send_refund(db, refund_id, payment_id, provider or get_provider(name))
