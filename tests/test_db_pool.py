"""PostgreSQL's pool pings a connection only after it rested, and replaces a dead one."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from clipcart import db as dbmodule
from clipcart.config import get_settings


@pytest.fixture
def pg_engine(is_postgres):  # type: ignore[no-untyped-def]
    if not is_postgres:
        pytest.skip("the rest-then-ping pool is PostgreSQL's")
    engine = dbmodule.make_engine(get_settings().database_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _backend_pid(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _kill(engine, pid: int) -> None:  # type: ignore[no-untyped-def]
    other = dbmodule.make_engine(str(engine.url.render_as_string(hide_password=False)),
                                 pool_size=1, max_overflow=0)
    with other.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    other.dispose()


def test_a_connection_used_moments_ago_is_not_pinged(pg_engine):
    pings: list[object] = []
    real_ping = pg_engine.dialect.do_ping
    pg_engine.dialect.do_ping = lambda conn: pings.append(conn) or real_ping(conn)
    first = _backend_pid(pg_engine)
    assert _backend_pid(pg_engine) == first
    assert pings == []


def test_a_connection_that_died_while_resting_is_replaced(pg_engine, monkeypatch):
    dead = _backend_pid(pg_engine)
    _kill(pg_engine, dead)
    monkeypatch.setattr(dbmodule, "IDLE_PING_SECONDS", 0.0)  # it has rested long enough
    alive = _backend_pid(pg_engine)  # no error: the ping found it dead, the pool reconnected
    assert alive != dead
