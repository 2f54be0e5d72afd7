"""Shared steps of every provider call: key checks, the call, recording the outcome."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from sqlalchemy.orm import Session

from clipcart import waits
from clipcart.db import Database
from clipcart.errors import Conflict, DomainError, ValidationFailed
from clipcart.money import Money
from clipcart.payments.intents import (
    IntentView,
    Source,
    apply_snapshot,
    clear_pending,
    lock_intent,
    view,
)
from clipcart.payments.provider import (
    PaymentProvider,
    ProviderPayment,
    ProviderRejected,
    ProviderUnavailable,
)

RETRYABLE_REJECTIONS = (401, 403, 429)  # our configuration or the provider's limits


class IdempotencyKeyReused(DomainError):
    status = 422
    code = "IDEMPOTENCY_KEY_REUSED"
    title = "Idempotency key reused"


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not 0 < len(key) <= 255:
        raise ValidationFailed("An Idempotency-Key of 1 to 255 characters is required.",
                               field="idempotency_key")
    return key


Then = Callable[[Session, IntentView], None]


def record(db: Database, intent_id: int, snap: ProviderPayment, source: Source = "api",
           *, settle: bool = False, then: Then | None = None) -> IntentView:
    """Step 3: the provider's answer, applied in a short transaction of its own. ``then``
    runs in that transaction with the result (the caller applies the outcome to its own
    records in the same commit, e.g. checkout marks its orders paid)."""
    with db.transaction() as session:
        intent = lock_intent(session, intent_id)
        apply_snapshot(session, intent, snap, source=source)
        if settle:  # the provider refused the call: nothing is pending any more
            clear_pending(intent)
        current = view(intent)
        if then is not None:
            then(session, current)
        return current


def call(db: Database, intent_id: int, adapter: PaymentProvider, payment_id: str,
          send: Callable[[], ProviderPayment], source: Source = "api") -> IntentView:
    try:
        with waits.outside():
            snap = send()
    except ProviderRejected as exc:
        if exc.http_status in RETRYABLE_REJECTIONS:
            raise ProviderUnavailable(exc.detail) from exc
        with waits.outside():
            current = adapter.get(payment_id)
        record(db, intent_id, current, source, settle=True)
        raise Conflict(exc.detail, code=exc.provider_code) from exc
    return record(db, intent_id, snap, source)


def minor_of(amount: Money, currency: str) -> int:
    if amount.currency != currency:
        raise ValidationFailed(f"This payment is in {currency}, not {amount.currency}.",
                               field="amount")
    if amount.minor <= 0:
        raise ValidationFailed("The amount must be positive.", field="amount")
    return amount.minor
