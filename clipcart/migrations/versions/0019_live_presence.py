"""live presence: viewers are counted by the realtime presence store, not a table

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-26 14:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clipcart.db

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index('ix_live_viewers_seen', table_name='live_viewers')
    op.drop_table('live_viewers')


def downgrade() -> None:
    op.create_table(
        'live_viewers',
        sa.Column('room_id', sa.BigInteger(), nullable=False),
        sa.Column('viewer_key', sa.String(length=64), nullable=False),
        sa.Column('last_seen_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['live_rooms.id'],
                                name=op.f('fk_live_viewers_room_id_live_rooms')),
        sa.PrimaryKeyConstraint('room_id', 'viewer_key', name=op.f('pk_live_viewers')))
    op.create_index('ix_live_viewers_seen', 'live_viewers', ['room_id', 'last_seen_at'],
                    unique=False)
