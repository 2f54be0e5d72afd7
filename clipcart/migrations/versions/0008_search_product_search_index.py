"""search: product search index

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 08:09:00.477105

``product_search`` holds one row per live product. The full-text index beside it differs
by dialect: SQLite gets an external-content FTS5 table (``product_search_fts``) kept in
step by triggers; PostgreSQL gets a generated, weighted ``tsvector`` column with a GIN
index. clipcart.migrate.include_name leaves both out of the model comparison.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE product_search_fts USING fts5(title, document, "
    "content='product_search', content_rowid='product_id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER product_search_ai AFTER INSERT ON product_search BEGIN "
    "INSERT INTO product_search_fts(rowid, title, document) "
    "VALUES (new.product_id, new.title, new.document); END",
    "CREATE TRIGGER product_search_ad AFTER DELETE ON product_search BEGIN "
    "INSERT INTO product_search_fts(product_search_fts, rowid, title, document) "
    "VALUES ('delete', old.product_id, old.title, old.document); END",
    "CREATE TRIGGER product_search_au AFTER UPDATE ON product_search BEGIN "
    "INSERT INTO product_search_fts(product_search_fts, rowid, title, document) "
    "VALUES ('delete', old.product_id, old.title, old.document); "
    "INSERT INTO product_search_fts(rowid, title, document) "
    "VALUES (new.product_id, new.title, new.document); END",
]
POSTGRES_FTS = [
    "ALTER TABLE product_search ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(document, '')), 'B')) STORED",
    "CREATE INDEX ix_product_search_vector ON product_search USING gin (search_vector)",
]


def upgrade() -> None:
    op.create_table(
        'product_search',
        sa.Column('product_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('revision_id', sa.BigInteger(), nullable=False),
        sa.Column('market', sa.String(length=2), nullable=False),
        sa.Column('shop_id', sa.BigInteger(), nullable=False),
        sa.Column('category_id', sa.BigInteger(), nullable=False),
        sa.Column('price_minor', sa.BigInteger(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('title', sa.String(length=255), nullable=False),
        sa.Column('image_key', sa.String(length=300), nullable=True),
        sa.Column('document', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('product_id', name=op.f('pk_product_search')),
    )
    op.create_index('ix_product_search_market_price', 'product_search',
                    ['market', 'price_minor'], unique=False)
    op.create_index('ix_product_search_market_category', 'product_search',
                    ['market', 'category_id'], unique=False)
    statements = SQLITE_FTS if op.get_bind().dialect.name == 'sqlite' else POSTGRES_FTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('product_search_ai', 'product_search_ad', 'product_search_au'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS product_search_fts')
    op.drop_index('ix_product_search_market_category', table_name='product_search')
    op.drop_index('ix_product_search_market_price', table_name='product_search')
    op.drop_table('product_search')
