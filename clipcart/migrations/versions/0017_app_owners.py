"""app owners: a Seller API app may belong to a user (its developer)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-26 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('open_apps') as batch:
        batch.add_column(sa.Column('owner_user_id', sa.BigInteger(), nullable=True))
        batch.create_foreign_key(op.f('fk_open_apps_owner_user_id_users'), 'users',
                                 ['owner_user_id'], ['id'])
        batch.create_index(op.f('ix_open_apps_owner_user_id'), ['owner_user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('open_apps') as batch:
        batch.drop_index(op.f('ix_open_apps_owner_user_id'))
        batch.drop_constraint(op.f('fk_open_apps_owner_user_id_users'), type_='foreignkey')
        batch.drop_column('owner_user_id')
