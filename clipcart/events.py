"""Transactional outbox: domain events written with the change, handled exactly once.

``emit`` adds an event row inside the caller's transaction, so the event exists if and only
if the change committed. ``drain`` reads due events in batches (marking those without
handlers dispatched in bulk) and runs each event's handlers in one transaction that also
records each ``(event id, handler)`` in ``event_handlings`` and marks the event
dispatched: a handler's writes and its record commit together or not at all, so a crash
or a retry never runs a handler's effects twice. If a handler fails, the event's
handlers are retried one per transaction and the failure recorded, so one failing
handler neither blocks the others nor repeats theirs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, select, update
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


BATCH = 32  # due events read per claim


@dataclass(frozen=True)
class _Claimed:
    event: Event
    handlers: dict[str, Handler]


def _claim(db: Database, size: int) -> list[_Claimed]:
    """Read up to ``size`` due events and, in the same transaction, mark those without
    handlers dispatched in one UPDATE. Events with handlers are locked one at a time later
    (``_handle_event``), so another worker may be reading the same ones: harmless."""
    with db.sessions() as session, session.begin():
        rows = session.execute(
            select(OutboxEvent.id, OutboxEvent.type, OutboxEvent.payload, OutboxEvent.created_at)
            .where(OutboxEvent.dispatched_at.is_(None),
                   OutboxEvent.next_attempt_at <= clock.now())
            .order_by(OutboxEvent.id)
            .limit(size)
        ).all()
        claimed = [_Claimed(Event(r.id, r.type, dict(r.payload), r.created_at),
                            handlers_for(r.type)) for r in rows]
        idle = [c.event.id for c in claimed if not c.handlers]
        if idle:
            session.execute(update(OutboxEvent)
                            .where(OutboxEvent.id.in_(idle), OutboxEvent.dispatched_at.is_(None))
                            .values(dispatched_at=clock.now()),
                            execution_options={"synchronize_session": False})
    return claimed


class _HandlerFailed(Exception):
    def __init__(self, event_id: int, name: str, error: Exception) -> None:
        super().__init__(f"{name} failed for event {event_id}")
        self.event_id, self.name, self.error = event_id, name, error


def _handle_event(db: Database, claimed: _Claimed) -> bool:
    """Every pending handler of one event, their handling rows and the event's dispatched
    mark, in one transaction holding the event's row lock. One event per transaction (not a
    batch): a transaction never holds one event's locks (a checkout, the ledger's hot
    accounts) while it waits for another's, which would deadlock with the requests.
    False when the event is dispatched already or another worker holds it."""
    event_id = claimed.event.id
    with db.sessions() as session, session.begin():
        mine = session.execute(
            select(OutboxEvent.id)
            .where(OutboxEvent.id == event_id, OutboxEvent.dispatched_at.is_(None))
            .with_for_update(skip_locked=True)
        ).first()
        if mine is None:
            return False
        done = set(session.execute(select(EventHandling.handler)
                                   .where(EventHandling.event_id == event_id)).scalars())
        now = clock.now()
        handled: list[EventHandling] = []
        for name, fn in claimed.handlers.items():
            if name in done:
                continue
            try:
                fn(session, claimed.event)
            except IntegrityError:
                raise  # maybe a concurrent handling: the careful path tells
            except Exception as exc:
                raise _HandlerFailed(event_id, name, exc) from exc
            handled.append(EventHandling(event_id=event_id, handler=name, handled_at=now))
        session.add_all(handled)  # one INSERT, in the handlers' transaction
        session.execute(update(OutboxEvent).where(OutboxEvent.id == event_id)
                        .values(dispatched_at=now),
                        execution_options={"synchronize_session": False})
    return True


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


def _one_by_one(db: Database, claimed: _Claimed, failed: _HandlerFailed | None = None) -> bool:
    """The careful path: each handler in its own transaction, a failure recorded and
    retried later without repeating the handlers that succeeded. The handler that failed
    a batch (``failed``) is not called again now: its failure is recorded as it was.
    True when dispatched."""
    event_id = claimed.event.id
    all_done = True
    for name, fn in claimed.handlers.items():
        if failed is not None and failed.name == name:
            log.error("handler %s failed for event %s", name, event_id, exc_info=failed.error)
            _record_failure(db, event_id, f"{name}: {failed.error!r}")
            all_done = False
            continue
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
    return all_done


def _dispatch(db: Database, claimed: _Claimed) -> bool:
    """Fast path: the event's handlers in one transaction. If a handler fails, nothing of
    it committed: the careful path runs the others one by one and records the failure
    (without calling the failing handler again now). Any other failure: the careful path."""
    try:
        return _handle_event(db, claimed)
    except _HandlerFailed as failed:
        return _one_by_one(db, claimed, failed)
    except Exception:
        log.warning("event %s failed as a whole; handling it one handler at a time",
                    claimed.event.id, exc_info=True)
        return _one_by_one(db, claimed)


def drain(db: Database, limit: int = 200) -> int:
    """Handle up to ``limit`` pending events; returns how many were fully dispatched."""
    dispatched = 0
    while limit > 0:
        size = min(BATCH, limit)
        claimed = _claim(db, size)
        limit -= len(claimed)
        dispatched += sum(1 if not c.handlers else _dispatch(db, c) for c in claimed)
        if len(claimed) < size:
            break
    return dispatched
