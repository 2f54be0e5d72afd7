"""Finance's reactions: paid and delivered orders, after-sales requests opened and closed.

Handlers run once per (event, handler) through the outbox and are idempotent besides:
delivery is recorded once, requests are keyed by their request id.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from clipcart import events
from clipcart.events import Event
from clipcart.finance import settlement
from clipcart.ids import parse_id

PAID_FROM_UNPAID = frozenset({"ON_HOLD", "AWAITING_SHIPMENT"})


def _order_id(event: Event) -> int | None:
    return parse_id(str(event.payload.get("order_id", "")))


@events.handles("orders.status_changed", name="finance.track_order")
def on_order_status(session: Session, event: Event) -> None:
    order_id = _order_id(event)
    if order_id is None:
        return
    target = event.payload.get("to")
    if target == "DELIVERED":
        settlement.record_delivery(session, order_id, event.created_at)
    elif target in PAID_FROM_UNPAID and event.payload.get("from") == "UNPAID":
        settlement.lock_row(session, order_id)  # its money is in escrow: pending


def _request(event: Event) -> tuple[str, int] | None:
    request_id = str(event.payload.get("request_id", ""))[:40]
    order_id = _order_id(event)
    if not request_id or order_id is None:
        return None
    return request_id, order_id


@events.handles("aftersales.opened", name="finance.block_settlement")
def on_request_opened(session: Session, event: Event) -> None:
    found = _request(event)
    if found is not None:
        settlement.open_request(session, request_id=found[0], order_id=found[1],
                                kind=str(event.payload.get("type", "")))


@events.handles("aftersales.closed", name="finance.unblock_settlement")
def on_request_closed(session: Session, event: Event) -> None:
    found = _request(event)
    if found is not None:
        settlement.close_request(session, request_id=found[0], order_id=found[1],
                                 outcome=str(event.payload.get("outcome", "")))
