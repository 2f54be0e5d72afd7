"""What the catalog does when its own events are handled: tell the shop owner."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clipcart.events import Event, handles
from clipcart.identity.service import notify
from clipcart.shops.service import get_shop


def _message(payload: dict[str, object]) -> tuple[str, str] | None:
    title = f"“{payload.get('title', '')}”"
    reasons = [str(r) for r in payload.get("reasons") or []]  # type: ignore[attr-defined]
    because = " ".join(reasons)
    old, new = payload.get("old_status"), payload.get("new_status")
    if new == "ACTIVATE" and old == "PENDING":
        return f"{title} is live", "It passed review; buyers see the new version now."
    if new == "FAILED":
        return f"{title} failed review", because or "Open it in Seller Center to see why."
    if new == "PENDING" and reasons:
        return (f"{title} is waiting for a manual review",
                f"Our team checks it before it goes live: {because}")
    if new == "PLATFORM_DEACTIVATED":
        return f"{title} was deactivated by clipcart", because
    return None


@handles("catalog.product_status_changed", name="catalog.notify_shop_owner")
def notify_audit_result(session: Session, event: Event) -> None:
    message = _message(event.payload)
    shop = get_shop(session, int(event.payload["shop_id"]))
    if message is None or shop is None:
        return
    notify(session, shop.owner_user_id, "catalog.audit", message[0][:200], message[1],
           source_event_id=event.id)
