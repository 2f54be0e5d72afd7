"""Paying a checkout, and what a payment's outcome does to it.

``pay_checkout`` calls the provider outside any transaction (payments commits around the
call). Its outcome is applied by ``apply_capture`` / ``apply_failure``, which run both
right after the call and from the ``payments.*`` outbox events: whichever comes first does
the work under the checkout's row lock; the other finds the checkout moved and does
nothing. A capture that finds a reservation already released (expired) refunds in full.
Steps that undo themselves: reserve stock / release it; charge / refund.

The capture's ledger posting (external:psp -> escrow) is not made in the paying request:
escrow and PSP clearing are rows every payment of the platform updates, so the
``payments.captured`` event books it (``book_capture``, idempotent by its key), and
whatever takes money out of escrow for a checkout books it first (``refunds.schedule``).
The request holds one hot row, the SKU's stock, and only for its last statements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.checkout import refunds
from clipcart.checkout.carts import remove_skus
from clipcart.checkout.service import (
    lock_checkout,
    move,
    payment_reference,
    reservation_reference,
)
from clipcart.db import Database
from clipcart.errors import Conflict, DomainError, NotFound
from clipcart.inventory import service as inventory
from clipcart.money import Money
from clipcart.orders import service as orders
from clipcart.payments import service as payments
from clipcart.payments.intents import IntentView
from clipcart.payments.intents import result as result_of
from clipcart.payments.states import DEAD


class PaymentDeclined(DomainError):
    status = 402
    code = "PAYMENT_DECLINED"
    title = "Payment declined"


@dataclass(frozen=True)
class PayOutcome:
    checkout_id: int
    status: Literal["PAID", "REQUIRES_ACTION", "FAILED"]
    order_ids: list[int]
    next_action: dict[str, Any] | None


def _order_ids(session: Session, checkout_id: int) -> list[int]:
    return [o.id for o in orders.orders_of_checkout(session, checkout_id)]


OnOrders = Callable[[list[int]], None]


def apply_capture(session: Session, checkout_id: int, *,
                  before_stock: OnOrders | None = None) -> str:
    """The provider captured the checkout's payment: mark the orders paid and sell the
    held stock, exactly once (the money is booked by ``book_capture``). ``before_stock``
    gets the order ids just before the stock rows are touched, in the same savepoint.
    Returns the checkout's status."""
    checkout = lock_checkout(session, checkout_id)
    if checkout.status == "PAID":
        return "PAID"
    amount = Money(checkout.total_minor, checkout.currency)
    if checkout.status != "OPEN":  # expired, cancelled or failed meanwhile: give it back
        refunds.schedule(session, checkout_id=checkout_id, order_id=None, amount=amount,
                         key=f"checkout:{checkout_id}:late-refund",
                         reason=f"paid after the checkout was {checkout.status.lower()}")
        return checkout.status
    order_list = orders.orders_of_checkout(session, checkout_id)
    try:
        with session.begin_nested():
            orders.mark_paid(session, checkout_id, order_list)
            move(session, checkout, "PAID", "payment captured", paid_at=clock.now())
            remove_skus(session, checkout.buyer_user_id,
                        sorted({line.sku_id for lines in orders.lines_of(
                            session, [o.id for o in order_list]).values() for line in lines}))
            if before_stock is not None:
                before_stock([o.id for o in order_list])
            # the SKUs' stock rows are rows that every buyer of a flash sale updates: they
            # come last, so they stay locked only until the commit
            for order in order_list:
                inventory.commit_reservation(session, reservation_reference(order.id))
    except Conflict as exc:
        if exc.code != "RESERVATION_RELEASED":
            raise
        session.expire_all()  # orders and checkout as the rolled-back savepoint left them
        close_unpaid(session, checkout_id, "EXPIRED", "the reservation expired before payment")
        refunds.schedule(session, checkout_id=checkout_id, order_id=None, amount=amount,
                         key=f"checkout:{checkout_id}:late-refund",
                         reason="the stock was released before the payment arrived")
        return "EXPIRED"
    return "PAID"


def close_unpaid(session: Session, checkout_id: int, target: str, reason: str) -> bool:
    """Release every order's stock, cancel the unpaid orders, close the checkout."""
    checkout = lock_checkout(session, checkout_id)
    if not move(session, checkout, target, reason):
        return False
    release_reason = {"EXPIRED": "expired", "PAYMENT_FAILED": "payment_failed"}.get(
        target, "cancelled")
    for order in orders.orders_of_checkout(session, checkout_id):
        inventory.release_reservation(session, reservation_reference(order.id), release_reason)
    orders.cancel_unpaid(session, checkout_id, reason)
    return True


def apply_failure(session: Session, checkout_id: int, reason: str = "payment failed") -> bool:
    return close_unpaid(session, checkout_id, "PAYMENT_FAILED", reason)


def _outcome(db: Database, checkout_id: int, status: str,
             next_action: dict[str, Any] | None = None) -> PayOutcome:
    with db.sessions() as session:
        ids = _order_ids(session, checkout_id)
    if status == "FAILED":
        raise PaymentDeclined("The card was declined; the orders are cancelled and their "
                              "stock released. Check out again with another card.",
                              extra={"checkout_id": str(checkout_id)})
    return PayOutcome(checkout_id, status, ids, next_action)  # type: ignore[arg-type]


@dataclass(frozen=True)
class PreparedPayment:
    """What ``prepare_payment`` found: a payment to send, or the checkout's final word."""

    checkout_id: int
    status: str  # the checkout's status, or "IN_PROGRESS" (another request's payment)
    opened: payments.OpenedPayment | None = None


OnPaid = Callable[[Session, PayOutcome], None]


