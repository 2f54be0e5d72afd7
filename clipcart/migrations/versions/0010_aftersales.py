"""aftersales: cancellations, returns and refunds after the sale

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clipcart.db

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('aftersales_history',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('request_id', sa.BigInteger(), nullable=False),
    sa.Column('from_status', sa.String(length=40), nullable=True),
    sa.Column('to_status', sa.String(length=40), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('return', 'cancellation')", name=op.f('ck_aftersales_history_known_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aftersales_history'))
    )
    with op.batch_alter_table('aftersales_history', schema=None) as batch_op:
        batch_op.create_index('ix_aftersales_history_request', ['kind', 'request_id', 'id'], unique=False)

    op.create_table('aftersales_cancellations',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('checkout_id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('buyer_user_id', sa.BigInteger(), nullable=False),
    sa.Column('market', sa.String(length=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('cancel_type', sa.String(length=20), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('refund_key', sa.String(length=120), nullable=False),
    sa.Column('refund_total_minor', sa.BigInteger(), nullable=False),
    sa.Column('refund_subtotal_minor', sa.BigInteger(), nullable=False),
    sa.Column('refund_shipping_minor', sa.BigInteger(), nullable=False),
    sa.Column('refund_tax_minor', sa.BigInteger(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('BUYER', 'SELLER', 'SYSTEM', 'OPERATOR')", name=op.f('ck_aftersales_cancellations_known_role')),
    sa.CheckConstraint("status IN ('CANCELLATION_REQUEST_PENDING', 'CANCELLATION_REQUEST_SUCCESS', 'CANCELLATION_REQUEST_COMPLETE', 'CANCELLATION_REQUEST_CANCEL')", name=op.f('ck_aftersales_cancellations_known_status')),
    sa.CheckConstraint('refund_total_minor >= 0 AND refund_subtotal_minor >= 0 AND refund_shipping_minor >= 0 AND refund_tax_minor >= 0', name=op.f('ck_aftersales_cancellations_amounts_not_negative')),
    sa.ForeignKeyConstraint(['buyer_user_id'], ['users.id'], name=op.f('fk_aftersales_cancellations_buyer_user_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_aftersales_cancellations_order_id_orders')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_aftersales_cancellations_shop_id_shops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aftersales_cancellations')),
    sa.UniqueConstraint('order_id', name=op.f('uq_aftersales_cancellations_order_id'))
    )
    with op.batch_alter_table('aftersales_cancellations', schema=None) as batch_op:
        batch_op.create_index('ix_aftersales_cancellations_buyer', ['buyer_user_id', 'id'], unique=False)
        batch_op.create_index('ix_aftersales_cancellations_shop', ['shop_id', 'id'], unique=False)
        batch_op.create_index('ix_aftersales_cancellations_status', ['status', 'id'], unique=False)

    op.create_table('aftersales_returns',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('checkout_id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('buyer_user_id', sa.BigInteger(), nullable=False),
    sa.Column('market', sa.String(length=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('return_type', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('arbitration_status', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('photos', sa.JSON(), nullable=False),
    sa.Column('refund_total_minor', sa.BigInteger(), nullable=False),
    sa.Column('refund_subtotal_minor', sa.BigInteger(), nullable=False),
    sa.Column('refund_shipping_minor', sa.BigInteger(), nullable=False),
    sa.Column('refund_tax_minor', sa.BigInteger(), nullable=False),
    sa.Column('reject_reason', sa.String(length=60), nullable=True),
    sa.Column('reject_comment', sa.Text(), nullable=True),
    sa.Column('escalation_note', sa.Text(), nullable=True),
    sa.Column('arbitration_note', sa.Text(), nullable=True),
    sa.Column('return_shipment_id', sa.BigInteger(), nullable=True),
    sa.Column('return_tracking_number', sa.String(length=60), nullable=True),
    sa.Column('return_provider', sa.String(length=40), nullable=True),
    sa.Column('item_delivered_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('restocked', sa.Boolean(), nullable=False),
    sa.Column('due_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("arbitration_status IS NULL OR arbitration_status IN ('IN_PROGRESS', 'SUPPORT_BUYER', 'SUPPORT_SELLER')", name=op.f('ck_aftersales_returns_known_arbitration')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('refunded', 'rejected', 'cancelled')", name=op.f('ck_aftersales_returns_known_outcome')),
    sa.CheckConstraint("return_type IN ('REFUND', 'RETURN_AND_REFUND')", name=op.f('ck_aftersales_returns_known_type')),
    sa.CheckConstraint("status IN ('RETURN_OR_REFUND_REQUEST_PENDING', 'AWAITING_BUYER_SHIP', 'BUYER_SHIPPED_ITEM', 'RETURN_OR_REFUND_REQUEST_REJECT', 'REJECT_RECEIVE_PACKAGE', 'RETURN_OR_REFUND_REQUEST_SUCCESS', 'RETURN_OR_REFUND_REQUEST_CANCEL', 'RETURN_OR_REFUND_REQUEST_COMPLETE')", name=op.f('ck_aftersales_returns_known_status')),
    sa.CheckConstraint('refund_total_minor >= 0 AND refund_subtotal_minor >= 0 AND refund_shipping_minor >= 0 AND refund_tax_minor >= 0', name=op.f('ck_aftersales_returns_amounts_not_negative')),
    sa.ForeignKeyConstraint(['buyer_user_id'], ['users.id'], name=op.f('fk_aftersales_returns_buyer_user_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_aftersales_returns_order_id_orders')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_aftersales_returns_shop_id_shops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aftersales_returns'))
    )
    with op.batch_alter_table('aftersales_returns', schema=None) as batch_op:
        batch_op.create_index('ix_aftersales_returns_arbitration', ['arbitration_status', 'id'], unique=False)
        batch_op.create_index('ix_aftersales_returns_buyer', ['buyer_user_id', 'id'], unique=False)
        batch_op.create_index('ix_aftersales_returns_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_aftersales_returns_order', ['order_id'], unique=False)
        batch_op.create_index('ix_aftersales_returns_shop', ['shop_id', 'status', 'id'], unique=False)

    op.create_table('aftersales_cancellation_lines',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('cancellation_id', sa.BigInteger(), nullable=False),
    sa.Column('order_line_id', sa.BigInteger(), nullable=False),
    sa.Column('sku_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('seller_sku', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('refund_total_minor', sa.BigInteger(), nullable=False),
    sa.Column('refund_tax_minor', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_aftersales_cancellation_lines_positive_quantity')),
    sa.ForeignKeyConstraint(['cancellation_id'], ['aftersales_cancellations.id'], name=op.f('fk_aftersales_cancellation_lines_cancellation_id_aftersales_cancellations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_aftersales_cancellation_lines_order_line_id_order_lines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aftersales_cancellation_lines'))
    )
    with op.batch_alter_table('aftersales_cancellation_lines', schema=None) as batch_op:
        batch_op.create_index('ix_aftersales_cancellation_lines_cancellation', ['cancellation_id'], unique=False)

    op.create_table('aftersales_line_claims',
    sa.Column('order_line_id', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('claimed', sa.Integer(), nullable=False),
    sa.CheckConstraint('claimed >= 0 AND claimed <= quantity', name=op.f('ck_aftersales_line_claims_claimed_within_line')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_aftersales_line_claims_order_line_id_order_lines')),
    sa.PrimaryKeyConstraint('order_line_id', name=op.f('pk_aftersales_line_claims'))
    )
    op.create_table('aftersales_return_lines',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('return_id', sa.BigInteger(), nullable=False),
    sa.Column('order_line_id', sa.BigInteger(), nullable=False),
    sa.Column('sku_id', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('seller_sku', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('refund_total_minor', sa.BigInteger(), nullable=False),
    sa.Column('refund_subtotal_minor', sa.BigInteger(), nullable=False),
    sa.Column('refund_tax_minor', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_aftersales_return_lines_positive_quantity')),
    sa.CheckConstraint('refund_total_minor >= 0 AND refund_subtotal_minor >= 0 AND refund_tax_minor >= 0', name=op.f('ck_aftersales_return_lines_amounts_not_negative')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_aftersales_return_lines_order_line_id_order_lines')),
    sa.ForeignKeyConstraint(['return_id'], ['aftersales_returns.id'], name=op.f('fk_aftersales_return_lines_return_id_aftersales_returns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aftersales_return_lines'))
    )
    with op.batch_alter_table('aftersales_return_lines', schema=None) as batch_op:
        batch_op.create_index('ix_aftersales_return_lines_return', ['return_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('aftersales_return_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_aftersales_return_lines_return')

    op.drop_table('aftersales_return_lines')
    op.drop_table('aftersales_line_claims')
    with op.batch_alter_table('aftersales_cancellation_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_aftersales_cancellation_lines_cancellation')

    op.drop_table('aftersales_cancellation_lines')
    with op.batch_alter_table('aftersales_returns', schema=None) as batch_op:
        batch_op.drop_index('ix_aftersales_returns_shop')
        batch_op.drop_index('ix_aftersales_returns_order')
        batch_op.drop_index('ix_aftersales_returns_due')
        batch_op.drop_index('ix_aftersales_returns_buyer')
        batch_op.drop_index('ix_aftersales_returns_arbitration')

    op.drop_table('aftersales_returns')
    with op.batch_alter_table('aftersales_cancellations', schema=None) as batch_op:
        batch_op.drop_index('ix_aftersales_cancellations_status')
        batch_op.drop_index('ix_aftersales_cancellations_shop')
        batch_op.drop_index('ix_aftersales_cancellations_buyer')

    op.drop_table('aftersales_cancellations')
    with op.batch_alter_table('aftersales_history', schema=None) as batch_op:
        batch_op.drop_index('ix_aftersales_history_request')

    op.drop_table('aftersales_history')
