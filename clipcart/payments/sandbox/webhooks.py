"""Signed webhooks from the provider to its merchants, delivered by huey with backoff.

An event row is written in the same transaction as the state change it reports; after the
commit a delivery task is enqueued, and a periodic sweep re-sends whatever is due (failed
attempts, or a kick lost in a crash). Every attempt is written to the delivery log. The
signature is Stripe-like: ``Sandbox-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import httpx
from huey import crontab
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.aftercommit import after_commit
from clipcart.db import Database, get_database
from clipcart.ids import new_id
from clipcart.jobs import huey
from clipcart.payments.sandbox.models import PspEvent, PspMerchant, PspWebhookDelivery

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Sandbox-Signature"
EVENT_ID_HEADER = "Sandbox-Event-Id"
BACKOFF = (timedelta(seconds=10), timedelta(seconds=30), timedelta(minutes=2),
           timedelta(minutes=10), timedelta(minutes=30), timedelta(hours=1),
           timedelta(hours=3), timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(seconds=60)  # one sender at a time per event
TIMEOUT_SECONDS = 10.0

_client_override: httpx.Client | None = None


@contextmanager
def use_http_client(client: httpx.Client | None) -> Iterator[None]:
    """Send webhooks through this client (tests pass a TestClient or a failing transport)."""
    global _client_override
    previous, _client_override = _client_override, client
    try:
        yield
    finally:
        _client_override = previous


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def record_event(session: Session, merchant_id: int, payment_id: int, event_type: str,
                 data: dict[str, Any]) -> PspEvent:
    now = clock.now()
    event_id = new_id()
    body = {"id": f"evt_{event_id}", "object": "event", "type": event_type,
            "created": int(now.timestamp()), "created_at": now.isoformat(), "data": data}
    row = PspEvent(id=event_id, merchant_id=merchant_id, type=event_type,
                   payment_id=payment_id, body=json.dumps(body, separators=(",", ":")),
                   created_at=now, attempts=0, next_attempt_at=now)
    session.add(row)
    after_commit(session, partial(_send_now, event_id))
    return row


def _claim(db: Database, event_id: int) -> tuple[str, str, bytes, int] | None:
    """Lease a due event for sending; None when delivered, given up or leased elsewhere."""
    now = clock.now()
    with db.transaction() as session:
        claimed = session.execute(
            update(PspEvent)
            .where(PspEvent.id == event_id, PspEvent.delivered_at.is_(None),
                   PspEvent.next_attempt_at.is_not(None), PspEvent.next_attempt_at <= now)
            .values(next_attempt_at=now + LEASE).returning(PspEvent.id)
        ).scalar_one_or_none()
        if claimed is None:
            return None
        event = session.get(PspEvent, event_id)
        assert event is not None
        merchant = session.get(PspMerchant, event.merchant_id)
        assert merchant is not None
        return merchant.webhook_url, merchant.webhook_secret, event.body.encode(), event.attempts


def _post(url: str, secret: str, body: bytes, event_id: int) -> tuple[int | None, str | None]:
    headers = {"content-type": "application/json", EVENT_ID_HEADER: f"evt_{event_id}",
               SIGNATURE_HEADER: sign(secret, int(clock.now().timestamp()), body),
               "user-agent": "sandbox-psp-webhooks/1"}
    client = _client_override or _shared_client()
    try:
        response = client.post(url, content=body, headers=headers)
        if 200 <= response.status_code < 300:
            return response.status_code, None
        return response.status_code, response.text[:500]
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]


_shared: httpx.Client | None = None
_shared_lock = threading.Lock()


def _shared_client() -> httpx.Client:
    """One pooled client per process: deliveries reuse keep-alive connections."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = httpx.Client(timeout=TIMEOUT_SECONDS)
        return _shared


def deliver(db: Database, event_id: int) -> bool:
    """Send one event once (no transaction is open during the HTTP call). True if delivered."""
    claim = _claim(db, event_id)
    if claim is None:
        return False
    url, secret, body, attempts = claim
    started = time.monotonic()
    status, error = _post(url, secret, body, event_id)
    elapsed = int((time.monotonic() - started) * 1000)
    ok = error is None
    attempt = attempts + 1
    now = clock.now()
    retry_in = BACKOFF[attempt - 1] if not ok and attempt < MAX_ATTEMPTS else None
    with db.transaction() as session:
        session.add(PspWebhookDelivery(id=new_id(), event_id=event_id, attempt=attempt,
                                       url=url, status_code=status, error=error,
                                       duration_ms=elapsed, created_at=now))
        event = session.get(PspEvent, event_id)
        assert event is not None
        event.attempts = attempt
        event.delivered_at = now if ok else None
        event.next_attempt_at = now + retry_in if retry_in is not None else None
    if retry_in is not None:
        log.warning("webhook evt_%s attempt %s failed (%s); retrying in %s", event_id, attempt,
                    status or error, retry_in)
        _schedule(event_id, retry_in)
    elif not ok:
        log.error("webhook evt_%s given up after %s attempts", event_id, attempt)
    return ok


def due_events(db: Database, now: datetime, limit: int = 100) -> list[int]:
    with db.sessions() as session:
        return list(session.execute(
            select(PspEvent.id)
            .where(PspEvent.delivered_at.is_(None), PspEvent.next_attempt_at.is_not(None),
                   PspEvent.next_attempt_at <= now)
            .order_by(PspEvent.id).limit(limit)
        ).scalars())


def sweep(db: Database, limit: int = 100) -> int:
    """Deliver every due event; returns how many were delivered."""
    return sum(deliver(db, event_id) for event_id in due_events(db, clock.now(), limit))


@huey.task()
def deliver_webhook(event_id: int) -> bool:
    return deliver(get_database(), event_id)


@huey.periodic_task(crontab(minute="*"))
def sweep_webhooks() -> int:
    return sweep(get_database())


def _schedule(event_id: int, delay: timedelta) -> None:
    try:
        deliver_webhook.schedule(args=(event_id,), delay=int(delay.total_seconds()))
    except Exception:  # the periodic sweep sends it when due
        log.exception("could not schedule webhook evt_%s", event_id)


def _send_now(event_id: int) -> None:
    deliver_webhook(event_id)  # enqueued; inline when jobs run in-process (the sweep repairs)