def prepare_payment(session: Session, *, checkout_id: int, buyer_user_id: int,
                    payment_token: str, idempotency_key: str,
                    return_url: str) -> PreparedPayment:
    """Check the buyer's checkout (locked) and open its payment intent, in the caller's
    transaction, which must commit before ``finish_payment`` calls the provider."""
    checkout = lock_checkout(session, checkout_id)
    if checkout.buyer_user_id != buyer_user_id:
        raise NotFound("No such checkout.")
    if checkout.status == "OPEN" and clock.now() >= checkout.expires_at:
        raise Conflict("This checkout expired; its stock is released. Check out again.",
                       code="CHECKOUT_EXPIRED")
    if checkout.status in ("PAID", "PAYMENT_FAILED"):
        return PreparedPayment(checkout_id, checkout.status)
    if checkout.status != "OPEN":
        raise Conflict(f"This checkout is {checkout.status.lower()}; check out again.",
                       code="CHECKOUT_CLOSED")
    try:
        opened = payments.open_payment(
            session, reference=payment_reference(checkout_id),
            amount=Money(checkout.total_minor, checkout.currency),
            payment_token=payment_token, return_url=return_url,
            idempotency_key=f"checkout:{checkout_id}:{idempotency_key}")
    except Conflict as exc:
        if exc.code != "PAYMENT_ALREADY_EXISTS":
            raise
        return PreparedPayment(checkout_id, "IN_PROGRESS")
    return PreparedPayment(checkout_id, "OPEN", opened)


def finish_payment(db: Database, prepared: PreparedPayment, *,
                   on_paid: OnPaid | None = None) -> PayOutcome:
    """Call the provider (no transaction open) and apply its answer in the same commit
    that records it: intent, orders, stock and ``on_paid`` (the API stores its idempotent
    answer there) together; the ledger follows from the intent's event. Raises
    PaymentDeclined (402) on a decline."""
    checkout_id = prepared.checkout_id
    if prepared.status == "PAID":
        outcome = _outcome(db, checkout_id, "PAID")
        if on_paid is not None:
            with db.transaction() as session:
                on_paid(session, outcome)
        return outcome
    if prepared.status == "PAYMENT_FAILED":
        return _outcome(db, checkout_id, "FAILED")
    if prepared.opened is None:  # another request's payment is paid or in progress
        return settle(db, checkout_id)
    applied: list[tuple[str, PayOutcome | None]] = []

    def apply(session: Session, intent: IntentView) -> None:
        current = result_of(intent)
        if current.status == "PAID":
            paid: list[PayOutcome] = []

            def answer(order_ids: list[int]) -> None:
                paid.append(PayOutcome(checkout_id, "PAID", order_ids, None))
                if on_paid is not None:
                    on_paid(session, paid[-1])

            final = apply_capture(session, checkout_id, before_stock=answer)
            if final != "PAID":  # the capture is refunded; the buyer is told after commit
                applied.append((final, None))
                return
            if not paid:  # paid already (the webhook's event came first)
                answer(_order_ids(session, checkout_id))
            applied.append(("PAID", paid[-1]))
        elif current.status == "FAILED":
            apply_failure(session, checkout_id, current.message or "payment failed")
            applied.append(("FAILED", None))
        else:
            applied.append(("REQUIRES_ACTION", PayOutcome(
                checkout_id, "REQUIRES_ACTION", _order_ids(session, checkout_id),
                current.next_action)))

    payments.send_payment(db, prepared.opened, then=apply)
    status, answer = applied[-1]
    if answer is not None:
        return answer
    if status == "FAILED":
        raise PaymentDeclined("The card was declined; the orders are cancelled and their "
                              "stock released. Check out again with another card.",
                              extra={"checkout_id": str(checkout_id)})
    raise Conflict("The checkout expired before the payment arrived; the payment is "
                   "refunded in full.", code="CHECKOUT_EXPIRED")


def pay_checkout(db: Database, *, checkout_id: int, buyer_user_id: int, payment_token: str,
                 idempotency_key: str, return_url: str) -> PayOutcome:
    """Charge the checkout's total with a provider card token. A retry with the same key
    returns the same answer and never charges twice. Never call inside a transaction."""
    with db.transaction() as session:
        prepared = prepare_payment(session, checkout_id=checkout_id,
                                   buyer_user_id=buyer_user_id, payment_token=payment_token,
                                   idempotency_key=idempotency_key, return_url=return_url)
    return finish_payment(db, prepared)


def _apply_result(db: Database, checkout_id: int, status: str,
                  next_action: dict[str, Any] | None, message: str | None) -> PayOutcome:
    if status == "PAID":
        with db.transaction() as session:
            final = apply_capture(session, checkout_id)
        if final != "PAID":
            raise Conflict("The checkout expired before the payment arrived; the payment is "
                           "refunded in full.", code="CHECKOUT_EXPIRED")
        return _outcome(db, checkout_id, "PAID")
    if status == "FAILED":
        with db.transaction() as session:
            apply_failure(session, checkout_id, message or "payment failed")
        return _outcome(db, checkout_id, "FAILED")
    return _outcome(db, checkout_id, "REQUIRES_ACTION", next_action)


def settle(db: Database, checkout_id: int) -> PayOutcome:
    """Bring the checkout up to date with its payment (the return page, a lost race)."""
    with db.sessions() as session:
        intents = payments.intents_for_reference(session, payment_reference(checkout_id))
    if not intents:
        raise Conflict("No payment was started for this checkout.", code="NO_PAYMENT")
    live = [i for i in intents if i.status not in DEAD]
    current = result_of(payments.refresh(db, (live or intents)[-1].id))
    return _apply_result(db, checkout_id, current.status, current.next_action, current.message)
