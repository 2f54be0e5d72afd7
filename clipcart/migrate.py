"""Alembic, driven from code: the migrations ship inside the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


# The search's full-text index is dialect specific and made by raw SQL in migration 0008,
# so no model describes it: SQLite's FTS5 table with its shadow tables, PostgreSQL's
# generated tsvector column and its GIN index.
SEARCH_INDEX_OBJECTS = ("search_vector", "ix_product_search_vector")


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    """Objects that clipcart's models own; huey's job tables (``huey_*``) are huey's."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(("huey_", "product_search_fts"))
    return name not in SEARCH_INDEX_OBJECTS


def alembic_config(database_url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url:
        cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def migration_status(engine: Engine) -> tuple[str | None, str | None]:
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, head_revision()
