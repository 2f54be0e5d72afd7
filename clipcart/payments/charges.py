"""Payments as other contexts use them: start a payment, capture, void, refund, refresh.

These functions take the ``Database``, not a ``Session``: each one talks to the provider
over the network and must not hold a transaction or a row lock while it does. The pattern
is always the same: (1) record the intent to call the provider and commit, (2) call the
provider with an idempotency key derived from that record, (3) record the outcome in a new
transaction with ``apply_snapshot``. A crash between (2) and (3) leaves a pending marker
that the provider's webhook or ``reconcile`` resolves; a retry re-sends the same key, so
the provider never does the work twice. Never call them inside an open transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
    Then,
    call,
    check_key,
    fingerprint,
    minor_of,
    record,
)
from clipcart.payments.intents import (
    IntentView,
    PaymentResult,
    Source,
    clear_pending,
    lock_intent,
    record_history,
    result,
    transition,
    view,
)
from clipcart.payments.models import PaymentIntent
from clipcart.payments.provider import (
    CaptureMode,
    CreatePayment,
    PaymentProvider,
    ProviderRejected,
    ProviderUnavailable,
)

# start ----------------------------------------------------------------------------------

def _validate(reference: str, amount: Money, payment_token: str, return_url: str,
              capture: CaptureMode) -> str:
    reference = reference.strip()
    if not 0 < len(reference) <= 120:
        raise ValidationFailed("A payment reference is 1 to 120 characters.", field="reference")
    if amount.minor <= 0:
        raise ValidationFailed("The amount must be positive.", field="amount")
    if not 0 < len(payment_token) <= 100:
        raise ValidationFailed("A payment token is required.", field="payment_token")
    if not return_url.startswith(("http://", "https://")):
        raise ValidationFailed("return_url must be an absolute http(s) URL.", field="return_url")
    if capture not in ("automatic", "manual"):
        raise ValidationFailed("capture is 'automatic' or 'manual'.", field="capture")
    return reference


@dataclass(frozen=True)
class OpenedPayment:
    """A committed-to-be intent and the request that sends it (None: it was sent before)."""

    intent_id: int
    request: CreatePayment | None


def open_payment(session: Session, *, reference: str, amount: Money, payment_token: str,
                 return_url: str, idempotency_key: str, capture: CaptureMode = "automatic",
                 provider: str = "sandbox") -> OpenedPayment:
    """Step 1 in the caller's transaction (which must commit before ``send_payment``): the
    intent, found again by its key on a retry. The same key with other values is 422; a
    reference with another payment paid or in progress is 409 PAYMENT_ALREADY_EXISTS."""
    reference = _validate(reference, amount, payment_token, return_url, capture)
    key = check_key(idempotency_key)
    print_ = fingerprint(reference, amount.minor, amount.currency, payment_token, return_url,
                         capture, provider)

    def existing() -> OpenedPayment | None:
        found = session.execute(
            select(PaymentIntent).where(PaymentIntent.idempotency_key == key)
        ).scalar_one_or_none()
        if found is None:
            return None
        if found.fingerprint != print_:
            raise IdempotencyKeyReused("This Idempotency-Key was used for a different payment.")
        return OpenedPayment(found.id, _request(found)
                             if found.status == states.REQUIRES_PAYMENT else None)

    found = existing()
    if found is not None:
        return found
    now = clock.now()
    intent = PaymentIntent(
        id=new_id(), reference=reference, live_reference=reference, idempotency_key=key,
        fingerprint=print_, provider=provider, amount_minor=amount.minor,
        currency=amount.currency, capture_mode=capture, payment_token=payment_token,
        return_url=return_url, status=states.REQUIRES_PAYMENT, captured_minor=0,
        refunded_minor=0, refund_pending_minor=0, pending_op="create",
        pending_since=now, created_at=now, updated_at=now)
    try:
        with session.begin_nested():
            session.add(intent)
            session.flush()
    except IntegrityError:
        found = existing()
        if found is not None:
            return found  # a concurrent request with the same key created it
        raise Conflict(f"{reference} already has a payment that is paid or in progress.",
                       code="PAYMENT_ALREADY_EXISTS") from None
    record_history(session, intent, None, states.REQUIRES_PAYMENT, amount=amount.minor,
                   source="api")
    return OpenedPayment(intent.id, _request(intent))


def _request(intent: PaymentIntent) -> CreatePayment:
    return CreatePayment(
        amount_minor=intent.amount_minor, currency=intent.currency,
        token=intent.payment_token, capture=intent.capture_mode,  # type: ignore[arg-type]
        reference=intent.reference, return_url=intent.return_url, intent_id=str(intent.id))


def send_create(db: Database, intent_id: int, adapter: PaymentProvider,
                source: Source = "api", *, request: CreatePayment | None = None,
                then: Then | None = None) -> IntentView:
    """Step 2 and 3 of a payment; safe to repeat: the provider's key is the intent's.
    ``request`` saves reading the intent again; ``then`` runs in the transaction that
    records the outcome (see ``calls.record``)."""
    if request is None:
        with db.sessions() as session:
            intent = session.get(PaymentIntent, intent_id)
            assert intent is not None
            if intent.status != states.REQUIRES_PAYMENT:
                current = view(intent)
                request = None
            else:
                request = _request(intent)
        if request is None:
            if then is not None:
                with db.transaction() as session:
                    then(session, view(lock_intent(session, intent_id)))
            return current
    try:
        with waits.outside():
            snap = adapter.create_payment(request, idempotency_key=f"intent-{intent_id}-create")
    except ProviderRejected as exc:
        if exc.http_status in RETRYABLE_REJECTIONS:
            raise ProviderUnavailable(exc.detail) from exc
        with db.transaction() as session:  # refused outright: nothing was charged
            intent = lock_intent(session, intent_id)
            if intent.status == states.REQUIRES_PAYMENT:
                intent.decline_code = exc.provider_code.lower()
                intent.failure_message = exc.detail
                clear_pending(intent)
                transition(session, intent, states.FAILED, source=source)
            current = view(intent)
            if then is not None:
                then(session, current)
            return current
    return record(db, intent_id, snap, source, then=then)


def send_payment(db: Database, opened: OpenedPayment, *, then: Then | None = None,
                 provider: PaymentProvider | None = None) -> PaymentResult:
    """Steps 2 and 3 for an intent from ``open_payment`` once its transaction committed.
    Raises ProviderUnavailable (503) when the outcome is unknown: retry with the same key."""
    adapter = provider or get_provider()
    return result(send_create(db, opened.intent_id, adapter, request=opened.request,
                              then=then))


def start_payment(db: Database, *, reference: str, amount: Money, payment_token: str,
                  return_url: str, idempotency_key: str, capture: CaptureMode = "automatic",
                  provider: PaymentProvider | None = None) -> PaymentResult:
    """Charge (``capture="automatic"``) or authorize (``"manual"``) ``amount`` for
    ``reference`` with a provider card token. A retry with the same key returns the first
    result and never charges twice; the same key with other values is 422. One reference
    has at most one payment that is paid or in progress (409 PAYMENT_ALREADY_EXISTS).
    Raises ProviderUnavailable (503) when the outcome is unknown: retry with the same key."""
    _validate(reference, amount, payment_token, return_url, capture)
    adapter = provider or get_provider()
    with db.transaction() as session:
        opened = open_payment(session, reference=reference, amount=amount,
                              payment_token=payment_token, return_url=return_url,
                              idempotency_key=idempotency_key, capture=capture,
                              provider=adapter.name)
    return send_payment(db, opened, provider=adapter)


# capture, void --------------------------------------------------------------------------

def capture(db: Database, intent_id: int, *, amount: Money | None = None,
            provider: PaymentProvider | None = None) -> IntentView:
    """Take an authorized amount, in full or in part (the rest is released). Capturing a
    captured intent again with the same amount (or none) returns it unchanged."""
    with db.transaction() as session:
        intent = lock_intent(session, intent_id)
        want = intent.amount_minor if amount is None else minor_of(amount, intent.currency)
        if intent.status in states.CAPTURED_STATES:
            if amount is None or want == intent.captured_minor:
                return view(intent)
            raise Conflict("This payment was already captured with another amount.",
                           code="ALREADY_CAPTURED")
        if intent.status != states.AUTHORIZED:
            raise Conflict(f"Only an authorized payment can be captured; this one is "
                           f"{intent.status}.", code="PAYMENT_NOT_CAPTURABLE")
        if want > intent.amount_minor:
            raise ValidationFailed("The capture exceeds the authorized amount.", field="amount")
        if intent.pending_op is not None and (intent.pending_op, intent.pending_amount_minor) \
                != ("capture", want):
            raise Conflict("Another operation on this payment is in progress.",
                           code="OPERATION_IN_PROGRESS")
        intent.pending_op, intent.pending_amount_minor = "capture", want
        intent.pending_since = intent.pending_since or clock.now()
        payment_id, name = str(intent.provider_payment_id), intent.provider
    adapter = provider or get_provider(name)
    return call(db, intent_id, adapter, payment_id, lambda: adapter.capture(
        payment_id, want, idempotency_key=f"intent-{intent_id}-capture-{want}"))


def void(db: Database, intent_id: int, *,
         provider: PaymentProvider | None = None) -> IntentView:
    """Cancel an authorization (or an unanswered challenge); voiding twice is a no-op."""
    with db.transaction() as session:
        intent = lock_intent(session, intent_id)
        if intent.status == states.VOIDED:
            return view(intent)
        if intent.status not in (states.AUTHORIZED, states.REQUIRES_ACTION):
            raise Conflict(f"Only an authorized payment can be voided; this one is "
                           f"{intent.status}.", code="PAYMENT_NOT_VOIDABLE")
        if intent.pending_op not in (None, "void"):
            raise Conflict("Another operation on this payment is in progress.",
                           code="OPERATION_IN_PROGRESS")
        intent.pending_op = "void"
        intent.pending_since = intent.pending_since or clock.now()
        payment_id, name = str(intent.provider_payment_id), intent.provider
    adapter = provider or get_provider(name)
    return call(db, intent_id, adapter, payment_id, lambda: adapter.void(
        payment_id, idempotency_key=f"intent-{intent_id}-void"))
