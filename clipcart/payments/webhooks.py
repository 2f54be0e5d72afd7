"""Webhooks from providers: verified, recorded once, applied monotonically.

The event id is stored in ``payment_webhook_events`` (unique per provider) in the same
transaction that applies the event, so a second delivery changes nothing; the snapshot is
applied with ``apply_snapshot``, so a late event never moves an intent back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.db import Database
from clipcart.ids import new_id, parse_id
from clipcart.payments.adapters import get_provider
from clipcart.payments.intents import apply_snapshot
from clipcart.payments.models import PaymentIntent, PaymentWebhookEvent
from clipcart.payments.provider import ProviderEvent


@dataclass(frozen=True)
class WebhookOutcome:
    event_id: str
    outcome: str  # applied, stale (nothing newer in it), duplicate or unknown_payment


def _intent_for(session: Session, provider: str, event: ProviderEvent) -> PaymentIntent | None:
    intent = session.execute(
        select(PaymentIntent).where(PaymentIntent.provider == provider,
                                    PaymentIntent.provider_payment_id == event.payment.id)
        .with_for_update()
    ).scalar_one_or_none()
    if intent is None and event.payment.intent_id:  # the create's answer was never recorded
        intent_id = parse_id(event.payment.intent_id)
        intent = session.execute(
            select(PaymentIntent).where(PaymentIntent.id == intent_id,
                                        PaymentIntent.provider == provider,
                                        PaymentIntent.provider_payment_id.is_(None))
            .with_for_update()
        ).scalar_one_or_none() if intent_id else None
    return intent


def _seen(session: Session, provider: str, event_id: str) -> bool:
    return session.execute(
        select(PaymentWebhookEvent.id).where(PaymentWebhookEvent.provider == provider,
                                             PaymentWebhookEvent.event_id == event_id)
    ).first() is not None


def handle_webhook(db: Database, raw_body: bytes, headers: Mapping[str, str], *,
                   provider_name: str = "sandbox") -> WebhookOutcome:
    """Verify a provider's webhook (WebhookRejected, 400, when the signature is wrong or
    stale) and apply it once; the answer says what it did."""
    event = get_provider(provider_name).verify_webhook(raw_body, headers)
    try:
        with db.transaction() as session:
            intent = _intent_for(session, provider_name, event)  # locked: one at a time
            if _seen(session, provider_name, event.id):
                return WebhookOutcome(event.id, "duplicate")
            if intent is None:
                outcome = "unknown_payment"
            elif apply_snapshot(session, intent, event.payment, source="webhook",
                                event_id=event.id):
                outcome = "applied"
            else:
                outcome = "stale"
            session.add(PaymentWebhookEvent(
                id=new_id(), provider=provider_name, event_id=event.id, event_type=event.type,
                provider_payment_id=event.payment.id, outcome=outcome,
                received_at=clock.now()))
            session.flush()
            return WebhookOutcome(event.id, outcome)
    except IntegrityError:  # the same event, recorded by a concurrent delivery
        return WebhookOutcome(event.id, "duplicate")
