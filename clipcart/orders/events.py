"""Orders' reactions: carrier scans move packages; an order ready to ship gets its first
package; a cancelled order's packages are cancelled."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clipcart import events
from clipcart.events import Event
from clipcart.orders import fulfillment
from clipcart.orders.packages import ensure_packages


@events.handles("carriers.tracking", name="orders.package_tracking")
def package_tracking(session: Session, event: Event) -> None:
    fulfillment.apply_tracking(session, event.payload)


@events.handles("orders.status_changed", name="orders.packages_follow_order")
def packages_follow_order(session: Session, event: Event) -> None:
    order_id = int(event.payload["order_id"])
    if event.payload["to"] == "AWAITING_SHIPMENT":
        ensure_packages(session, order_id)
    elif event.payload["to"] == "CANCELLED":
        fulfillment.cancel_packages(session, order_id)
