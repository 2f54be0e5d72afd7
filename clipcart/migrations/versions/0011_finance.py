"""finance: settlement, bank accounts, payouts and statements

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clipcart.db

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('finance_refunds',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('after_settlement', sa.Boolean(), nullable=False),
    sa.Column('seller_minor', sa.BigInteger(), nullable=False),
    sa.Column('fee_minor', sa.BigInteger(), nullable=False),
    sa.Column('tax_minor', sa.BigInteger(), nullable=False),
    sa.Column('admin_fee_minor', sa.BigInteger(), nullable=False),
    sa.Column('ledger_operation_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finance_refunds')),
    sa.UniqueConstraint('key', name=op.f('uq_finance_refunds_key'))
    )
    with op.batch_alter_table('finance_refunds', schema=None) as batch_op:
        batch_op.create_index('ix_finance_refunds_order', ['order_id', 'id'], unique=False)

    op.create_table('finance_settlement_blocks',
    sa.Column('request_id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=True),
    sa.Column('opened_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_finance_settlement_blocks'))
    )
    with op.batch_alter_table('finance_settlement_blocks', schema=None) as batch_op:
        batch_op.create_index('ix_finance_settlement_blocks_order', ['order_id'], unique=False)

    op.create_table('finance_bank_accounts',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('holder_name', sa.Text(), nullable=False),
    sa.Column('account_number', sa.Text(), nullable=False),
    sa.Column('bank_name', sa.String(length=120), nullable=False),
    sa.Column('last4', sa.String(length=4), nullable=False),
    sa.Column('auto_payout', sa.Boolean(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_finance_bank_accounts_shop_id_shops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finance_bank_accounts')),
    sa.UniqueConstraint('shop_id', name=op.f('uq_finance_bank_accounts_shop_id'))
    )
    op.create_table('finance_settlements',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('market', sa.String(length=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('order_total_minor', sa.BigInteger(), nullable=False),
    sa.Column('tax_minor', sa.BigInteger(), nullable=False),
    sa.Column('fee_base_minor', sa.BigInteger(), nullable=False),
    sa.Column('referral_fee_minor', sa.BigInteger(), nullable=False),
    sa.Column('refunded_minor', sa.BigInteger(), nullable=False),
    sa.Column('fee_refunded_minor', sa.BigInteger(), nullable=False),
    sa.Column('tax_refunded_minor', sa.BigInteger(), nullable=False),
    sa.Column('admin_fee_minor', sa.BigInteger(), nullable=False),
    sa.Column('settled_net_minor', sa.BigInteger(), nullable=True),
    sa.Column('settled_fee_minor', sa.BigInteger(), nullable=True),
    sa.Column('settled_tax_minor', sa.BigInteger(), nullable=True),
    sa.Column('clawed_back_minor', sa.BigInteger(), nullable=False),
    sa.Column('open_requests', sa.Integer(), nullable=False),
    sa.Column('delivered_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('due_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('settled_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('OPEN', 'SETTLED')", name=op.f('ck_finance_settlements_known_status')),
    sa.CheckConstraint('open_requests >= 0', name=op.f('ck_finance_settlements_open_requests_not_negative')),
    sa.CheckConstraint('referral_fee_minor >= 0 AND tax_minor >= 0 AND fee_base_minor >= 0', name=op.f('ck_finance_settlements_amounts_not_negative')),
    sa.CheckConstraint('refunded_minor >= 0 AND fee_refunded_minor >= 0 AND tax_refunded_minor >= 0 AND admin_fee_minor >= 0', name=op.f('ck_finance_settlements_refunds_not_negative')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_finance_settlements_shop_id_shops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finance_settlements')),
    sa.UniqueConstraint('order_id', name=op.f('uq_finance_settlements_order_id'))
    )
    with op.batch_alter_table('finance_settlements', schema=None) as batch_op:
        batch_op.create_index('ix_finance_settlements_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_finance_settlements_shop', ['shop_id', 'id'], unique=False)

    op.create_table('finance_statements',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('statement_date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('opening_minor', sa.BigInteger(), nullable=False),
    sa.Column('revenue_minor', sa.BigInteger(), nullable=False),
    sa.Column('fee_minor', sa.BigInteger(), nullable=False),
    sa.Column('tax_minor', sa.BigInteger(), nullable=False),
    sa.Column('refund_minor', sa.BigInteger(), nullable=False),
    sa.Column('adjustment_minor', sa.BigInteger(), nullable=False),
    sa.Column('payout_minor', sa.BigInteger(), nullable=False),
    sa.Column('settlement_minor', sa.BigInteger(), nullable=False),
    sa.Column('closing_minor', sa.BigInteger(), nullable=False),
    sa.Column('transaction_count', sa.Integer(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_finance_statements_shop_id_shops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finance_statements')),
    sa.UniqueConstraint('shop_id', 'statement_date', name=op.f('uq_finance_statements_shop_id_statement_date'))
    )
    with op.batch_alter_table('finance_statements', schema=None) as batch_op:
        batch_op.create_index('ix_finance_statements_shop', ['shop_id', 'statement_date'], unique=False)

    op.create_table('finance_payouts',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('bank_account_id', sa.BigInteger(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('trigger', sa.String(length=10), nullable=False),
    sa.Column('request_key', sa.String(length=300), nullable=False),
    sa.Column('hold_operation_id', sa.BigInteger(), nullable=True),
    sa.Column('rail_reference', sa.String(length=80), nullable=True),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('PROCESSING', 'PAID', 'FAILED', 'RETURNED')", name=op.f('ck_finance_payouts_known_status')),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_finance_payouts_positive_amount')),
    sa.ForeignKeyConstraint(['bank_account_id'], ['finance_bank_accounts.id'], name=op.f('fk_finance_payouts_bank_account_id_finance_bank_accounts')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_finance_payouts_shop_id_shops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finance_payouts')),
    sa.UniqueConstraint('request_key', name=op.f('uq_finance_payouts_request_key'))
    )
    with op.batch_alter_table('finance_payouts', schema=None) as batch_op:
        batch_op.create_index('ix_finance_payouts_shop', ['shop_id', 'id'], unique=False)
        batch_op.create_index('ix_finance_payouts_status', ['status', 'id'], unique=False)

    op.create_table('finance_settlement_lines',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('settlement_id', sa.BigInteger(), nullable=False),
    sa.Column('order_line_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('category_path', sa.String(length=400), nullable=False),
    sa.Column('base_minor', sa.BigInteger(), nullable=False),
    sa.Column('fee_rate', sa.String(length=12), nullable=False),
    sa.Column('fee_minor', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['settlement_id'], ['finance_settlements.id'], name=op.f('fk_finance_settlement_lines_settlement_id_finance_settlements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finance_settlement_lines'))
    )
    with op.batch_alter_table('finance_settlement_lines', schema=None) as batch_op:
        batch_op.create_index('ix_finance_settlement_lines_settlement', ['settlement_id'], unique=False)

    op.create_table('finance_payout_history',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('payout_id', sa.BigInteger(), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['payout_id'], ['finance_payouts.id'], name=op.f('fk_finance_payout_history_payout_id_finance_payouts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finance_payout_history'))
    )
    with op.batch_alter_table('finance_payout_history', schema=None) as batch_op:
        batch_op.create_index('ix_finance_payout_history_payout', ['payout_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('finance_payout_history', schema=None) as batch_op:
        batch_op.drop_index('ix_finance_payout_history_payout')

    op.drop_table('finance_payout_history')
    with op.batch_alter_table('finance_settlement_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_finance_settlement_lines_settlement')

    op.drop_table('finance_settlement_lines')
    with op.batch_alter_table('finance_payouts', schema=None) as batch_op:
        batch_op.drop_index('ix_finance_payouts_status')
        batch_op.drop_index('ix_finance_payouts_shop')

    op.drop_table('finance_payouts')
    with op.batch_alter_table('finance_statements', schema=None) as batch_op:
        batch_op.drop_index('ix_finance_statements_shop')

    op.drop_table('finance_statements')
    with op.batch_alter_table('finance_settlements', schema=None) as batch_op:
        batch_op.drop_index('ix_finance_settlements_shop')
        batch_op.drop_index('ix_finance_settlements_due')

    op.drop_table('finance_settlements')
    op.drop_table('finance_bank_accounts')
    with op.batch_alter_table('finance_settlement_blocks', schema=None) as batch_op:
        batch_op.drop_index('ix_finance_settlement_blocks_order')

    op.drop_table('finance_settlement_blocks')
    with op.batch_alter_table('finance_refunds', schema=None) as batch_op:
        batch_op.drop_index('ix_finance_refunds_order')

    op.drop_table('finance_refunds')
