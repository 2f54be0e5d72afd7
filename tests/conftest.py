"""One suite for SQLite and PostgreSQL.

``CLIPCART_DATABASE_URL`` chooses the database: unset means a fresh SQLite file; a
PostgreSQL URL names the server, and each run creates (and drops) its own fresh database
there. Every test starts from empty tables.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_RUN_DIR = Path(tempfile.mkdtemp(prefix="clipcart-test-"))
_BASE_URL = os.environ.get("CLIPCART_DATABASE_URL", "")
_CREATED_PG: str | None = None


def _fresh_database_url() -> str:
    global _CREATED_PG
    if not _BASE_URL.startswith("postgresql"):
        return f"sqlite:///{_RUN_DIR / 'clipcart.db'}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(_BASE_URL)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{base.database or 'clipcart'}_t_{worker}_{secrets.token_hex(4)}".lower()
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    _CREATED_PG = name
    return base.set(database=name).render_as_string(hide_password=False)


def pytest_configure(config: pytest.Config) -> None:
    os.environ["CLIPCART_DATA_DIR"] = str(_RUN_DIR / "var")
    os.environ["CLIPCART_DATABASE_URL"] = _fresh_database_url()
    os.environ["CLIPCART_PASSWORD_PROFILE"] = "fast"
    os.environ["CLIPCART_JOBS_URL"] = "memory://"
    os.environ["CLIPCART_JOBS_IN_PROCESS"] = "0"
    os.environ.setdefault("CLIPCART_ARTIFACTS_DIR", str(Path("test-artifacts").resolve()))
    import clipcart.handlers
    import clipcart.jobs  # noqa: F401  (commits kick the outbox, inline in tests)
    from clipcart.config import get_settings
    from clipcart.migrate import upgrade

    upgrade(get_settings().database_url)


def pytest_unconfigure(config: pytest.Config) -> None:
    from clipcart.db import reset_database

    reset_database()
    if _CREATED_PG:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin = create_engine(make_url(_BASE_URL).set(database="postgres"),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_CREATED_PG}" WITH (FORCE)'))
        admin.dispose()


def _empty_all_tables() -> None:
    from sqlalchemy import text

    from clipcart.db import get_database
    from clipcart.models import metadata

    db = get_database()
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture(autouse=True)
def _clean_world() -> Iterator[None]:
    from clipcart import clock
    from clipcart.discovery import feed_cache, signals_cache
    from clipcart.identity import holder_cache
    from clipcart.ratelimit import get_limiter

    yield
    clock.reset_clock()
    get_limiter().reset()
    _empty_all_tables()
    feed_cache.clear()  # per-process caches of rows the tables no longer hold
    holder_cache.holders.clear()
    signals_cache.by_viewer.clear()


@pytest.fixture
def db():  # type: ignore[no-untyped-def]
    from clipcart.db import get_database

    return get_database()


@pytest.fixture
def app():  # type: ignore[no-untyped-def]
    from clipcart.app import create_app

    return create_app()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    from litestar.testing import TestClient

    with TestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
def frozen_clock():  # type: ignore[no-untyped-def]
    from clipcart import clock

    frozen = clock.FrozenClock()
    clock.set_clock(frozen)
    yield frozen
    clock.reset_clock()


@pytest.fixture
def is_postgres() -> bool:
    return os.environ["CLIPCART_DATABASE_URL"].startswith("postgresql")
