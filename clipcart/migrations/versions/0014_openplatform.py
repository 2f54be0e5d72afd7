"""openplatform: apps, authorization, tokens and webhooks

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clipcart.db

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('open_apps',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('app_key', sa.String(length=32), nullable=False),
    sa.Column('secret_enc', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('redirect_url', sa.String(length=500), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('rate_limit_per_minute', sa.Integer(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_apps')),
    sa.UniqueConstraint('app_key', name=op.f('uq_open_apps_app_key'))
    )
    op.create_table('open_grants',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('app_id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['app_id'], ['open_apps.id'], name=op.f('fk_open_grants_app_id_open_apps')),
    sa.ForeignKeyConstraint(['revoked_by'], ['users.id'], name=op.f('fk_open_grants_revoked_by_users')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_open_grants_shop_id_shops')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_open_grants_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_grants'))
    )
    op.create_index('ix_open_grants_shop', 'open_grants', ['shop_id', 'app_id'], unique=False)
    op.create_table('open_webhooks',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('app_id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('event_type', sa.String(length=40), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['open_apps.id'], name=op.f('fk_open_webhooks_app_id_open_apps')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_open_webhooks_shop_id_shops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_webhooks')),
    sa.UniqueConstraint('app_id', 'shop_id', 'event_type', name=op.f('uq_open_webhooks_app_id_shop_id_event_type'))
    )
    op.create_table('open_auth_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('grant_id', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('used_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['grant_id'], ['open_grants.id'], name=op.f('fk_open_auth_codes_grant_id_open_grants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_open_auth_codes'))
    )
    op.create_table('open_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('grant_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('expires_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['grant_id'], ['open_grants.id'], name=op.f('fk_open_tokens_grant_id_open_grants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_open_tokens'))
    )
    op.create_index('ix_open_tokens_grant', 'open_tokens', ['grant_id'], unique=False)
    op.create_table('open_webhook_deliveries',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('notification_id', sa.String(length=40), nullable=False),
    sa.Column('subscription_id', sa.BigInteger(), nullable=False),
    sa.Column('app_id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=False),
    sa.Column('event_type', sa.String(length=40), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', clipcart.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['app_id'], ['open_apps.id'], name=op.f('fk_open_webhook_deliveries_app_id_open_apps')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_open_webhook_deliveries_shop_id_shops')),
    sa.ForeignKeyConstraint(['subscription_id'], ['open_webhooks.id'], name=op.f('fk_open_webhook_deliveries_subscription_id_open_webhooks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_webhook_deliveries')),
    sa.UniqueConstraint('notification_id', 'subscription_id', name=op.f('uq_open_webhook_deliveries_notification_id_subscription_id'))
    )
    op.create_index('ix_open_webhook_deliveries_app', 'open_webhook_deliveries', ['app_id', 'id'], unique=False)
    op.create_index('ix_open_webhook_deliveries_due', 'open_webhook_deliveries', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_open_webhook_deliveries_due', table_name='open_webhook_deliveries')
    op.drop_index('ix_open_webhook_deliveries_app', table_name='open_webhook_deliveries')
    op.drop_table('open_webhook_deliveries')
    op.drop_index('ix_open_tokens_grant', table_name='open_tokens')
    op.drop_table('open_tokens')
    op.drop_table('open_auth_codes')
    op.drop_table('open_webhooks')
    op.drop_index('ix_open_grants_shop', table_name='open_grants')
    op.drop_table('open_grants')
    op.drop_table('open_apps')
