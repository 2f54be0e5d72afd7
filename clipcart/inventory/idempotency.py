"""Idempotency keys for stock writes: a retry gets the first answer and changes nothing.

The key row is inserted before the work, in the same transaction: a concurrent retry with
the same key waits on the primary key until the first request commits, then replays its
answer. A failed request (an error answer) rolls back with its key, so it can be retried.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.errors import DomainError, ValidationFailed
from clipcart.inventory.models import InventoryIdempotencyKey


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    replayed: bool = False


def request_hash(body: Any) -> str:
    canonical = msgspec.json.encode(msgspec.to_builtins(body), order="sorted")
    return hashlib.sha256(canonical).hexdigest()


def _clean_key(key: str) -> str:
    if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        raise ValidationFailed("Idempotency-Key is 1 to 255 printable ASCII characters.",
                               field="Idempotency-Key")
    return key


def _replay(row: InventoryIdempotencyKey, digest: str) -> Answer:
    if row.request_hash != digest:
        raise DomainError("This Idempotency-Key was used with a different request body.",
                          status=422, code="IDEMPOTENCY_MISMATCH")
    return Answer(row.status_code, dict(row.response), replayed=True)


def _stored(session: Session, shop_id: int, key: str) -> InventoryIdempotencyKey | None:
    return session.execute(
        select(InventoryIdempotencyKey)
        .where(InventoryIdempotencyKey.shop_id == shop_id, InventoryIdempotencyKey.key == key)
        .execution_options(populate_existing=True)).scalar_one_or_none()


def once(session: Session, shop_id: int, key: str | None, body: Any,
         work: Callable[[], Answer]) -> Answer:
    """Run ``work`` once per (shop, key); without a key, just run it."""
    if key is None:
        return work()
    key, digest = _clean_key(key), request_hash(body)
    found = _stored(session, shop_id, key)
    if found is not None:
        return _replay(found, digest)
    row = InventoryIdempotencyKey(shop_id=shop_id, key=key, request_hash=digest, status_code=0,
                              response={}, created_at=clock.now())
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        found = _stored(session, shop_id, key)
        if found is None:
            raise
        return _replay(found, digest)
    answer = work()
    row.status_code, row.response = answer.status, answer.body
    session.flush()
    return answer
