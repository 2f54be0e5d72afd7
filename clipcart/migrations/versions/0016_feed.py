"""feed: feed signals and content search

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clipcart.db

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('feed_items',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=5), nullable=False),
    sa.Column('market', sa.String(length=2), nullable=False),
    sa.Column('profile_id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=True),
    sa.Column('score', sa.BigInteger(), nullable=False),
    sa.Column('prev_score', sa.BigInteger(), nullable=False),
    sa.Column('scored_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('listed_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('published_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('video', 'live')", name=op.f('ck_feed_items_known_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_items'))
    )
    op.create_index('ix_feed_items_market_score', 'feed_items',
                    ['market', 'score', 'listed_at', 'scored_at'], unique=False)
    op.create_index('ix_feed_items_profile', 'feed_items', ['profile_id', 'id'], unique=False)
    op.create_table('feed_affinities',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('shop_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('last_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'shop_id', name=op.f('pk_feed_affinities'))
    )


def downgrade() -> None:
    op.drop_table('feed_affinities')
    op.drop_index('ix_feed_items_profile', table_name='feed_items')
    op.drop_index('ix_feed_items_market_score', table_name='feed_items')
    op.drop_table('feed_items')
