"""Outbox handlers: order and product events become webhook deliveries."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clipcart.events import Event, handles
from clipcart.openplatform import webhooks

AUDIT = {"ACTIVATE": "APPROVED", "FAILED": "FAILED", "PENDING": "AUDITING"}


@handles("orders.status_changed", name="openplatform.order_webhooks")
def order_status_changed(session: Session, event: Event) -> None:
    p = event.payload
    webhooks.enqueue(session, notification_id=str(event.id), shop_id=int(p["shop_id"]),
                     event_type="ORDER_STATUS_CHANGE",
                     data={"order_id": str(p["order_id"]), "order_status": p["to"],
                           "is_on_hold_order": p["to"] == "ON_HOLD",
                           "update_time": int(event.created_at.timestamp())})


@handles("catalog.product_status_changed", name="openplatform.product_webhooks")
def product_status_changed(session: Session, event: Event) -> None:
    p = event.payload
    shop_id, product_id = int(p["shop_id"]), int(p["product_id"])
    when = int(event.created_at.timestamp())
    reasons = [str(r) for r in p.get("reasons") or []]
    webhooks.enqueue(session, notification_id=str(event.id), shop_id=shop_id,
                     event_type="PRODUCT_STATUS_CHANGE",
                     data={"product_id": product_id, "status": p["new_status"],
                           "suspended_reason": " ".join(reasons), "update_time": when})
    audit = AUDIT.get(str(p["new_status"]))
    came_from_audit = p["new_status"] in ("FAILED", "PENDING") or p.get("old_status") == "PENDING"
    if audit is not None and came_from_audit:
        webhooks.enqueue(session, notification_id=f"{event.id}-audit", shop_id=shop_id,
                         event_type="PRODUCT_AUDIT_STATUS_CHANGE",
                         data={"product_id": product_id,
                               "audit": {"status": audit, "pre_approved_reasons": []},
                               "update_time": when})


@handles("openplatform.grant_revoked", name="openplatform.deauthorization_webhook")
def grant_revoked(session: Session, event: Event) -> None:
    p = event.payload
    webhooks.enqueue(session, notification_id=str(event.id), shop_id=int(p["shop_id"]),
                     event_type="SELLER_DEAUTHORIZATION", revoked_app_id=int(p["app_id"]),
                     data={"message": "The seller revoked this app's authorization."})
