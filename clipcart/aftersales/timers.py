"""The timed rules, each a function of the clock (run by periodic jobs, called in tests).

- seller silent for seller_return_response_hours: the request is approved;
- buyer does not ship within buyer_return_ship_days: the return is cancelled;
- seller silent for seller_receipt_confirm_days after the item is back: receipt confirmed;
- buyer does not escalate a rejection within buyer_escalation_hours: it stands for good;
- a refund the provider has paid: the request (or cancellation) is complete.
Each item moves in its own savepoint; one that changed meanwhile is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.aftersales import cancellations, receipts, service
from clipcart.aftersales.models import Cancellation, ReturnRequest
from clipcart.aftersales.transitions import (
    AWAITING_BUYER_SHIP,
    BUYER_SHIPPED_ITEM,
    CANCEL,
    CANCEL_SUCCESS,
    PENDING,
    REJECTED,
    SUCCESS,
)
from clipcart.checkout import refunds
from clipcart.errors import Conflict

LIMIT = 500


def _due(session: Session, statuses: frozenset[str], now: datetime, limit: int) -> list[int]:
    return list(session.execute(
        select(ReturnRequest.id).where(ReturnRequest.status.in_(sorted(statuses)),
                                       ReturnRequest.due_at <= now,
                                       ReturnRequest.closed_at.is_(None))
        .order_by(ReturnRequest.id).limit(limit)).scalars())


def _each(session: Session, ids: list[int], act: Callable[[int], object]) -> int:
    done = 0
    for item_id in ids:
        try:
            with session.begin_nested():
                act(item_id)
            done += 1
        except Conflict:
            continue
    return done


def auto_approve(session: Session, now: datetime | None = None, limit: int = LIMIT) -> int:
    ids = _due(session, frozenset({PENDING}), now or clock.now(), limit)

    def act(return_id: int) -> None:
        req = service.get(session, return_id)
        service._approve(session, req, actor="system", event="AUTO_APPROVED",
                         note="the seller did not answer in time",
                         expected=frozenset({PENDING}))

    return _each(session, ids, act)


def expire_unshipped(session: Session, now: datetime | None = None, limit: int = LIMIT) -> int:
    ids = _due(session, frozenset({AWAITING_BUYER_SHIP}), now or clock.now(), limit)
    return _each(session, ids, lambda rid: service.move(
        session, rid, CANCEL, actor="system", event="BUYER_SHIP_EXPIRED",
        note="the item was not sent back in time", expected=frozenset({AWAITING_BUYER_SHIP})))


def auto_confirm_receipts(session: Session, now: datetime | None = None,
                          limit: int = LIMIT) -> int:
    ids = _due(session, frozenset({BUYER_SHIPPED_ITEM}), now or clock.now(), limit)
    return _each(session, ids, lambda rid: receipts.auto_confirm(session, rid))


def close_unescalated(session: Session, now: datetime | None = None, limit: int = LIMIT) -> int:
    ids = list(session.execute(
        select(ReturnRequest.id).where(ReturnRequest.status.in_(sorted(REJECTED)),
                                       ReturnRequest.arbitration_status.is_(None),
                                       ReturnRequest.closed_at.is_(None),
                                       ReturnRequest.due_at <= (now or clock.now()))
        .order_by(ReturnRequest.id).limit(limit)).scalars())
    return _each(session, ids, lambda rid: service.close_rejected(session, rid))


def _paid(session: Session, checkout_id: int, key: str) -> bool:
    return any(r.key == key and r.status == "DONE"
               for r in refunds.refunds_of_checkout(session, checkout_id))


def complete_refunded(session: Session, limit: int = LIMIT) -> int:
    """Requests and cancellations whose refund the provider has paid are complete."""
    done = 0
    waiting = session.execute(select(ReturnRequest.id, ReturnRequest.checkout_id)
                              .where(ReturnRequest.status == SUCCESS)
                              .order_by(ReturnRequest.id).limit(limit)).all()
    paid = [rid for rid, checkout_id in waiting
            if _paid(session, checkout_id, service.refund_key(rid))]
    done += _each(session, paid, lambda rid: service.complete(session, rid))
    pending = session.execute(select(Cancellation.id, Cancellation.checkout_id,
                                     Cancellation.refund_key)
                              .where(Cancellation.status == CANCEL_SUCCESS)
                              .order_by(Cancellation.id).limit(limit)).all()
    paid = [cid for cid, checkout_id, key in pending if _paid(session, checkout_id, key)]
    done += _each(session, paid, lambda cid: cancellations.complete(session, cid))
    return done


def run_all(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Every rule once (the demo and tests; the jobs run them one by one)."""
    return {"auto_approved": auto_approve(session, now),
            "expired": expire_unshipped(session, now),
            "auto_confirmed": auto_confirm_receipts(session, now),
            "closed": close_unescalated(session, now),
            "completed": complete_refunded(session)}
