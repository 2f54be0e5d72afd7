"""Outbound webhooks: subscriptions per (app, shop, event type), a delivery row per
(notification, subscription), signed POSTs retried 2 min, 30 min, 3 h and 12 h after
failures, and the delivery log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.aftercommit import after_commit
from clipcart.catalog.paging import Page, decode_token, encode_token, page_size_of
from clipcart.db import Database
from clipcart.ids import new_id
from clipcart.openplatform import apps, grants, signing
from clipcart.openplatform.models import OpenApp, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)
EVENT_TYPES = {"ORDER_STATUS_CHANGE": 1, "RECIPIENT_ADDRESS_UPDATE": 3, "PACKAGE_UPDATE": 4,
               "PRODUCT_STATUS_CHANGE": 5, "SELLER_DEAUTHORIZATION": 6,
               "UPCOMING_AUTHORIZATION_EXPIRATION": 7, "CANCELLATION_STATUS_CHANGE": 11,
               "RETURN_STATUS_CHANGE": 12, "PRODUCT_INFORMATION_CHANGE": 15,
               "PRODUCT_CREATION": 16, "PRODUCT_CATEGORY_CHANGE": 18,
               "PRODUCT_AUDIT_STATUS_CHANGE": 37}
BACKOFF = (timedelta(minutes=2), timedelta(minutes=30), timedelta(hours=3), timedelta(hours=12))
LEASE = timedelta(seconds=60)
TIMEOUT_SECONDS = 10.0

_client_override: httpx.Client | None = None


@contextmanager
def use_http_client(client: httpx.Client | None) -> Iterator[None]:
    """Send webhooks through this client (tests pass one with a mock transport)."""
    global _client_override
    previous, _client_override = _client_override, client
    try:
        yield
    finally:
        _client_override = previous


def clean_address(address: str) -> str:
    parts = urlsplit(address.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or len(address) > 500:
        raise ValueError("address must be an http(s) URL")
    return address.strip()


def subscriptions(session: Session, app_id: int, shop_id: int) -> list[WebhookSubscription]:
    return list(session.execute(select(WebhookSubscription).where(
        WebhookSubscription.app_id == app_id, WebhookSubscription.shop_id == shop_id)
        .order_by(WebhookSubscription.event_type)).scalars())


def subscribe(session: Session, app_id: int, shop_id: int, event_type: str,
              address: str) -> WebhookSubscription:
    now = clock.now()
    found = session.execute(select(WebhookSubscription).where(
        WebhookSubscription.app_id == app_id, WebhookSubscription.shop_id == shop_id,
        WebhookSubscription.event_type == event_type).with_for_update()).scalar_one_or_none()
    if found is not None:
        found.address, found.updated_at = address, now
        return found
    row = WebhookSubscription(id=new_id(), app_id=app_id, shop_id=shop_id,
                              event_type=event_type, address=address, created_at=now,
                              updated_at=now)
    session.add(row)
    session.flush()
    return row


def unsubscribe(session: Session, app_id: int, shop_id: int, event_type: str) -> bool:
    found = session.execute(select(WebhookSubscription).where(
        WebhookSubscription.app_id == app_id, WebhookSubscription.shop_id == shop_id,
        WebhookSubscription.event_type == event_type)).scalar_one_or_none()
    if found is None:
        return False
    session.delete(found)
    return True


def enqueue(session: Session, *, notification_id: str, shop_id: int, event_type: str,
            data: dict[str, Any], revoked_app_id: int | None = None) -> int:
    """A delivery for every subscription of a live grant; a repeat adds nothing.

    ``revoked_app_id`` names the one app told that its grant just ended.
    """
    now = clock.now()
    count = 0
    query = select(WebhookSubscription).where(WebhookSubscription.shop_id == shop_id,
                                              WebhookSubscription.event_type == event_type)
    if revoked_app_id is not None:
        query = query.where(WebhookSubscription.app_id == revoked_app_id)
    for sub in session.execute(query).scalars().all():
        if revoked_app_id is None and grants.live_grant(session, sub.app_id, shop_id) is None:
            continue
        exists = session.execute(select(WebhookDelivery.id).where(
            WebhookDelivery.notification_id == notification_id,
            WebhookDelivery.subscription_id == sub.id)).first()
        if exists is not None:
            continue
        body = json.dumps({"type": EVENT_TYPES[event_type], "tts_notification_id":
                           notification_id, "shop_id": str(shop_id),
                           "timestamp": int(now.timestamp()), "data": data},
                          separators=(",", ":"), ensure_ascii=False)
        session.add(WebhookDelivery(
            id=new_id(), notification_id=notification_id, subscription_id=sub.id,
            app_id=sub.app_id, shop_id=shop_id, event_type=event_type, address=sub.address,
            body=body, status="PENDING", attempts=0, next_attempt_at=now, created_at=now))
        count += 1
    if count:
        after_commit(session, _send_soon, key="openplatform-webhooks")
    return count


def _send_soon() -> None:
    from clipcart.openplatform.jobs import send_webhooks  # the job module imports this one

    send_webhooks()


def _claim(db: Database, limit: int) -> list[int]:
    """Due deliveries, each leased by a conditional UPDATE so one sender sends it."""
    now = clock.now()
    claimed = []
    with db.transaction() as session:
        due = session.execute(select(WebhookDelivery.id, WebhookDelivery.next_attempt_at).where(
            WebhookDelivery.status == "PENDING", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)).all()
        for delivery_id, at in due:
            won = session.execute(update(WebhookDelivery).where(
                WebhookDelivery.id == delivery_id, WebhookDelivery.status == "PENDING",
                WebhookDelivery.next_attempt_at == at)
                .values(next_attempt_at=now + LEASE).returning(WebhookDelivery.id)).first()
            if won is not None:
                claimed.append(delivery_id)
    return claimed


def _send(client: httpx.Client, app: OpenApp, delivery: WebhookDelivery) -> tuple[int | None,
                                                                                    str]:
    body = delivery.body.encode("utf-8")
    signature = signing.webhook_signature(app.app_key, apps.secret_of(app), body)
    try:
        answer = client.post(delivery.address, content=body, headers={
            "Content-Type": "application/json", "Authorization": signature,
            "User-Agent": "clipcart-webhooks/1"})
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    return answer.status_code, "" if 200 <= answer.status_code < 300 else answer.text[:500]


def deliver_due(db: Database, limit: int = 100) -> int:
    """Send what is due; returns how many were delivered."""
    delivered = 0
    client = _client_override or httpx.Client(timeout=TIMEOUT_SECONDS)
    try:
        for delivery_id in _claim(db, limit):
            with db.sessions() as session:
                delivery = session.get(WebhookDelivery, delivery_id)
                app = session.get(OpenApp, delivery.app_id) if delivery else None
                if delivery is None or app is None:
                    continue
                status, error = _send(client, app, delivery)
            with db.transaction() as session:
                row = session.get(WebhookDelivery, delivery_id)
                if row is None:
                    continue
                row.attempts += 1
                row.last_status_code, row.last_error = status, error or None
                if status is not None and 200 <= status < 300:
                    row.status, row.delivered_at, row.next_attempt_at = \
                        "DELIVERED", clock.now(), None
                    delivered += 1
                elif row.attempts > len(BACKOFF):
                    row.status, row.next_attempt_at = "FAILED", None
                else:
                    row.next_attempt_at = clock.now() + BACKOFF[row.attempts - 1]
    finally:
        if _client_override is None:
            client.close()
    return delivered


def deliveries_of_app(session: Session, app_id: int, page_token: str | None = None,
                      page_size: int | None = None) -> Page[WebhookDelivery]:
    """The app's delivery log, newest first, keyset paginated by delivery ID."""
    size, before = page_size_of(page_size), decode_token(page_token)
    query = select(WebhookDelivery).where(WebhookDelivery.app_id == app_id)
    if before is not None:
        query = query.where(WebhookDelivery.id < before)
    rows = list(session.execute(query.order_by(WebhookDelivery.id.desc()).limit(size + 1))
                .scalars())
    more = len(rows) > size
    return Page(rows[:size], encode_token(rows[size - 1].id) if more else None)


def subscriptions_of_app(session: Session, app_id: int) -> list[WebhookSubscription]:
    return list(session.execute(select(WebhookSubscription).where(
        WebhookSubscription.app_id == app_id).order_by(WebhookSubscription.shop_id,
                                                       WebhookSubscription.event_type)).scalars())


def health(session: Session, app_id: int | None = None) -> dict[int, dict[str, int]]:
    """Per app (or for one app): deliveries by status."""
    out: dict[int, dict[str, int]] = {}
    query = select(WebhookDelivery.app_id, WebhookDelivery.status, func.count())
    if app_id is not None:
        query = query.where(WebhookDelivery.app_id == app_id)
    rows = session.execute(query.group_by(WebhookDelivery.app_id, WebhookDelivery.status))
    for app_id, status, count in rows.all():
        out.setdefault(app_id, {"PENDING": 0, "DELIVERED": 0, "FAILED": 0})[status] = count
    return out
