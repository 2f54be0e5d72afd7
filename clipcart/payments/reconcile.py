"""Repair what a crash or a lost webhook left behind, by asking the provider.

A provider call whose outcome was not recorded leaves a marker: ``pending_op`` on the
intent (create, capture, void) or a PENDING refund. ``reconcile`` finds markers older than
a grace period and finishes them: it reads the provider's snapshot and applies it, or
re-sends the same request under the same idempotency key (the provider answers with what
it did the first time, or does it now, exactly once). Challenges left unanswered are
refreshed too. ``refresh`` does the same for one intent, now (a return page uses it).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import or_, select

from clipcart import clock
from clipcart.db import Database
from clipcart.errors import DomainError, NotFound
from clipcart.money import Money
from clipcart.payments import states
from clipcart.payments.adapters import get_provider
from clipcart.payments.calls import record
from clipcart.payments.charges import capture, send_create, void
from clipcart.payments.intents import IntentView
from clipcart.payments.models import PaymentIntent, PaymentRefund
from clipcart.payments.provider import PaymentProvider
from clipcart.payments.refunds import send_refund

log = logging.getLogger(__name__)

GRACE = timedelta(minutes=2)


def refresh(db: Database, intent_id: int, *,
            provider: PaymentProvider | None = None) -> IntentView:
    """Bring one intent up to date with the provider and finish its pending call."""
    with db.sessions() as session:
        intent = session.get(PaymentIntent, intent_id)
        if intent is None:
            raise NotFound("No such payment.", code="PAYMENT_NOT_FOUND")
        op, amount, payment_id = intent.pending_op, intent.pending_amount_minor, \
            intent.provider_payment_id
        currency, name = intent.currency, intent.provider
    adapter = provider or get_provider(name)
    if payment_id is None:  # the create's answer was never recorded: ask again, same key
        return send_create(db, intent_id, adapter, source="reconcile")
    snap = adapter.get(payment_id)
    current = record(db, intent_id, snap, "reconcile")
    if op == "capture" and current.status == states.AUTHORIZED and amount is not None:
        return capture(db, intent_id, amount=Money(amount, currency), provider=adapter)
    if op == "void" and current.status in (states.AUTHORIZED, states.REQUIRES_ACTION):
        return void(db, intent_id, provider=adapter)
    return current


def _stale_intents(db: Database, cutoff: object, limit: int) -> list[int]:
    with db.sessions() as session:
        return list(session.execute(
            select(PaymentIntent.id)
            .where(or_(
                PaymentIntent.pending_op.is_not(None) & (PaymentIntent.pending_since <= cutoff),
                (PaymentIntent.status == states.REQUIRES_ACTION)
                & (PaymentIntent.updated_at <= cutoff)))
            .order_by(PaymentIntent.id).limit(limit)
        ).scalars())


def _stale_refunds(db: Database, cutoff: object, limit: int) -> list[tuple[int, str, str]]:
    with db.sessions() as session:
        rows = session.execute(
            select(PaymentRefund.id, PaymentIntent.provider_payment_id, PaymentIntent.provider)
            .join(PaymentIntent, PaymentIntent.id == PaymentRefund.intent_id)
            .where(PaymentRefund.status == "PENDING", PaymentRefund.created_at <= cutoff)
            .order_by(PaymentRefund.id).limit(limit))
        return [(r[0], str(r[1]), r[2]) for r in rows]


def reconcile(db: Database, *, older_than: timedelta = GRACE, limit: int = 100,
              provider: PaymentProvider | None = None) -> int:
    """Finish every provider call left pending for longer than ``older_than``; returns how
    many intents and refunds were looked at. Failures are logged and retried next run."""
    cutoff = clock.now() - older_than
    seen = 0
    for intent_id in _stale_intents(db, cutoff, limit):
        try:
            refresh(db, intent_id, provider=provider)
            seen += 1
        except DomainError as exc:
            log.warning("reconcile: intent %s not repaired yet: %s", intent_id, exc.detail)
    for refund_id, payment_id, name in _stale_refunds(db, cutoff, limit):
        try:
            send_refund(db, refund_id, payment_id, provider or get_provider(name), "reconcile")
            seen += 1
        except DomainError as exc:
            log.warning("reconcile: refund %s not repaired yet: %s", refund_id, exc.detail)
    return seen
