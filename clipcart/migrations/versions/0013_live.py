"""live: LIVE rooms, product bag, viewers, flash sales and their claims, SKU price points

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clipcart.db

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('live_rooms',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('host_user_id', sa.BigInteger(), nullable=False),
    sa.Column('market', sa.String(length=2), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('scheduled_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('planned_minutes', sa.Integer(), nullable=False),
    sa.Column('stream_key', sa.String(length=64), nullable=False),
    sa.Column('demo_video_key', sa.String(length=300), nullable=True),
    sa.Column('pinned_product_id', sa.BigInteger(), nullable=True),
    sa.Column('started_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('peak_viewers', sa.Integer(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('SCHEDULED', 'LIVE', 'ENDED', 'CANCELLED')", name=op.f('ck_live_rooms_known_status')),
    sa.CheckConstraint('peak_viewers >= 0', name=op.f('ck_live_rooms_peak_viewers_not_negative')),
    sa.CheckConstraint('planned_minutes > 0', name=op.f('ck_live_rooms_positive_planned_minutes')),
    sa.ForeignKeyConstraint(['host_user_id'], ['users.id'], name=op.f('fk_live_rooms_host_user_id_users')),
    sa.ForeignKeyConstraint(['pinned_product_id'], ['products.id'], name=op.f('fk_live_rooms_pinned_product_id_products')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_live_rooms_shop_id_shops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_rooms')),
    sa.UniqueConstraint('stream_key', name=op.f('uq_live_rooms_stream_key'))
    )
    op.create_index('ix_live_rooms_on_air', 'live_rooms', ['market', 'status', 'id'], unique=False)
    op.create_index('ix_live_rooms_shop', 'live_rooms', ['shop_id', 'id'], unique=False)
    op.create_table('live_bag_items',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('room_id', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('added_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_live_bag_items_product_id_products')),
    sa.ForeignKeyConstraint(['room_id'], ['live_rooms.id'], name=op.f('fk_live_bag_items_room_id_live_rooms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_bag_items')),
    sa.UniqueConstraint('room_id', 'product_id', name=op.f('uq_live_bag_items_room_id_product_id'))
    )
    op.create_table('live_flash_sales',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('room_id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('sku_id', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('deal_price_minor', sa.BigInteger(), nullable=False),
    sa.Column('reference_price_minor', sa.BigInteger(), nullable=False),
    sa.Column('stock_total', sa.Integer(), nullable=False),
    sa.Column('stock_left', sa.Integer(), nullable=False),
    sa.Column('per_buyer_limit', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('starts_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('ACTIVE', 'ENDED', 'CANCELLED')", name=op.f('ck_live_flash_sales_known_status')),
    sa.CheckConstraint('deal_price_minor < reference_price_minor', name=op.f('ck_live_flash_sales_deal_below_reference')),
    sa.CheckConstraint('deal_price_minor > 0', name=op.f('ck_live_flash_sales_positive_deal_price')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_live_flash_sales_ends_after_start')),
    sa.CheckConstraint('per_buyer_limit > 0', name=op.f('ck_live_flash_sales_positive_per_buyer_limit')),
    sa.CheckConstraint('stock_left >= 0 AND stock_left <= stock_total', name=op.f('ck_live_flash_sales_stock_in_range')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_live_flash_sales_product_id_products')),
    sa.ForeignKeyConstraint(['room_id'], ['live_rooms.id'], name=op.f('fk_live_flash_sales_room_id_live_rooms')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_live_flash_sales_shop_id_shops')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_live_flash_sales_sku_id_skus')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_flash_sales'))
    )
    op.create_index('ix_live_flash_sales_due', 'live_flash_sales', ['status', 'ends_at'], unique=False)
    op.create_index('uq_live_flash_sales_active_room', 'live_flash_sales', ['room_id'], unique=True, sqlite_where=sa.text("status = 'ACTIVE'"), postgresql_where=sa.text("status = 'ACTIVE'"))
    op.create_table('live_room_history',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('room_id', sa.BigInteger(), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('actor', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['live_rooms.id'], name=op.f('fk_live_room_history_room_id_live_rooms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_room_history'))
    )
    op.create_index('ix_live_room_history_room', 'live_room_history', ['room_id', 'id'], unique=False)
    op.create_table('live_sku_prices',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('sku_id', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('price_minor', sa.BigInteger(), nullable=False),
    sa.Column('observed_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_live_sku_prices_sku_id_skus')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_sku_prices'))
    )
    op.create_index('ix_live_sku_prices_sku', 'live_sku_prices', ['sku_id', 'observed_at'], unique=False)
    op.create_table('live_viewers',
    sa.Column('room_id', sa.BigInteger(), nullable=False),
    sa.Column('viewer_key', sa.String(length=64), nullable=False),
    sa.Column('last_seen_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['live_rooms.id'], name=op.f('fk_live_viewers_room_id_live_rooms')),
    sa.PrimaryKeyConstraint('room_id', 'viewer_key', name=op.f('pk_live_viewers'))
    )
    op.create_index('ix_live_viewers_seen', 'live_viewers', ['room_id', 'last_seen_at'], unique=False)
    op.create_table('live_flash_sale_claims',
    sa.Column('sale_id', sa.BigInteger(), nullable=False),
    sa.Column('buyer_user_id', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_live_flash_sale_claims_quantity_not_negative')),
    sa.ForeignKeyConstraint(['buyer_user_id'], ['users.id'], name=op.f('fk_live_flash_sale_claims_buyer_user_id_users')),
    sa.ForeignKeyConstraint(['sale_id'], ['live_flash_sales.id'], name=op.f('fk_live_flash_sale_claims_sale_id_live_flash_sales')),
    sa.PrimaryKeyConstraint('sale_id', 'buyer_user_id', name=op.f('pk_live_flash_sale_claims'))
    )
    op.create_table('live_flash_sale_orders',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('sale_id', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('buyer_user_id', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('released_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_live_flash_sale_orders_positive_quantity')),
    sa.ForeignKeyConstraint(['buyer_user_id'], ['users.id'], name=op.f('fk_live_flash_sale_orders_buyer_user_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_live_flash_sale_orders_order_id_orders')),
    sa.ForeignKeyConstraint(['sale_id'], ['live_flash_sales.id'], name=op.f('fk_live_flash_sale_orders_sale_id_live_flash_sales')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_flash_sale_orders')),
    sa.UniqueConstraint('order_id', 'sale_id', name=op.f('uq_live_flash_sale_orders_order_id_sale_id'))
    )


def downgrade() -> None:
    op.drop_table('live_flash_sale_orders')
    op.drop_table('live_flash_sale_claims')
    op.drop_index('ix_live_viewers_seen', table_name='live_viewers')
    op.drop_table('live_viewers')
    op.drop_index('ix_live_sku_prices_sku', table_name='live_sku_prices')
    op.drop_table('live_sku_prices')
    op.drop_index('ix_live_room_history_room', table_name='live_room_history')
    op.drop_table('live_room_history')
    op.drop_index('uq_live_flash_sales_active_room', table_name='live_flash_sales', sqlite_where=sa.text("status = 'ACTIVE'"), postgresql_where=sa.text("status = 'ACTIVE'"))
    op.drop_index('ix_live_flash_sales_due', table_name='live_flash_sales')
    op.drop_table('live_flash_sales')
    op.drop_table('live_bag_items')
    op.drop_index('ix_live_rooms_shop', table_name='live_rooms')
    op.drop_index('ix_live_rooms_on_air', table_name='live_rooms')
    op.drop_table('live_rooms')
