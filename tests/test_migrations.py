from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from clipcart.migrate import head_revision, include_name, migration_status
from clipcart.models import metadata


def test_models_and_migrations_agree(db):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                          "include_name": include_name})
        diff = compare_metadata(context, metadata)
    assert diff == [], f"models differ from migrations; write a migration: {diff}"


def test_database_is_at_the_head_revision(db):
    current, head = migration_status(db.engine)
    assert current == head == head_revision()
