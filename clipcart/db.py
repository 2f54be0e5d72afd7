"""Engine, sessions and the declarative base shared by every context.

SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL gets a psycopg 3 pool whose
connections are pinged only after a rest (not on every checkout).
Services are plain functions over a ``Session``; callers own the transaction.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import BigInteger, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from clipcart.config import Settings, get_settings

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite keeps them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# 64-bit IDs, minted by clipcart.ids (never by the database).
IdType = BigInteger


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


BUSY_SECONDS = 15
READ_ONLY_OPTION = "clipcart_read_only"  # a connection option: see Database.read_only


class _WriterQueue:
    """One SQLite writer at a time inside this process, waiting in line.

    SQLite's own busy handler polls with growing sleeps, so under a burst (a flash sale:
    hundreds of threads) a late thread can barge in while an early one sleeps, and the
    early one starves past the busy timeout. Threads of one process queue on this lock
    instead; other processes still meet SQLite's busy timeout."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def begin(self, conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            conn.exec_driver_sql("BEGIN")  # deferred: a WAL snapshot, no write lock, no queue
            return
        if not self._lock.acquire(timeout=BUSY_SECONDS):
            raise sqlite3.OperationalError("database is locked")
        conn.info["clipcart_writer"] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock at BEGIN: no upgrades
        except BaseException:
            self.end(conn)
            raise

    def end(self, conn: Any) -> None:
        if conn.info.pop("clipcart_writer", False):
            self._lock.release()

    def end_record(self, _dbapi_conn: Any, record: Any, _reset_state: Any) -> None:
        """A connection going back to the pool never keeps its place (safety net)."""
        if record.info.pop("clipcart_writer", False):
            self._lock.release()


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_SECONDS},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_pysqlite_begin(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves

        queue = _WriterQueue()
        event.listen(engine, "begin", queue.begin)
        event.listen(engine, "commit", queue.end)
        event.listen(engine, "rollback", queue.end)
        event.listen(engine.pool, "reset", queue.end_record)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_recycle", RECYCLE_SECONDS)
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_after_idle(engine)
    return engine


IDLE_PING_SECONDS = 10.0
RECYCLE_SECONDS = 1800


def _ping_after_idle(engine: Engine) -> None:
    """Ping a pooled connection only when it comes back from a rest of IDLE_PING_SECONDS.

    ``pool_pre_ping`` costs a round trip on every checkout (a busy request takes several).
    A connection used moments ago is almost surely alive; one that rested may have been
    closed by a server restart or an idle timeout, so it is pinged and, if dead, replaced
    (DisconnectionError: the pool discards it and checks out another). A connection that
    dies while busy fails that one statement; SQLAlchemy then sees the disconnect and
    invalidates the whole pool, so the requests after it reconnect."""

    @event.listens_for(engine.pool, "checkin")
    def _resting(_dbapi_conn: Any, record: Any) -> None:
        record.info["clipcart_rest_from"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _maybe_ping(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        rest_from = record.info.get("clipcart_rest_from")
        if rest_from is None or time.monotonic() - rest_from < IDLE_PING_SECONDS:
            return  # fresh from connect, or used moments ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise DisconnectionError("a pooled connection died while it rested") from exc


class Database:
    """An engine and its session factory, built once per process from settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings.database_url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def read_only(self) -> Iterator[Session]:
        """A session for pure reads: one consistent snapshot, never a write.

        On SQLite a deferred ``BEGIN`` (WAL gives the snapshot at the first read) that does
        not wait in the writer queue, so reads neither queue behind each other nor behind
        writes; on PostgreSQL a ``REPEATABLE READ READ ONLY`` transaction. Writing in it is
        a bug (SQLite would upgrade the lock outside the queue; PostgreSQL refuses)."""
        options: dict[str, Any] = {READ_ONLY_OPTION: True}
        if self.engine.dialect.name == "postgresql":  # one snapshot for all its statements
            options.update(postgresql_readonly=True, isolation_level="REPEATABLE READ")
        with self.sessions() as session:  # closing it rolls back: nothing to keep
            session.connection(execution_options=options)
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


_database: Database | None = None


def get_database() -> Database:
    global _database
    if _database is None:
        _database = Database(get_settings())
    return _database


def reset_database() -> None:
    global _database
    if _database is not None:
        _database.dispose()
    _database = None


def transaction() -> AbstractContextManager[Session]:
    """A unit of work on the process's database: commits on success, rolls back on error."""
    return get_database().transaction()


def read_only() -> AbstractContextManager[Session]:
    """A read-only unit of work on the process's database (see ``Database.read_only``)."""
    return get_database().read_only()


def upsert(session: Session, table: Any) -> Any:
    """``INSERT`` for this session's database with its ``ON CONFLICT`` clauses
    (``on_conflict_do_nothing`` / ``on_conflict_do_update``): one statement where a
    savepoint, an insert and a re-read would otherwise race a concurrent writer."""
    return upsert_for(session.get_bind().dialect.name, table)


def upsert_for(dialect: str, table: Any) -> Any:
    """``upsert`` for a dialect by name (``"postgresql"`` or ``"sqlite"``). Given a
    model's ``__table__`` (and its ``.c`` columns in the rest of the statement) it is a
    Core statement, which skips the ORM's bulk-insert machinery: a hot path's choice."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def built_once(session: Session, build: Callable[[str], T]) -> T:
    """``build(dialect name)``, built once per process and dialect. For statements a hot path
    runs on every request, written with ``bindparam``: building an upsert (its ``excluded``
    alias above all) costs more CPU than running it from SQLAlchemy's compiled cache."""
    return _built(build, session.get_bind().dialect.name)


@cache
def _built(build: Callable[[str], Any], dialect: str) -> Any:
    return build(dialect)
