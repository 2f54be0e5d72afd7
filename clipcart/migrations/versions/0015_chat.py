"""chat: LIVE chat messages and moderation

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clipcart.db

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('live_chat_messages',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('room_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('author_handle', sa.String(length=30), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('masked', sa.Boolean(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['deleted_by'], ['users.id'], name=op.f('fk_live_chat_messages_deleted_by_users')),
    sa.ForeignKeyConstraint(['room_id'], ['live_rooms.id'], name=op.f('fk_live_chat_messages_room_id_live_rooms')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_chat_messages_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_chat_messages'))
    )
    op.create_index('ix_live_chat_messages_room', 'live_chat_messages', ['room_id', 'id'],
                    unique=False)

    op.create_table('live_chat_moderators',
    sa.Column('room_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('appointed_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appointed_by'], ['users.id'], name=op.f('fk_live_chat_moderators_appointed_by_users')),
    sa.ForeignKeyConstraint(['room_id'], ['live_rooms.id'], name=op.f('fk_live_chat_moderators_room_id_live_rooms')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_chat_moderators_user_id_users')),
    sa.PrimaryKeyConstraint('room_id', 'user_id', name=op.f('pk_live_chat_moderators'))
    )
    op.create_table('live_chat_mutes',
    sa.Column('room_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('muted_by', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('until', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['muted_by'], ['users.id'], name=op.f('fk_live_chat_mutes_muted_by_users')),
    sa.ForeignKeyConstraint(['room_id'], ['live_rooms.id'], name=op.f('fk_live_chat_mutes_room_id_live_rooms')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_chat_mutes_user_id_users')),
    sa.PrimaryKeyConstraint('room_id', 'user_id', name=op.f('pk_live_chat_mutes'))
    )
    op.create_table('live_chat_posters',
    sa.Column('room_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('last_posted_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['live_rooms.id'], name=op.f('fk_live_chat_posters_room_id_live_rooms')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_chat_posters_user_id_users')),
    sa.PrimaryKeyConstraint('room_id', 'user_id', name=op.f('pk_live_chat_posters'))
    )
    op.create_table('live_chat_settings',
    sa.Column('room_id', sa.BigInteger(), nullable=False),
    sa.Column('slow_mode_seconds', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('slow_mode_seconds >= 0', name=op.f('ck_live_chat_settings_slow_mode_not_negative')),
    sa.ForeignKeyConstraint(['room_id'], ['live_rooms.id'], name=op.f('fk_live_chat_settings_room_id_live_rooms')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_live_chat_settings_updated_by_users')),
    sa.PrimaryKeyConstraint('room_id', name=op.f('pk_live_chat_settings'))
    )


def downgrade() -> None:
    op.drop_table('live_chat_settings')
    op.drop_table('live_chat_posters')
    op.drop_table('live_chat_mutes')
    op.drop_table('live_chat_moderators')
    op.drop_index('ix_live_chat_messages_room', table_name='live_chat_messages')

    op.drop_table('live_chat_messages')
