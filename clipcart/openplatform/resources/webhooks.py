"""Webhook registration: GET, PUT and DELETE /event/{version}/webhooks, per app and shop."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from clipcart.openplatform import errors as E
from clipcart.openplatform import webhooks
from clipcart.openplatform.errors import OpenError
from clipcart.openplatform.gateway import Call, partner
from clipcart.openplatform.resources.common import unix

SCOPE = "seller.event.webhook"


def _event_type(body: dict[str, Any]) -> str:
    event_type = body.get("event_type")
    if event_type not in webhooks.EVENT_TYPES:
        raise OpenError(E.INVALID_PARAMETER, "event_type is one of "
                                             f"{', '.join(sorted(webhooks.EVENT_TYPES))}.")
    return str(event_type)


@partner("GET", "event", "webhooks", scope=SCOPE, summary="Get shop webhooks")
def get_webhooks(session: Session, call: Call) -> dict[str, Any]:
    rows = webhooks.subscriptions(session, call.app.id, call.shop_row.id)
    return {"webhooks": [{"event_type": r.event_type, "address": r.address,
                          "create_time": unix(r.created_at), "update_time": unix(r.updated_at)}
                         for r in rows], "total_count": len(rows)}


@partner("PUT", "event", "webhooks", scope=SCOPE, summary="Update a shop webhook")
def put_webhook(session: Session, call: Call) -> dict[str, Any]:
    body = call.json()
    event_type = _event_type(body)
    try:
        address = webhooks.clean_address(str(body.get("address", "")))
    except ValueError:
        raise OpenError(E.INVALID_PARAMETER, "address must be an http(s) URL.") from None
    webhooks.subscribe(session, call.app.id, call.shop_row.id, event_type, address)
    return {}


@partner("DELETE", "event", "webhooks", scope=SCOPE, summary="Delete a shop webhook")
def delete_webhook(session: Session, call: Call) -> dict[str, Any]:
    event_type = _event_type(call.json())
    if not webhooks.unsubscribe(session, call.app.id, call.shop_row.id, event_type):
        raise OpenError(E.NOT_FOUND, f"No webhook for {event_type}.")
    return {}


ROUTES = [get_webhooks, put_webhook, delete_webhook]
