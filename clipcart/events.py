"""Transactional outbox: domain events written with the change, handled exactly once.

``emit`` adds an event row inside the caller's transaction, so the event exists if and only
if the change committed. ``drain`` runs each registered handler for each event in its own
transaction that also records ``(event id, handler)`` in ``event_handlings``: the handler's
writes and that record commit together or not at all, so a crash or a retry never runs a
handler's effects twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from clipcart import clock
from clipcart.aftercommit import after_commit
from clipcart.db import Base, Database, IdType, UtcDateTime
from clipcart.ids import new_id

log = logging.getLogger(__name__)

Handler = Callable[[Session, "Event"], None]
RETRY_DELAYS = (timedelta(seconds=10), timedelta(minutes=1), timedelta(minutes=10),
                timedelta(hours=1))


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_outbox_events_pending", "dispatched_at", "next_attempt_at"),)


class EventHandling(Base):
    """Proof that a handler's effects for an event committed."""

    __tablename__ = "event_handlings"
    event_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("outbox_events.id", ondelete="CASCADE"), primary_key=True
    )
    handler: Mapped[str] = mapped_column(String(120), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(UtcDateTime)


@dataclass(frozen=True)
class Event:
    id: int
    type: str
    payload: dict[str, Any]
    created_at: datetime


_handlers: dict[str, dict[str, Handler]] = {}


def handles(event_type: str, name: str | None = None) -> Callable[[Handler], Handler]:
    """Register a handler for an event type; its name is its identity in the log."""

    def register(fn: Handler) -> Handler:
        key = name or f"{fn.__module__}.{fn.__qualname__}"
        _handlers.setdefault(event_type, {})[key] = fn
        return fn

    return register


def handlers_for(event_type: str) -> dict[str, Handler]:
    return dict(_handlers.get(event_type, {}))


def emit(session: Session, event_type: str, payload: dict[str, Any]) -> int:
    """Write an event in the caller's transaction; it is handled after commit."""
    now = clock.now()
    event_id = new_id()
    session.add(OutboxEvent(id=event_id, type=event_type, payload=payload, created_at=now,
                            next_attempt_at=now, attempts=0))
    after_commit(session, _announce, key="outbox")
    return event_id


_listeners: list[Callable[[], None]] = []


def on_committed_events(listener: Callable[[], None]) -> None:
    """Call ``listener`` after each commit that emitted events (the job queue kicks a drain)."""
    _listeners.append(listener)


def _announce() -> None:
    for listener in _listeners:
        listener()


def _pending_ids(db: Database, limit: int) -> list[int]:
    with db.sessions() as session:
        rows = session.execute(
            select(OutboxEvent.id)
            .where(OutboxEvent.dispatched_at.is_(None), OutboxEvent.next_attempt_at <= clock.now())
            .order_by(OutboxEvent.id)
            .limit(limit)
        )
        return [r[0] for r in rows]


def _run_one(db: Database, event_id: int, name: str, fn: Handler) -> bool:
    """Run one handler for one event in its own transaction. True when done (now or before)."""
    with db.sessions() as session, session.begin():
        row = session.execute(
            select(OutboxEvent).where(OutboxEvent.id == event_id).with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if row is None:
            return False  # another worker holds it
        done = session.get(EventHandling, (event_id, name))
        if done is not None:
            return True
        fn(session, Event(row.id, row.type, dict(row.payload), row.created_at))
        session.add(EventHandling(event_id=event_id, handler=name, handled_at=clock.now()))
    return True


def _record_failure(db: Database, event_id: int, error: str) -> None:
    with db.transaction() as session:
        row = session.get(OutboxEvent, event_id)
        if row is None:
            return
        row.attempts += 1
        delay = RETRY_DELAYS[min(row.attempts - 1, len(RETRY_DELAYS) - 1)]
        row.next_attempt_at = clock.now() + delay
        row.last_error = error[:2000]


def _mark_dispatched(db: Database, event_id: int) -> None:
    with db.transaction() as session:
        row = session.get(OutboxEvent, event_id)
        if row is not None and row.dispatched_at is None:
            row.dispatched_at = clock.now()


def drain(db: Database, limit: int = 200) -> int:
    """Handle pending events; returns how many were fully dispatched."""
    dispatched = 0
    for event_id in _pending_ids(db, limit):
        with db.sessions() as session:
            event_type = session.execute(
                select(OutboxEvent.type).where(OutboxEvent.id == event_id)
            ).scalar_one()
        all_done = True
        for name, fn in handlers_for(event_type).items():
            try:
                all_done = _run_one(db, event_id, name, fn) and all_done
            except IntegrityError:
                continue  # a concurrent worker recorded the same handling first
            except Exception as exc:
                log.exception("handler %s failed for event %s", name, event_id)
                _record_failure(db, event_id, f"{name}: {exc!r}")
                all_done = False
        if all_done:
            _mark_dispatched(db, event_id)
            dispatched += 1
    return dispatched
