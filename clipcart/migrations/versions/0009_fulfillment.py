"""fulfillment: packages, shipments and the carrier simulator

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 10:40:00

Orders gain packages (``packages``, ``package_lines``, ``package_history``) and the
``delivered_at``, ``completed_at`` and ``shipping_late_at`` columns. The carriers context
owns ``carrier_shipments`` and ``carrier_tracking_events``; the carrier simulator keeps its
own books in ``carrier_sim_shipments`` and ``carrier_sim_events``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clipcart.db

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('carrier_shipments',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('carrier_code', sa.String(length=20), nullable=False),
    sa.Column('tracking_number', sa.String(length=40), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('market', sa.String(length=2), nullable=False),
    sa.Column('booked_by_platform', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("purpose IN ('package', 'return')", name=op.f('ck_carrier_shipments_known_purpose')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carrier_shipments')),
    sa.UniqueConstraint('carrier_code', 'tracking_number', name=op.f('uq_carrier_shipments_carrier_code_tracking_number'))
    )
    op.create_index('ix_carrier_shipments_reference', 'carrier_shipments', ['purpose', 'reference'], unique=False)
    op.create_table('carrier_sim_shipments',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('carrier_code', sa.String(length=20), nullable=False),
    sa.Column('tracking_number', sa.String(length=40), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('market', sa.String(length=2), nullable=False),
    sa.Column('scenario', sa.String(length=20), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('next_scan_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('step >= 0', name=op.f('ck_carrier_sim_shipments_step_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carrier_sim_shipments')),
    sa.UniqueConstraint('carrier_code', 'tracking_number', name=op.f('uq_carrier_sim_shipments_carrier_code_tracking_number'))
    )
    op.create_index('ix_carrier_sim_shipments_due', 'carrier_sim_shipments', ['next_scan_at'], unique=False)
    op.create_table('carrier_sim_events',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('shipment_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['shipment_id'], ['carrier_sim_shipments.id'], name=op.f('fk_carrier_sim_events_shipment_id_carrier_sim_shipments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carrier_sim_events'))
    )
    op.create_index('ix_carrier_sim_events_pending', 'carrier_sim_events', ['delivered_at', 'next_attempt_at'], unique=False)
    op.create_table('carrier_tracking_events',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('shipment_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('carrier_event_id', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=120), nullable=False),
    sa.Column('occurred_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('received_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('applied', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['shipment_id'], ['carrier_shipments.id'], name=op.f('fk_carrier_tracking_events_shipment_id_carrier_shipments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carrier_tracking_events')),
    sa.UniqueConstraint('shipment_id', 'status', name=op.f('uq_carrier_tracking_events_shipment_id_status'))
    )
    op.create_table('packages',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('tracking_status', sa.String(length=20), nullable=True),
    sa.Column('shipping_type', sa.String(length=10), nullable=True),
    sa.Column('handover_method', sa.String(length=10), nullable=True),
    sa.Column('carrier_code', sa.String(length=20), nullable=True),
    sa.Column('tracking_number', sa.String(length=40), nullable=True),
    sa.Column('shipment_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('shipped_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('PROCESSING', 'FULFILLING', 'COMPLETED', 'CANCELLED')", name=op.f('ck_packages_known_status')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_packages_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_packages_shop_id_shops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_packages'))
    )
    op.create_index('ix_packages_order', 'packages', ['order_id', 'id'], unique=False)
    op.create_index('ix_packages_shop_status', 'packages', ['shop_id', 'status', 'id'], unique=False)
    op.create_table('package_history',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('package_id', sa.BigInteger(), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('tracking_status', sa.String(length=20), nullable=True),
    sa.Column('actor', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['package_id'], ['packages.id'], name=op.f('fk_package_history_package_id_packages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_package_history'))
    )
    op.create_index('ix_package_history_package', 'package_history', ['package_id', 'id'], unique=False)
    op.create_table('package_lines',
    sa.Column('package_id', sa.BigInteger(), nullable=False),
    sa.Column('order_line_id', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_package_lines_positive_quantity')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_package_lines_order_line_id_order_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['package_id'], ['packages.id'], name=op.f('fk_package_lines_package_id_packages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('package_id', 'order_line_id', name=op.f('pk_package_lines'))
    )
    op.add_column('orders', sa.Column('delivered_at', clipcart.db.UtcDateTime(timezone=True), nullable=True))
    op.add_column('orders', sa.Column('completed_at', clipcart.db.UtcDateTime(timezone=True), nullable=True))
    op.add_column('orders', sa.Column('shipping_late_at', clipcart.db.UtcDateTime(timezone=True), nullable=True))
    op.create_index('ix_orders_status_delivered', 'orders', ['status', 'delivered_at'], unique=False)
    op.create_index('ix_orders_status_paid', 'orders', ['status', 'paid_at'], unique=False)
    # ### end Alembic commands ###


def downgrade() -> None:
    op.drop_index('ix_orders_status_paid', table_name='orders')
    op.drop_index('ix_orders_status_delivered', table_name='orders')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('shipping_late_at')
        batch_op.drop_column('completed_at')
        batch_op.drop_column('delivered_at')
    op.drop_table('package_lines')
    op.drop_index('ix_package_history_package', table_name='package_history')
    op.drop_table('package_history')
    op.drop_index('ix_packages_shop_status', table_name='packages')
    op.drop_index('ix_packages_order', table_name='packages')
    op.drop_table('packages')
    op.drop_table('carrier_tracking_events')
    op.drop_index('ix_carrier_sim_events_pending', table_name='carrier_sim_events')
    op.drop_table('carrier_sim_events')
    op.drop_index('ix_carrier_sim_shipments_due', table_name='carrier_sim_shipments')
    op.drop_table('carrier_sim_shipments')
    op.drop_index('ix_carrier_shipments_reference', table_name='carrier_shipments')
    op.drop_table('carrier_shipments')
    # ### end Alembic commands ###
