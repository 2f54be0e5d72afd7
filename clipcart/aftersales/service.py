"""Return and refund requests: the only way to change them.

Every status change is one conditional UPDATE (``WHERE status = :from``) with a history row
and an ``aftersales.status_changed`` event in the same transaction; the loser of a race gets
RETURN_STATE_CHANGED. Refunds are scheduled through checkout (idempotent by key, paid by the
provider after commit); restocking goes through inventory's service.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.aftersales import claims, transitions
from clipcart.aftersales.models import AftersalesHistory, ReturnLine, ReturnRequest
from clipcart.aftersales.reasons import SELLER_REJECT_REASONS, buyer_reason, seller_reason
from clipcart.aftersales.transitions import (
    AWAITING_BUYER_SHIP,
    CANCEL,
    PENDING,
    REJECTED,
    RETURN_TYPES,
    SUCCESS,
)
from clipcart.checkout import refunds
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.ids import new_id
from clipcart.markets import get_markets, market
from clipcart.money import Money
from clipcart.orders import service as orders
from clipcart.orders.models import Order

RETURNABLE_ORDER_STATUSES = frozenset({"DELIVERED", "COMPLETED"})
MAX_LINES = 50
MAX_PHOTOS = 6


def rule_hours(name: str) -> timedelta:
    return timedelta(hours=float(get_markets().rule(name)))


def rule_days(name: str) -> timedelta:
    return timedelta(days=float(get_markets().rule(name)))


def delivered_at(session: Session, order: Order) -> datetime | None:
    """When the order was delivered: its column (set by fulfillment), else its history."""
    if order.delivered_at is not None:
        return order.delivered_at
    return next((h.created_at for h in reversed(orders.history_of(session, order.id))
                 if h.to_status == "DELIVERED"), None)


def return_deadline(session: Session, order: Order) -> datetime | None:
    """The last moment the buyer may ask for a return of this order (None: not delivered)."""
    if order.status not in RETURNABLE_ORDER_STATUSES:
        return None
    delivered = delivered_at(session, order)
    if delivered is None:
        return None
    return delivered + timedelta(days=market(order.market).return_days)


def _history(session: Session, request_id: int, from_status: str | None, to_status: str,
             event: str, actor: str, note: str = "", kind: str = "return") -> None:
    session.add(AftersalesHistory(id=new_id(), kind=kind, request_id=request_id,
                                  from_status=from_status, to_status=to_status, event=event,
                                  actor=actor, note=note[:1000], created_at=clock.now()))


def _emit_changed(session: Session, req: ReturnRequest, from_status: str | None,
                  to_status: str) -> None:
    events.emit(session, "aftersales.status_changed", {
        "request_id": str(req.id), "kind": "return", "order_id": str(req.order_id),
        "shop_id": str(req.shop_id), "from": from_status, "to": to_status})


def _emit_closed(session: Session, req: ReturnRequest, outcome: str) -> None:
    events.emit(session, "aftersales.closed", {
        "request_id": str(req.id), "order_id": str(req.order_id), "shop_id": str(req.shop_id),
        "outcome": outcome})


def lines_of(session: Session, return_ids: Sequence[int]) -> dict[int, list[ReturnLine]]:
    found: dict[int, list[ReturnLine]] = {rid: [] for rid in return_ids}
    if return_ids:
        for line in session.execute(select(ReturnLine).where(
                ReturnLine.return_id.in_(list(return_ids))).order_by(ReturnLine.id)).scalars():
            found[line.return_id].append(line)
    return found


def history_of(session: Session, request_id: int, kind: str = "return") -> list[AftersalesHistory]:
    return list(session.execute(select(AftersalesHistory).where(
        AftersalesHistory.kind == kind, AftersalesHistory.request_id == request_id)
        .order_by(AftersalesHistory.id)).scalars())


def get(session: Session, return_id: int) -> ReturnRequest:
    req = session.get(ReturnRequest, return_id, populate_existing=True)
    if req is None:
        raise NotFound("No such return.")
    return req


def buyer_return(session: Session, buyer_user_id: int, return_id: int) -> ReturnRequest:
    req = get(session, return_id)
    if req.buyer_user_id != buyer_user_id:
        raise NotFound("No such return.")
    return req


def shop_return(session: Session, shop_id: int, return_id: int) -> ReturnRequest:
    req = get(session, return_id)
    if req.shop_id != shop_id:
        raise NotFound("No such return.")
    return req


def move(session: Session, return_id: int, target: str, *, actor: str, event: str,
         note: str = "", expected: frozenset[str] | None = None,
         where: Sequence[ColumnElement[bool]] = (), **changes: Any) -> ReturnRequest:
    """Move a request to ``target`` if the table allows it from its current status."""
    req = get(session, return_id)
    current = req.status
    if expected is not None and current not in expected:
        raise Conflict(f"The return is {current}; this is not possible any more.",
                       code="RETURN_STATE_CHANGED")
    if not transitions.can_move(current, target):
        raise Conflict(f"A return cannot go from {current} to {target}.",
                       code="INVALID_TRANSITION")
    now = clock.now()
    moved = session.execute(
        update(ReturnRequest).where(ReturnRequest.id == return_id,
                                    ReturnRequest.status == current, *where)
        .values(status=target, updated_at=now, **changes).returning(ReturnRequest.id)
        .execution_options(synchronize_session=False)).first()
    if moved is None:
        raise Conflict("The return changed at the same time; try again.",
                       code="RETURN_STATE_CHANGED")
    _history(session, return_id, current, target, event, actor, note)
    session.flush()
    session.refresh(req)
    _emit_changed(session, req, current, target)
    if target == CANCEL:
        _close(session, req, "cancelled")
    return req


def _close(session: Session, req: ReturnRequest, outcome: str) -> None:
    """The request ends: its units are free again, unless they were refunded or have
    already been sent back to the seller."""
    session.execute(update(ReturnRequest).where(ReturnRequest.id == req.id,
                                                ReturnRequest.closed_at.is_(None))
                    .values(closed_at=clock.now(), outcome=outcome, due_at=None)
                    .execution_options(synchronize_session=False))
    if outcome != "refunded" and req.return_shipment_id is None:
        claims.release(session, lines_of(session, [req.id])[req.id])
    session.flush()
    session.refresh(req)
    _emit_closed(session, req, outcome)


def refund_key(return_id: int) -> str:
    return f"return:{return_id}:refund"


def _schedule_refund(session: Session, req: ReturnRequest) -> None:
    if req.refund_total_minor > 0:
        refunds.schedule(session, checkout_id=req.checkout_id, order_id=req.order_id,
                         amount=Money(req.refund_total_minor, req.currency),
                         key=refund_key(req.id), reason=f"return {req.id} of order {req.order_id}")


def request_return(session: Session, *, buyer_user_id: int, order_id: int, return_type: str,
                   lines: Sequence[tuple[int, int]], reason: str, note: str = "",
                   photos: Sequence[str] = ()) -> ReturnRequest:
    """A buyer asks for a refund (REFUND) or a return and refund, within the return window."""
    if return_type not in RETURN_TYPES:
        raise ValidationFailed("type is REFUND_ONLY or RETURN_AND_REFUND.", field="type")
    reason = buyer_reason(reason, return_type)
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(f"Attach at most {MAX_PHOTOS} photos.", field="photos")
    wanted: dict[int, int] = {}
    for line_id, count in lines:
        if count < 1:
            raise ValidationFailed("Each quantity is at least 1.", field="lines")
        wanted[line_id] = wanted.get(line_id, 0) + count
    if not wanted or len(wanted) > MAX_LINES:
        raise ValidationFailed(f"Choose 1 to {MAX_LINES} lines to return.", field="lines")
    order = orders.buyer_order(session, buyer_user_id, order_id)
    deadline = return_deadline(session, order)
    now = clock.now()
    if deadline is None:
        raise Conflict("Returns open once the order is delivered.", code="ORDER_NOT_DELIVERED")
    if now > deadline:
        raise Conflict(f"The return window of this order closed on {deadline:%d %b %Y}.",
                       code="RETURN_WINDOW_CLOSED")
    order_lines = orders.lines_of(session, [order.id])[order.id]
    by_id = {line.id: line for line in order_lines}
    for line_id, count in wanted.items():
        if line_id not in by_id:
            raise ValidationFailed("A line_id is not a line of this order.", field="lines")
        if count > by_id[line_id].quantity:
            raise ValidationFailed(f"“{by_id[line_id].title}” has {by_id[line_id].quantity} "
                                   "units in this order.", field="lines")
    req = ReturnRequest(
        id=new_id(), order_id=order.id, checkout_id=order.checkout_id, shop_id=order.shop_id,
        buyer_user_id=buyer_user_id, market=order.market, currency=order.currency,
        return_type=return_type, status=PENDING, reason=reason, note=note.strip()[:1000],
        photos=list(photos), refund_total_minor=0, refund_subtotal_minor=0,
        refund_shipping_minor=0, refund_tax_minor=0, restocked=False,
        due_at=now + rule_hours("seller_return_response_hours"), created_at=now,
        updated_at=now)
    session.add(req)
    session.flush()
    step = claims.step_of(order.market, order.currency)
    total = subtotal = tax = 0
    for line_id in sorted(wanted):
        line, count = by_id[line_id], wanted[line_id]
        before = claims.claim(session, line, count)
        line_total = claims.slice_of(line.total_minor, line.quantity, before, count, step)
        line_tax = claims.slice_of(line.tax_minor, line.quantity, before, count, 1)
        line_sub = line_total - line_tax if order.tax_mode == "exclusive" else line_total
        session.add(ReturnLine(id=new_id(), return_id=req.id, order_line_id=line.id,
                               sku_id=line.sku_id, product_id=line.product_id, title=line.title,
                               seller_sku=line.seller_sku, quantity=count,
                               refund_total_minor=line_total, refund_subtotal_minor=line_sub,
                               refund_tax_minor=line_tax))
        total, subtotal, tax = total + line_total, subtotal + line_sub, tax + line_tax
    shipping = order.shipping_minor if claims.fully_claimed(session, order_lines) else 0
    req.refund_total_minor = total + shipping
    req.refund_subtotal_minor = subtotal
    req.refund_shipping_minor = shipping
    req.refund_tax_minor = tax
    _history(session, req.id, None, PENDING, "REQUESTED", "buyer", req.note)
    session.flush()
    events.emit(session, "aftersales.opened", {
        "request_id": str(req.id), "order_id": str(order.id), "shop_id": str(order.shop_id),
        "type": return_type, "buyer_user_id": str(buyer_user_id)})
    _emit_changed(session, req, None, PENDING)
    return req


def _approve(session: Session, req: ReturnRequest, *, actor: str, event: str, note: str,
             expected: frozenset[str], where: Sequence[ColumnElement[bool]] = (),
             **changes: Any) -> ReturnRequest:
    if req.return_type == "REFUND":
        moved = move(session, req.id, SUCCESS, actor=actor, event=event, note=note,
                     expected=expected, where=where, due_at=None, **changes)
        _schedule_refund(session, moved)
        return moved
    return move(session, req.id, AWAITING_BUYER_SHIP, actor=actor, event=event, note=note,
                expected=expected, where=where,
                due_at=clock.now() + rule_days("buyer_return_ship_days"), **changes)


def approve(session: Session, shop_id: int, return_id: int, *, actor: str) -> ReturnRequest:
    """The seller accepts: a refund is paid at once; a return waits for the item."""
    req = shop_return(session, shop_id, return_id)
    return _approve(session, req, actor=actor, event="SELLER_APPROVED", note="",
                    expected=frozenset({PENDING}))


def reject(session: Session, shop_id: int, return_id: int, *, actor: str, reason: str,
           comment: str = "") -> ReturnRequest:
    """The seller refuses; the buyer may escalate to the operator within the window."""
    reason = seller_reason(reason, SELLER_REJECT_REASONS)
    req = shop_return(session, shop_id, return_id)
    return move(session, req.id, transitions.REJECT, actor=actor, event="SELLER_REJECTED",
                note=comment.strip() or SELLER_REJECT_REASONS[reason],
                expected=frozenset({PENDING}), reject_reason=reason,
                reject_comment=comment.strip()[:1000] or None,
                due_at=clock.now() + rule_hours("buyer_escalation_hours"))


def cancel(session: Session, buyer_user_id: int, return_id: int) -> ReturnRequest:
    """The buyer withdraws the request before the item is on its way back."""
    req = buyer_return(session, buyer_user_id, return_id)
    return move(session, req.id, CANCEL, actor="buyer", event="BUYER_CANCELLED",
                expected=transitions.BUYER_CANCELLABLE)


def escalate(session: Session, buyer_user_id: int, return_id: int, note: str) -> ReturnRequest:
    """The buyer asks the operator to decide on a rejection, within buyer_escalation_hours."""
    req = buyer_return(session, buyer_user_id, return_id)
    if req.status not in REJECTED or req.closed_at is not None:
        raise Conflict("Only a rejected, open return can be escalated.",
                       code="RETURN_STATE_CHANGED")
    if req.arbitration_status is not None:
        raise Conflict("This return is already with the operator.", code="ALREADY_ESCALATED")
    now = clock.now()
    if req.due_at is not None and now > req.due_at:
        raise Conflict("The time to escalate this rejection has passed.",
                       code="ESCALATION_WINDOW_CLOSED")
    done = session.execute(
        update(ReturnRequest).where(ReturnRequest.id == req.id, ReturnRequest.status == req.status,
                                    ReturnRequest.arbitration_status.is_(None),
                                    ReturnRequest.closed_at.is_(None))
        .values(arbitration_status="IN_PROGRESS", escalation_note=note.strip()[:1000] or None,
                due_at=None, updated_at=now)
        .returning(ReturnRequest.id).execution_options(synchronize_session=False)).first()
    if done is None:
        raise Conflict("The return changed at the same time; try again.",
                       code="RETURN_STATE_CHANGED")
    _history(session, req.id, req.status, req.status, "BUYER_ESCALATED", "buyer", note)
    session.flush()
    session.refresh(req)
    events.emit(session, "aftersales.escalated", {
        "request_id": str(req.id), "order_id": str(req.order_id), "shop_id": str(req.shop_id)})
    return req


def arbitrate(session: Session, return_id: int, *, operator_id: int, decision: str,
              note: str = "") -> ReturnRequest:
    """The operator decides an escalated rejection for the buyer or for the seller."""
    if decision not in ("SUPPORT_BUYER", "SUPPORT_SELLER"):
        raise ValidationFailed("decision is SUPPORT_BUYER or SUPPORT_SELLER.", field="decision")
    req = get(session, return_id)
    if req.arbitration_status != "IN_PROGRESS":
        raise Conflict("This return is not waiting for an operator.", code="NOT_ESCALATED")
    actor, note = f"operator:{operator_id}", note.strip()[:1000]
    guard = [ReturnRequest.arbitration_status == "IN_PROGRESS"]
    if decision == "SUPPORT_BUYER":
        changes = {"arbitration_status": decision, "arbitration_note": note or None}
        if req.status == transitions.REJECT_RECEIVE_PACKAGE:
            moved = move(session, req.id, SUCCESS, actor=actor, event="OPERATOR_SUPPORTED_BUYER",
                         note=note, expected=frozenset({req.status}), where=guard, due_at=None,
                         **changes)
            _schedule_refund(session, moved)
            return moved
        return _approve(session, req, actor=actor, event="OPERATOR_SUPPORTED_BUYER", note=note,
                        expected=frozenset({req.status}), where=guard, **changes)
    done = session.execute(
        update(ReturnRequest).where(ReturnRequest.id == req.id, *guard)
        .values(arbitration_status=decision, arbitration_note=note or None,
                updated_at=clock.now())
        .returning(ReturnRequest.id).execution_options(synchronize_session=False)).first()
    if done is None:
        raise Conflict("The return changed at the same time; try again.",
                       code="RETURN_STATE_CHANGED")
    _history(session, req.id, req.status, req.status, "OPERATOR_SUPPORTED_SELLER", actor, note)
    _close(session, req, "rejected")
    return req


def close_rejected(session: Session, return_id: int) -> ReturnRequest:
    """A rejection the buyer did not escalate in time stands for good."""
    req = get(session, return_id)
    if req.status not in REJECTED or req.arbitration_status is not None or req.closed_at:
        raise Conflict("This return is not an unescalated rejection.",
                       code="RETURN_STATE_CHANGED")
    _history(session, req.id, req.status, req.status, "ESCALATION_WINDOW_ENDED", "system")
    _close(session, req, "rejected")
    return req


def complete(session: Session, return_id: int) -> ReturnRequest:
    """The refund was paid: SUCCESS -> COMPLETE, and the request ends."""
    req = move(session, return_id, transitions.COMPLETE, actor="system", event="REFUND_PAID",
               expected=frozenset({SUCCESS}))
    _close(session, req, "refunded")
    return req

