"""inventory: warehouses, stock levels, movements, reservations, idempotency keys

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 07:01:29.969903
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clipcart.db


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stock_reservations',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('expires_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('release_reason', sa.String(length=40), nullable=True),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('HELD', 'COMMITTED', 'RELEASED')", name=op.f('ck_stock_reservations_known_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_reservations')),
    sa.UniqueConstraint('reference', name=op.f('uq_stock_reservations_reference'))
    )
    with op.batch_alter_table('stock_reservations', schema=None) as batch_op:
        batch_op.create_index('ix_stock_reservations_due', ['status', 'expires_at'], unique=False)

    op.create_table('stock_reservation_history',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('reservation_id', sa.BigInteger(), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reservation_id'], ['stock_reservations.id'], name=op.f('fk_stock_reservation_history_reservation_id_stock_reservations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_reservation_history'))
    )
    with op.batch_alter_table('stock_reservation_history', schema=None) as batch_op:
        batch_op.create_index('ix_stock_reservation_history_reservation', ['reservation_id', 'id'], unique=False)

    op.create_table('inventory_idempotency_keys',
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_inventory_idempotency_keys_shop_id_shops')),
    sa.PrimaryKeyConstraint('shop_id', 'key', name=op.f('pk_inventory_idempotency_keys'))
    )
    op.create_table('warehouses',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('archived_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('NOT (is_default AND archived_at IS NOT NULL)', name=op.f('ck_warehouses_default_not_archived')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_warehouses_shop_id_shops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warehouses'))
    )
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.create_index('ix_warehouses_shop', ['shop_id'], unique=False)
        batch_op.create_index('uq_warehouses_active_name', ['shop_id', 'name'], unique=True, sqlite_where=sa.text('archived_at IS NULL'), postgresql_where=sa.text('archived_at IS NULL'))
        batch_op.create_index('uq_warehouses_one_default', ['shop_id'], unique=True, sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))

    op.create_table('stock_levels',
    sa.Column('sku_id', sa.BigInteger(), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('on_hand', sa.BigInteger(), nullable=False),
    sa.Column('reserved', sa.BigInteger(), nullable=False),
    sa.Column('low_stock_threshold', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('low_stock_threshold >= 0', name=op.f('ck_stock_levels_threshold_not_negative')),
    sa.CheckConstraint('on_hand >= 0', name=op.f('ck_stock_levels_on_hand_not_negative')),
    sa.CheckConstraint('reserved <= on_hand', name=op.f('ck_stock_levels_reserved_within_on_hand')),
    sa.CheckConstraint('reserved >= 0', name=op.f('ck_stock_levels_reserved_not_negative')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_stock_levels_shop_id_shops')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_stock_levels_sku_id_skus')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_levels_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('sku_id', 'warehouse_id', name=op.f('pk_stock_levels'))
    )
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.create_index('ix_stock_levels_shop', ['shop_id'], unique=False)
        batch_op.create_index('ix_stock_levels_warehouse', ['warehouse_id'], unique=False)

    op.create_table('stock_movements',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('sku_id', sa.BigInteger(), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('on_hand_delta', sa.BigInteger(), nullable=False),
    sa.Column('reserved_delta', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor_user_id', sa.BigInteger(), nullable=True),
    sa.Column('reference', sa.String(length=80), nullable=True),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_stock_movements_actor_user_id_users')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_stock_movements_shop_id_shops')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_stock_movements_sku_id_skus')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_movements_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movements'))
    )
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.create_index('ix_stock_movements_sku', ['sku_id', 'id'], unique=False)

    op.create_table('stock_reservation_lines',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('reservation_id', sa.BigInteger(), nullable=False),
    sa.Column('sku_id', sa.BigInteger(), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_stock_reservation_lines_positive_quantity')),
    sa.ForeignKeyConstraint(['reservation_id'], ['stock_reservations.id'], name=op.f('fk_stock_reservation_lines_reservation_id_stock_reservations')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_stock_reservation_lines_shop_id_shops')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_stock_reservation_lines_sku_id_skus')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_reservation_lines_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_reservation_lines'))
    )
    with op.batch_alter_table('stock_reservation_lines', schema=None) as batch_op:
        batch_op.create_index('ix_stock_reservation_lines_reservation', ['reservation_id'], unique=False)

    # ### end Alembic commands ###


def downgrade() -> None:
    with op.batch_alter_table('stock_reservation_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_reservation_lines_reservation')

    op.drop_table('stock_reservation_lines')
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_movements_sku')

    op.drop_table('stock_movements')
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_levels_warehouse')
        batch_op.drop_index('ix_stock_levels_shop')

    op.drop_table('stock_levels')
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.drop_index('uq_warehouses_one_default', sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))
        batch_op.drop_index('uq_warehouses_active_name', sqlite_where=sa.text('archived_at IS NULL'), postgresql_where=sa.text('archived_at IS NULL'))
        batch_op.drop_index('ix_warehouses_shop')

    op.drop_table('warehouses')
    op.drop_table('inventory_idempotency_keys')
    with op.batch_alter_table('stock_reservation_history', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_reservation_history_reservation')

    op.drop_table('stock_reservation_history')
    with op.batch_alter_table('stock_reservations', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_reservations_due')

    op.drop_table('stock_reservations')
    # ### end Alembic commands ###
