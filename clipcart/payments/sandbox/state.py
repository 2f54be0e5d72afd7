"""The payment state machine of the provider, and how a payment looks on the wire.

Every change goes through ``move``: it refuses transitions that are not in ``TRANSITIONS``,
writes a history row, and records the webhook event for the merchant.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.errors import Conflict, NotFound
from clipcart.ids import new_id, parse_id
from clipcart.payments.sandbox import webhooks
from clipcart.payments.sandbox.models import (
    PspCardToken,
    PspPayment,
    PspPaymentTransition,
    PspRefund,
)

TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({"requires_action", "authorized", "succeeded", "failed"}),
    "requires_action": frozenset({"authorized", "succeeded", "failed", "voided"}),
    "authorized": frozenset({"succeeded", "voided"}),
    "succeeded": frozenset({"partially_refunded", "refunded"}),
    "partially_refunded": frozenset({"partially_refunded", "refunded"}),
}
_EVENTS = {"requires_action": "payment.requires_action", "authorized": "payment.authorized",
           "failed": "payment.failed", "voided": "payment.voided",
           "partially_refunded": "payment.refunded", "refunded": "payment.refunded"}


def event_type(from_status: str | None, to_status: str) -> str:
    if to_status == "succeeded":
        return "payment.captured" if from_status == "authorized" else "payment.succeeded"
    return _EVENTS[to_status]


def move(session: Session, payment: PspPayment, to_status: str, *, amount: int | None = None,
         note: str = "", refund: PspRefund | None = None) -> dict[str, Any]:
    """Change the status (fields already updated by the caller), with history and webhook;
    returns the payment's JSON after the move (what the event carries)."""
    from_status: str | None = payment.status if payment.status else None
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise Conflict(f"A payment cannot go from {from_status} to {to_status}.",
                       code="INVALID_TRANSITION")
    now = clock.now()
    payment.status = to_status
    payment.updated_at = now
    session.flush()  # the payment row exists before its history row
    session.add(PspPaymentTransition(id=new_id(), payment_id=payment.id, from_status=from_status,
                                     to_status=to_status, amount=amount, note=note,
                                     created_at=now))
    session.flush()
    data: dict[str, Any] = {"object": payment_json(session, payment)}
    if refund is not None:
        data["refund"] = refund_json(refund)
    webhooks.record_event(session, payment.merchant_id, payment.id,
                          event_type(from_status, to_status), data)
    return dict(data["object"])


def external_id(prefix: str, value: int) -> str:
    return f"{prefix}_{value}"


def parse_external(prefix: str, raw: str) -> int | None:
    head, _, tail = raw.partition("_")
    return parse_id(tail) if head == prefix else None


def locked_payment(session: Session, merchant_id: int, payment_ref: str) -> PspPayment:
    """The merchant's payment, row-locked; another merchant's payment is NOT_FOUND."""
    payment_id = parse_external("pay", payment_ref)
    payment = None
    if payment_id is not None:
        payment = session.execute(
            select(PspPayment).where(PspPayment.id == payment_id).with_for_update()
        ).scalar_one_or_none()
    if payment is None or payment.merchant_id != merchant_id:
        raise NotFound("No such payment.", code="PAYMENT_NOT_FOUND")
    return payment


def refund_json(refund: PspRefund) -> dict[str, Any]:
    return {"id": external_id("re", refund.id), "object": "refund",
            "payment_id": external_id("pay", refund.payment_id), "amount": refund.amount,
            "reference": refund.reference, "status": "succeeded",
            "created_at": refund.created_at.isoformat()}


def payment_json(session: Session, payment: PspPayment) -> dict[str, Any]:
    card = session.get(PspCardToken, payment.token_id)
    refunds = session.execute(
        select(PspRefund).where(PspRefund.payment_id == payment.id).order_by(PspRefund.id)
    ).scalars()
    history = session.execute(
        select(PspPaymentTransition).where(PspPaymentTransition.payment_id == payment.id)
        .order_by(PspPaymentTransition.id)
    ).scalars()
    next_action = None
    if payment.status == "requires_action" and payment.challenge_url:
        next_action = {"type": "redirect", "redirect_url": payment.challenge_url}
    return {
        "id": external_id("pay", payment.id),
        "object": "payment",
        "status": payment.status,
        "amount": payment.amount,
        "amount_capturable": payment.amount if payment.status == "authorized" else 0,
        "amount_captured": payment.amount_captured,
        "amount_refunded": payment.amount_refunded,
        "currency": payment.currency,
        "capture": payment.capture_method,
        "reference": payment.reference,
        "metadata": dict(payment.payment_metadata),
        "return_url": payment.return_url,
        "card": None if card is None else {
            "brand": card.brand, "last4": card.last4,
            "exp_month": card.exp_month, "exp_year": card.exp_year},
        "decline_code": payment.decline_code,
        "failure_message": payment.failure_message,
        "next_action": next_action,
        "refunds": [refund_json(r) for r in refunds],
        "history": [{"from": h.from_status, "to": h.to_status, "amount": h.amount,
                     "note": h.note, "at": h.created_at.isoformat()} for h in history],
        "created_at": payment.created_at.isoformat(),
        "updated_at": payment.updated_at.isoformat(),
    }
