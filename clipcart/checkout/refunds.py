"""Refunds the platform owes buyers: decided in a transaction, paid after it.

``schedule`` writes a PENDING row (unique by key) in the transaction that decides the
refund. ``run_refunds`` (kicked after that commit, and swept every minute) calls the
provider with the row's key as idempotency key, outside any transaction, then marks the row
DONE and books it in the ledger under a key of its own: an order's refund through
``clipcart.finance.service.book_refund`` (escrow -> external:psp before settlement, a
claw-back after), a checkout's late refund escrow -> external:psp. A crash at any
point is repaired by the next sweep; neither the provider nor the ledger ever counts twice.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.aftercommit import after_commit
from clipcart.checkout.models import Checkout, CheckoutRefund
from clipcart.checkout.service import payment_reference
from clipcart.db import Database
from clipcart.errors import DomainError
from clipcart.finance import service as finance
from clipcart.ids import new_id
from clipcart.ledger import service as ledger
from clipcart.ledger.accounts import ESCROW, EXTERNAL_PSP
from clipcart.money import Money
from clipcart.payments import service as payments
from clipcart.payments.states import CAPTURED_STATES

log = logging.getLogger(__name__)


def book_capture(session: Session, checkout_id: int) -> None:
    """Book the checkout's captured payment, external:psp -> escrow; a repeat is a no-op
    (the ledger operation's key). Run by the ``payments.captured`` event and before any
    refund of the checkout, so escrow never pays out what it has not received."""
    checkout = session.get(Checkout, checkout_id)
    assert checkout is not None
    ledger.post(session, key=f"checkout:{checkout_id}:capture", kind="checkout.capture",
                reference=payment_reference(checkout_id),
                transfers=[ledger.TransferSpec(
                    EXTERNAL_PSP, ESCROW, Money(checkout.total_minor, checkout.currency),
                    memo="buyer payment captured")])


def schedule(session: Session, *, checkout_id: int, order_id: int | None, amount: Money,
             key: str, reason: str) -> None:
    """Owe ``amount`` back on the checkout's payment; a second call with the key is a no-op."""
    if session.execute(select(CheckoutRefund.id).where(CheckoutRefund.key == key)).first():
        return
    book_capture(session, checkout_id)
    try:
        with session.begin_nested():
            session.add(CheckoutRefund(id=new_id(), checkout_id=checkout_id, order_id=order_id,
                                       key=key, amount_minor=amount.minor,
                                       currency=amount.currency, status="PENDING",
                                       reason=reason[:500], created_at=clock.now()))
            session.flush()
    except IntegrityError:
        return  # scheduled by a concurrent transaction
    after_commit(session, _kick_refunds, key="checkout-refunds")


def _kick_refunds() -> None:
    from clipcart.checkout.jobs import pay_refunds  # the job module imports this one

    pay_refunds()


def pending_ids(db: Database, limit: int = 100) -> list[int]:
    with db.sessions() as session:
        return list(session.execute(select(CheckoutRefund.id)
                                    .where(CheckoutRefund.status == "PENDING")
                                    .order_by(CheckoutRefund.id).limit(limit)).scalars())


def _captured_intent(db: Database, checkout_id: int) -> int | None:
    with db.sessions() as session:
        intents = payments.intents_for_reference(session, f"checkout:{checkout_id}")
    return next((i.id for i in intents if i.status in CAPTURED_STATES), None)


def _finish(db: Database, refund_id: int, payment_refund_id: int) -> None:
    with db.transaction() as session:
        row = session.get(CheckoutRefund, refund_id)
        assert row is not None
        done = session.execute(
            update(CheckoutRefund).where(CheckoutRefund.id == refund_id,
                                         CheckoutRefund.status == "PENDING")
            .values(status="DONE", payment_refund_id=payment_refund_id,
                    completed_at=clock.now())
            .returning(CheckoutRefund.id).execution_options(synchronize_session=False)).first()
        if done is None:
            return
        amount = Money(row.amount_minor, row.currency)
        if row.order_id is not None:  # finance books it: from escrow, or a claw-back
            finance.book_refund(session, key=row.key, order_id=row.order_id,
                                checkout_id=row.checkout_id, amount=amount,
                                memo=row.reason[:200])
            return
        ledger.post(session, key=f"{row.key}:ledger", kind="checkout.refund",
                    reference=f"checkout:{row.checkout_id}",
                    transfers=[ledger.TransferSpec(ESCROW, EXTERNAL_PSP, amount,
                                                   memo=row.reason[:200])])


def _fail(db: Database, refund_id: int) -> None:
    with db.transaction() as session:
        session.execute(update(CheckoutRefund).where(CheckoutRefund.id == refund_id,
                                                     CheckoutRefund.status == "PENDING")
                        .values(status="FAILED", completed_at=clock.now()))


def run_one(db: Database, refund_id: int) -> str:
    """Pay one scheduled refund; its status afterwards. Never inside a transaction."""
    with db.sessions() as session:
        row = session.get(CheckoutRefund, refund_id)
        if row is None or row.status != "PENDING":
            return "missing" if row is None else row.status
        checkout_id, key, amount = row.checkout_id, row.key, Money(row.amount_minor,
                                                                   row.currency)
        reason = row.reason
    intent_id = _captured_intent(db, checkout_id)
    if intent_id is None:
        return "PENDING"  # the capture is not recorded yet; the next sweep tries again
    try:
        view = payments.refund(db, intent_id, amount=amount, idempotency_key=key,
                               reason=reason[:200])
    except payments.ProviderUnavailable:
        return "PENDING"
    except DomainError as exc:
        log.error("refund %s refused: %s", key, exc.detail)
        _fail(db, refund_id)
        return "FAILED"
    if view.status == "SUCCEEDED":
        _finish(db, refund_id, view.id)
        return "DONE"
    if view.status == "FAILED":
        _fail(db, refund_id)
        return "FAILED"
    return "PENDING"


def run_refunds(db: Database, limit: int = 100) -> int:
    """Pay every pending refund; how many were completed."""
    return sum(run_one(db, refund_id) == "DONE" for refund_id in pending_ids(db, limit))


def refunds_of_checkout(session: Session, checkout_id: int) -> list[CheckoutRefund]:
    return list(session.execute(select(CheckoutRefund)
                                .where(CheckoutRefund.checkout_id == checkout_id)
                                .order_by(CheckoutRefund.id)).scalars())
