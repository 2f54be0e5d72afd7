"""The platform's record of payments: views, transitions, and applying provider snapshots.

Everything here runs inside one short transaction with the intent row locked; nothing here
talks to the network. ``apply_snapshot`` is idempotent and monotonic: the same snapshot
twice changes nothing, and an older snapshot never moves an intent back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.errors import Conflict, NotFound
from clipcart.ids import new_id, parse_id
from clipcart.money import Money
from clipcart.payments import states
from clipcart.payments.models import PaymentIntent, PaymentIntentTransition, PaymentRefund
from clipcart.payments.provider import ProviderPayment, ProviderRefund

log = logging.getLogger(__name__)

Source = Literal["api", "webhook", "reconcile"]
_EVENTS = {states.AUTHORIZED: "payments.authorized", states.CAPTURED: "payments.captured",
           states.FAILED: "payments.failed", states.VOIDED: "payments.voided"}


@dataclass(frozen=True)
class IntentView:
    id: int
    reference: str
    status: str
    amount: Money
    captured: Money
    refunded: Money
    capture_mode: str
    provider: str
    provider_payment_id: str | None
    decline_code: str | None
    failure_message: str | None
    next_action: dict[str, Any] | None
    card_brand: str | None
    card_last4: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class RefundView:
    id: int
    intent_id: int
    amount: Money
    status: str  # PENDING, SUCCEEDED or FAILED
    provider_refund_id: str | None
    failure_code: str | None
    created_at: datetime


@dataclass(frozen=True)
class PaymentResult:
    """What a buyer's payment came to: PAID, REQUIRES_ACTION (open next_action) or FAILED."""

    intent_id: int
    status: Literal["PAID", "REQUIRES_ACTION", "FAILED"]
    intent: IntentView
    next_action: dict[str, Any] | None
    decline_code: str | None
    message: str | None


def view(intent: PaymentIntent) -> IntentView:
    cur = intent.currency
    return IntentView(
        id=intent.id, reference=intent.reference, status=intent.status,
        amount=Money(intent.amount_minor, cur), captured=Money(intent.captured_minor, cur),
        refunded=Money(intent.refunded_minor, cur), capture_mode=intent.capture_mode,
        provider=intent.provider, provider_payment_id=intent.provider_payment_id,
        decline_code=intent.decline_code, failure_message=intent.failure_message,
        next_action=dict(intent.next_action) if intent.next_action else None,
        card_brand=intent.card_brand, card_last4=intent.card_last4,
        created_at=intent.created_at, updated_at=intent.updated_at)


def refund_view(refund: PaymentRefund, currency: str) -> RefundView:
    return RefundView(id=refund.id, intent_id=refund.intent_id,
                      amount=Money(refund.amount_minor, currency), status=refund.status,
                      provider_refund_id=refund.provider_refund_id,
                      failure_code=refund.failure_code, created_at=refund.created_at)


def result(intent: IntentView) -> PaymentResult:
    if intent.status in states.PAID:
        status: Literal["PAID", "REQUIRES_ACTION", "FAILED"] = "PAID"
    elif intent.status == states.REQUIRES_ACTION:
        status = "REQUIRES_ACTION"
    else:
        status = "FAILED"
    return PaymentResult(intent_id=intent.id, status=status, intent=intent,
                         next_action=intent.next_action if status == "REQUIRES_ACTION" else None,
                         decline_code=intent.decline_code,
                         message=intent.failure_message if status == "FAILED" else None)


def lock_intent(session: Session, intent_id: int) -> PaymentIntent:
    intent = session.execute(
        select(PaymentIntent).where(PaymentIntent.id == intent_id).with_for_update()
    ).scalar_one_or_none()
    if intent is None:
        raise NotFound("No such payment.", code="PAYMENT_NOT_FOUND")
    return intent


def _payload(intent: PaymentIntent) -> dict[str, Any]:
    return {"intent_id": str(intent.id), "reference": intent.reference,
            "currency": intent.currency, "amount_minor": intent.amount_minor,
            "captured_minor": intent.captured_minor, "refunded_minor": intent.refunded_minor,
            "provider": intent.provider, "provider_payment_id": intent.provider_payment_id}


def record_history(session: Session, intent: PaymentIntent, from_status: str | None,
                   to_status: str, *, amount: int | None, source: Source,
                   event_id: str | None = None) -> None:
    session.add(PaymentIntentTransition(
        id=new_id(), intent_id=intent.id, from_status=from_status, to_status=to_status,
        amount_minor=amount, source=source, provider_event_id=event_id, created_at=clock.now()))


def transition(session: Session, intent: PaymentIntent, to_status: str, *,
               amount: int | None = None, source: Source, event_id: str | None = None) -> None:
    """Move the intent (its fields already updated), with history and the outbox event."""
    if not states.allowed(intent.status, to_status):
        raise Conflict(f"A payment cannot go from {intent.status} to {to_status}.",
                       code="INVALID_TRANSITION")
    record_history(session, intent, intent.status, to_status, amount=amount, source=source,
                   event_id=event_id)
    intent.status = to_status
    intent.updated_at = clock.now()
    if to_status in states.DEAD:
        intent.live_reference = None
    if to_status in _EVENTS:
        payload = _payload(intent)
        if to_status == states.FAILED:
            payload["decline_code"] = intent.decline_code
        events.emit(session, _EVENTS[to_status], payload)


