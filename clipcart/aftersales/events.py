"""After-sales' reactions: paid orders cancelled, return parcels delivered by the carrier.

Each handler is safe to run twice for the same fact (a redelivered event): the records it
writes are unique per order or guarded by a status, so the second run changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.aftersales import cancellations, receipts
from clipcart.aftersales.models import ReturnRequest
from clipcart.events import Event
from clipcart.ids import parse_id


@events.handles("orders.status_changed", name="aftersales.record_cancellation")
def on_order_cancelled(session: Session, event: Event) -> None:
    if event.payload.get("to") != "CANCELLED":
        return
    order_id = parse_id(str(event.payload.get("order_id")))
    if order_id is not None:
        cancellations.record(session, order_id, str(event.payload.get("from")))


def _at(raw: object) -> datetime:
    try:
        value = datetime.fromisoformat(str(raw))
    except ValueError:
        return clock.now()
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@events.handles("carriers.tracking", name="aftersales.return_tracking")
def on_return_tracking(session: Session, event: Event) -> None:
    """A return parcel delivered to the seller starts the seller's receipt timer."""
    reference = str(event.payload.get("reference") or "")
    if event.payload.get("purpose") != "return" or not reference.startswith("return:"):
        return
    return_id = parse_id(reference.removeprefix("return:"))
    if return_id is None or session.get(ReturnRequest, return_id) is None:
        return
    if event.payload.get("status") == "DELIVERED":
        receipts.return_delivered(session, return_id, _at(event.payload.get("at")))
