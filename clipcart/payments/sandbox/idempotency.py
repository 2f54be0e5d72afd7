"""Idempotent POSTs: the first answer under a key is stored and replayed for every retry.

The key row is inserted in the same transaction as the work it guards. A concurrent retry
blocks on that insert until the first transaction ends, then fails on the primary key and
replays the stored answer, so eight simultaneous retries still create one payment. A body
that differs from the first one under the same key is refused with 422.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.db import Database
from clipcart.errors import DomainError, ValidationFailed
from clipcart.payments.sandbox.models import PspIdempotencyKey, PspMerchant

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: dict[str, Any]
    replayed: bool = False


class UnknownMerchant(Exception):
    """The authenticated merchant's row is gone: authenticate again."""


class KeyReused(DomainError):
    status = 422
    code = "IDEMPOTENCY_KEY_REUSED"
    title = "Idempotency key reused"


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def _check_key(key: str | None) -> str:
    key = (key or "").strip()
    if not key:
        raise ValidationFailed("Send an Idempotency-Key header with every POST.",
                               field="Idempotency-Key", code="IDEMPOTENCY_KEY_REQUIRED")
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed("Idempotency keys are at most 255 printable characters.",
                               field="Idempotency-Key", code="IDEMPOTENCY_KEY_INVALID")
    return key


def _stored(session: Session, merchant_id: int, key: str, print_: str) -> Answer | None:
    row = session.get(PspIdempotencyKey, (merchant_id, key))
    if row is None:
        return None
    if row.fingerprint != print_:
        raise KeyReused("This Idempotency-Key was used with a different request; "
                        "use a new key for a new request.")
    return Answer(row.status_code, dict(row.response), replayed=True)


def run(db: Database, merchant_id: int, key: str | None, print_: str,
        work: Callable[[Session, PspMerchant], Answer]) -> Answer:
    """Do ``work`` once per (merchant, key); every retry gets the first answer."""
    key = _check_key(key)
    try:
        with db.transaction() as session:
            merchant = session.get(PspMerchant, merchant_id)
            if merchant is None:  # a remembered merchant that is gone (emptied database)
                raise UnknownMerchant()
            stored = _stored(session, merchant_id, key, print_)
            if stored is not None:
                return stored
            row = PspIdempotencyKey(merchant_id=merchant_id, key=key, fingerprint=print_,
                                    status_code=0, response={}, created_at=clock.now())
            session.add(row)
            session.flush()  # a concurrent first request holds this key until it ends
            answer = work(session, merchant)
            row.status_code, row.response = answer.status_code, answer.body
            return answer
    except IntegrityError:
        with db.sessions() as session:
            stored = _stored(session, merchant_id, key, print_)
        if stored is None:  # the first request failed and rolled back: nothing to replay
            raise
        return stored
