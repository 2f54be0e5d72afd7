"""Bearer token -> its holder, cached in this process for ``TTL``, so a signed-in API request
is answered without a thread hop or a database session (``web.auth``).

Entries are keyed by the token's SHA-256 (no secret is kept) and hold the token's expiry,
checked on every hit. The whole cache is emptied once a transaction of this process commits
after writing ``auth_tokens``, ``user_roles`` or ``users`` (through the shared after-commit
hook: once per transaction, nothing on a rollback), noticed by session listeners on ORM
flushes and on ``session.execute`` of INSERT/UPDATE/DELETE statements. A new token, a new
user and a new user's first roles cannot change a cached holder, so those ORM inserts are
not changes (a log-in or a sign-up keeps the cache).
So a log-out, a revoked token or a role taken away is refused at once in this process; a
change committed by another process (a worker, the CLI, another server) is seen within
``TTL``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from clipcart import clock
from clipcart.aftercommit import after_commit
from clipcart.identity import service as identity
from clipcart.ttlmap import TtlMap

TTL = timedelta(seconds=3)
MAX_ENTRIES = 20_000
KIND = "api"  # pages' session cookies also need the unread count: they read the database
WATCHED = frozenset({"auth_tokens", "user_roles", "users"})
_CHANGED = "clipcart_token_holders_changed"

holders: TtlMap[str, tuple[identity.TokenHolder, datetime]] = TtlMap(TTL, MAX_ENTRIES)


def cached(secret: str) -> identity.TokenHolder | None:
    """The holder of this API token if this process saw it live in the last ``TTL`` and it
    has not expired since; None means "ask the database"."""
    if len(secret) > identity.MAX_SECRET:
        return None
    found = holders.get(identity.token_digest(secret))
    if found is None or clock.now() >= found[1]:
        return None
    return found[0]


def holder(session: Session, secret: str) -> identity.TokenHolder | None:
    """The holder of this live API token, from the cache or read (and then cached)."""
    found = cached(secret)
    if found is not None:
        return found
    ticket = holders.ticket()  # before the read: a change committed meanwhile wins
    lease = identity.token_lease(session, secret, KIND)
    if lease is None:
        return None
    holders.put(identity.token_digest(secret), lease, ticket)
    return lease[0]


def note_change(session: Session) -> None:
    """The session wrote a holder's rows: empty the cache once it commits."""
    after_commit(session, holders.clear, key=_CHANGED)


def _table_of(entity: Any) -> str | None:
    table = getattr(entity, "__table__", None)
    return getattr(table, "name", None)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush: UOWTransaction) -> None:
    new_users = {e.id for e in session.new if _table_of(e) == "users"}
    for entity in session.new:
        name = _table_of(entity)
        if name == "user_roles" and entity.user_id not in new_users:  # a sign-up's role: no
            return note_change(session)
    for entity in (*session.dirty, *session.deleted):
        if _table_of(entity) in WATCHED:
            return note_change(session)


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_select:
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in WATCHED:
        note_change(state.session)