def _walk(session: Session, intent: PaymentIntent, snap: ProviderPayment, source: Source,
          event_id: str | None) -> bool:
    steps = states.path_to(intent.status, snap.status,
                           manual_capture=intent.capture_mode == "manual")
    if snap.status == states.CAPTURED and intent.status in states.CAPTURED_STATES:
        steps = []  # refund states are reached through refunds, below
    if not steps:
        if steps is None:
            log.info("stale snapshot for intent %s: %s after %s", intent.id, snap.status,
                     intent.status)
        return False
    for step in steps:
        amount: int | None = None
        if step == states.REQUIRES_ACTION:
            intent.next_action = snap.next_action
        elif step == states.AUTHORIZED:
            amount = intent.amount_minor
        elif step == states.CAPTURED:
            intent.captured_minor = amount = snap.amount_captured_minor
        elif step == states.FAILED:
            intent.decline_code = snap.decline_code
            intent.failure_message = snap.failure_message
        if step != states.REQUIRES_ACTION:
            intent.next_action = None
        transition(session, intent, step, amount=amount, source=source, event_id=event_id)
    return True


def _find_refund(session: Session, intent: PaymentIntent,
                 found: ProviderRefund) -> PaymentRefund | None:
    refund_id = parse_id(found.reference) if found.reference else None
    refund = session.get(PaymentRefund, refund_id) if refund_id else None
    if refund is not None and refund.intent_id == intent.id:
        return refund
    return session.execute(
        select(PaymentRefund).where(PaymentRefund.provider_refund_id == found.id)
    ).scalar_one_or_none()


def _apply_refund(session: Session, intent: PaymentIntent, found: ProviderRefund,
                  source: Source, event_id: str | None) -> bool:
    refund = _find_refund(session, intent, found)
    if refund is not None and refund.status == "SUCCEEDED":
        return False
    now = clock.now()
    if refund is None:  # made at the provider without the platform asking: record it
        refund = PaymentRefund(id=new_id(), intent_id=intent.id, amount_minor=found.amount_minor,
                               status="SUCCEEDED", idempotency_key=f"provider:{found.id}",
                               reason="refunded at the provider", created_at=now)
        session.add(refund)
    elif refund.status == "PENDING":
        intent.refund_pending_minor -= refund.amount_minor
    refund.status, refund.completed_at = "SUCCEEDED", now
    refund.provider_refund_id, refund.failure_code = found.id, None
    intent.refunded_minor += refund.amount_minor
    full = intent.refunded_minor == intent.captured_minor
    session.flush()
    transition(session, intent, states.REFUNDED if full else states.PARTIALLY_REFUNDED,
               amount=refund.amount_minor, source=source, event_id=event_id)
    events.emit(session, "payments.refunded", {
        **_payload(intent), "refund_id": str(refund.id), "refund_minor": refund.amount_minor,
        "fully_refunded": full})
    return True


def _settle_pending(intent: PaymentIntent) -> None:
    """Forget a pending provider call once the snapshot shows its outcome."""
    done = {"create": intent.status != states.REQUIRES_PAYMENT,
            "capture": intent.status != states.AUTHORIZED,
            "void": intent.status not in (states.AUTHORIZED, states.REQUIRES_ACTION)}
    if intent.pending_op is not None and done[intent.pending_op]:
        clear_pending(intent)


def clear_pending(intent: PaymentIntent) -> None:
    intent.pending_op = intent.pending_amount_minor = intent.pending_since = None


def apply_snapshot(session: Session, intent: PaymentIntent, snap: ProviderPayment, *,
                   source: Source, event_id: str | None = None) -> bool:
    """Bring the locked intent up to the provider's snapshot; True when anything changed."""
    if intent.provider_payment_id is None:
        intent.provider_payment_id = snap.id
    elif intent.provider_payment_id != snap.id:
        log.warning("intent %s is %s, not %s", intent.id, intent.provider_payment_id, snap.id)
        return False
    if snap.card_last4 and intent.card_last4 is None:
        intent.card_brand, intent.card_last4 = snap.card_brand, snap.card_last4
    changed = _walk(session, intent, snap, source, event_id)
    if intent.status in states.REFUNDABLE:
        for found in snap.refunds:
            changed = _apply_refund(session, intent, found, source, event_id) or changed
    _settle_pending(intent)
    return changed


# reads, for other contexts (inside their own transactions) ------------------------------

def get_intent(session: Session, intent_id: int) -> IntentView | None:
    intent = session.get(PaymentIntent, intent_id)
    return None if intent is None else view(intent)


def intents_for_reference(session: Session, reference: str) -> list[IntentView]:
    """Every attempt to pay ``reference``, oldest first (a few per checkout at most)."""
    rows = session.execute(
        select(PaymentIntent).where(PaymentIntent.reference == reference)
        .order_by(PaymentIntent.id)).scalars()
    return [view(i) for i in rows]


def refunds_of(session: Session, intent_id: int) -> list[RefundView]:
    intent = session.get(PaymentIntent, intent_id)
    if intent is None:
        return []
    rows = session.execute(
        select(PaymentRefund).where(PaymentRefund.intent_id == intent_id)
        .order_by(PaymentRefund.id)).scalars()
    return [refund_view(r, intent.currency) for r in rows]


@dataclass(frozen=True)
class TransitionView:
    from_status: str | None
    to_status: str
    amount_minor: int | None
    source: str
    created_at: datetime


def history_of(session: Session, intent_id: int) -> list[TransitionView]:
    rows = session.execute(
        select(PaymentIntentTransition).where(PaymentIntentTransition.intent_id == intent_id)
        .order_by(PaymentIntentTransition.id)).scalars()
    return [TransitionView(r.from_status, r.to_status, r.amount_minor, r.source, r.created_at)
            for r in rows]
