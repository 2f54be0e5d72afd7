"""Stored first answers for client writes that carry an ``Idempotency-Key``.

``claim`` inserts the key in the caller's transaction before the work starts. On
PostgreSQL a concurrent retry with the same key blocks on the unique index until the first
transaction ends, then finds the stored answer; on SQLite writers are serialized already.
The answer is saved with ``remember`` in the same transaction as the work, so a crash leaves
neither the effect nor the key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, bindparam, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from clipcart import clock
from clipcart.db import Base, UtcDateTime, built_once, upsert_for
from clipcart.errors import DomainError, ValidationFailed

MAX_KEY_LENGTH = 255


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: dict[str, Any]


class IdempotencyMismatch(DomainError):
    status = 422
    code = "IDEMPOTENCY_MISMATCH"
    title = "Idempotency key reused"


def request_hash(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable "
                               "characters.", field="Idempotency-Key")
    return key


def _claim_key(dialect: str) -> Any:
    return upsert_for(dialect, IdempotencyRecord.__table__).values(
        scope=bindparam("scope"), key=bindparam("key"), request_hash=bindparam("request_hash"),
        created_at=bindparam("created_at", type_=IdempotencyRecord.created_at.type),
    ).on_conflict_do_nothing(index_elements=["scope", "key"]).returning(
        IdempotencyRecord.__table__.c.scope)


def claim(session: Session, scope: str, key: str, payload: Any) -> StoredAnswer | None:
    """Reserve the key for this request; the stored answer when it was already served.

    Raises IdempotencyMismatch when the key was used with a different request.
    """
    digest = request_hash(payload)
    won = session.execute(built_once(session, _claim_key), {
        "scope": scope, "key": key, "request_hash": digest, "created_at": clock.now()}).first()
    if won is not None:
        return None
    # the key was there already, or a concurrent request with it committed first
    existing = session.get(IdempotencyRecord, (scope, key), populate_existing=True)
    if existing is None:
        raise DomainError("The first request with this Idempotency-Key is still running.",
                          status=409, code="IDEMPOTENCY_IN_PROGRESS")
    if existing.request_hash != digest:
        raise IdempotencyMismatch("This Idempotency-Key was already used with a different "
                                  "request body.")
    if existing.status_code is None or existing.response is None:
        raise DomainError("The first request with this Idempotency-Key is still running.",
                          status=409, code="IDEMPOTENCY_IN_PROGRESS")
    return StoredAnswer(existing.status_code, existing.response)


def remember(session: Session, scope: str, key: str, status_code: int,
             body: dict[str, Any]) -> None:
    stored = session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
        .values(status_code=status_code, response=body)
        .returning(IdempotencyRecord.scope)
        .execution_options(synchronize_session=False)).first()
    if stored is None:
        raise RuntimeError("remember() without claim()")
