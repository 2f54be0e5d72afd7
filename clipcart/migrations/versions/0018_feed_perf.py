"""feed perf: an index for the For You band's re-scored items

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-26 14:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_feed_items_market_scored', 'feed_items', ['market', 'scored_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_feed_items_market_scored', table_name='feed_items')
