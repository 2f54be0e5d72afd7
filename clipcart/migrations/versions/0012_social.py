"""social: profiles, follows, videos, comments and showcases

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clipcart.db


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('social_blocks',
    sa.Column('blocker_user_id', sa.BigInteger(), nullable=False),
    sa.Column('blocked_user_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['blocked_user_id'], ['users.id'], name=op.f('fk_social_blocks_blocked_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['blocker_user_id'], ['users.id'], name=op.f('fk_social_blocks_blocker_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('blocker_user_id', 'blocked_user_id', name=op.f('pk_social_blocks'))
    )
    op.create_table('social_moderation_changes',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('target_type', sa.String(length=10), nullable=False),
    sa.Column('target_id', sa.BigInteger(), nullable=False),
    sa.Column('field', sa.String(length=10), nullable=False),
    sa.Column('from_value', sa.String(length=12), nullable=True),
    sa.Column('to_value', sa.String(length=12), nullable=False),
    sa.Column('actor_user_id', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("field IN ('status', 'visibility')", name=op.f('ck_social_moderation_changes_known_field')),
    sa.CheckConstraint("target_type IN ('video', 'comment')", name=op.f('ck_social_moderation_changes_known_target')),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_social_moderation_changes_actor_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_moderation_changes'))
    )
    with op.batch_alter_table('social_moderation_changes', schema=None) as batch_op:
        batch_op.create_index('ix_social_moderation_changes_target', ['target_type', 'target_id', 'id'], unique=False)

    op.create_table('social_reports',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('reporter_user_id', sa.BigInteger(), nullable=False),
    sa.Column('target_type', sa.String(length=10), nullable=False),
    sa.Column('target_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('OPEN', 'RESOLVED')", name=op.f('ck_social_reports_known_status')),
    sa.CheckConstraint("target_type IN ('profile', 'video', 'comment')", name=op.f('ck_social_reports_known_target')),
    sa.ForeignKeyConstraint(['reporter_user_id'], ['users.id'], name=op.f('fk_social_reports_reporter_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_reports')),
    sa.UniqueConstraint('reporter_user_id', 'target_type', 'target_id', name='uq_social_reports_once')
    )
    with op.batch_alter_table('social_reports', schema=None) as batch_op:
        batch_op.create_index('ix_social_reports_open', ['status', 'id'], unique=False)

    op.create_table('social_profiles',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('shop_id', sa.BigInteger(), nullable=True),
    sa.Column('handle', sa.String(length=30), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('bio', sa.String(length=300), nullable=False),
    sa.Column('avatar_key', sa.String(length=200), nullable=True),
    sa.Column('follower_count', sa.Integer(), nullable=False),
    sa.Column('following_count', sa.Integer(), nullable=False),
    sa.Column('video_count', sa.Integer(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'user' AND user_id IS NOT NULL AND shop_id IS NULL) OR (kind = 'shop' AND shop_id IS NOT NULL AND user_id IS NULL)", name=op.f('ck_social_profiles_owner_matches_kind')),
    sa.CheckConstraint("kind IN ('user', 'shop')", name=op.f('ck_social_profiles_known_kind')),
    sa.CheckConstraint('follower_count >= 0 AND following_count >= 0 AND video_count >= 0', name=op.f('ck_social_profiles_counts_not_negative')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_social_profiles_shop_id_shops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_social_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_profiles')),
    sa.UniqueConstraint('handle', name=op.f('uq_social_profiles_handle')),
    sa.UniqueConstraint('shop_id', name=op.f('uq_social_profiles_shop_id')),
    sa.UniqueConstraint('user_id', name=op.f('uq_social_profiles_user_id'))
    )
    op.create_table('social_follows',
    sa.Column('follower_user_id', sa.BigInteger(), nullable=False),
    sa.Column('profile_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['follower_user_id'], ['users.id'], name=op.f('fk_social_follows_follower_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_id'], ['social_profiles.id'], name=op.f('fk_social_follows_profile_id_social_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('follower_user_id', 'profile_id', name=op.f('pk_social_follows'))
    )
    with op.batch_alter_table('social_follows', schema=None) as batch_op:
        batch_op.create_index('ix_social_follows_profile', ['profile_id', 'created_at'], unique=False)

    op.create_table('social_showcase_collections',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('profile_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('item_count >= 0', name=op.f('ck_social_showcase_collections_count_not_negative')),
    sa.ForeignKeyConstraint(['profile_id'], ['social_profiles.id'], name=op.f('fk_social_showcase_collections_profile_id_social_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_showcase_collections')),
    sa.UniqueConstraint('profile_id', 'name', name='uq_social_showcase_collections_name')
    )
    op.create_table('social_videos',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('profile_id', sa.BigInteger(), nullable=False),
    sa.Column('uploader_user_id', sa.BigInteger(), nullable=False),
    sa.Column('shop_id', sa.BigInteger(), nullable=True),
    sa.Column('caption', sa.Text(), nullable=False),
    sa.Column('media_key', sa.String(length=200), nullable=False),
    sa.Column('poster_key', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('view_count', sa.Integer(), nullable=False),
    sa.Column('like_count', sa.Integer(), nullable=False),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.Column('share_count', sa.Integer(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('PUBLISHED', 'UNDER_REVIEW', 'HIDDEN', 'REMOVED')", name=op.f('ck_social_videos_known_status')),
    sa.CheckConstraint("visibility IN ('PUBLIC', 'FOLLOWERS', 'PRIVATE')", name=op.f('ck_social_videos_known_visibility')),
    sa.CheckConstraint('view_count >= 0 AND like_count >= 0 AND comment_count >= 0 AND share_count >= 0', name=op.f('ck_social_videos_counts_not_negative')),
    sa.ForeignKeyConstraint(['profile_id'], ['social_profiles.id'], name=op.f('fk_social_videos_profile_id_social_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_social_videos_shop_id_shops')),
    sa.ForeignKeyConstraint(['uploader_user_id'], ['users.id'], name=op.f('fk_social_videos_uploader_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_videos'))
    )
    with op.batch_alter_table('social_videos', schema=None) as batch_op:
        batch_op.create_index('ix_social_videos_profile', ['profile_id', 'id'], unique=False)
        batch_op.create_index('ix_social_videos_status', ['status', 'visibility', 'id'], unique=False)

    op.create_table('social_comments',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('video_id', sa.BigInteger(), nullable=False),
    sa.Column('author_user_id', sa.BigInteger(), nullable=False),
    sa.Column('parent_id', sa.BigInteger(), nullable=True),
    sa.Column('body', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('reply_count', sa.Integer(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('VISIBLE', 'HIDDEN', 'DELETED')", name=op.f('ck_social_comments_known_status')),
    sa.CheckConstraint('reply_count >= 0', name=op.f('ck_social_comments_replies_not_negative')),
    sa.ForeignKeyConstraint(['author_user_id'], ['users.id'], name=op.f('fk_social_comments_author_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['social_comments.id'], name=op.f('fk_social_comments_parent_id_social_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['video_id'], ['social_videos.id'], name=op.f('fk_social_comments_video_id_social_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_comments'))
    )
    with op.batch_alter_table('social_comments', schema=None) as batch_op:
        batch_op.create_index('ix_social_comments_video', ['video_id', 'parent_id', 'id'], unique=False)

    op.create_table('social_showcase_items',
    sa.Column('collection_id', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('added_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['social_showcase_collections.id'], name=op.f('fk_social_showcase_items_collection_id_social_showcase_collections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_social_showcase_items_product_id_products')),
    sa.PrimaryKeyConstraint('collection_id', 'product_id', name=op.f('pk_social_showcase_items'))
    )
    with op.batch_alter_table('social_showcase_items', schema=None) as batch_op:
        batch_op.create_index('ix_social_showcase_items_product', ['product_id'], unique=False)

    op.create_table('social_video_likes',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('video_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_social_video_likes_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['video_id'], ['social_videos.id'], name=op.f('fk_social_video_likes_video_id_social_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'video_id', name=op.f('pk_social_video_likes'))
    )
    with op.batch_alter_table('social_video_likes', schema=None) as batch_op:
        batch_op.create_index('ix_social_video_likes_video', ['video_id'], unique=False)

    op.create_table('social_video_mentions',
    sa.Column('video_id', sa.BigInteger(), nullable=False),
    sa.Column('profile_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['profile_id'], ['social_profiles.id'], name=op.f('fk_social_video_mentions_profile_id_social_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['video_id'], ['social_videos.id'], name=op.f('fk_social_video_mentions_video_id_social_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('video_id', 'profile_id', name=op.f('pk_social_video_mentions'))
    )
    op.create_table('social_video_products',
    sa.Column('video_id', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_social_video_products_product_id_products')),
    sa.ForeignKeyConstraint(['video_id'], ['social_videos.id'], name=op.f('fk_social_video_products_video_id_social_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('video_id', 'product_id', name=op.f('pk_social_video_products'))
    )
    with op.batch_alter_table('social_video_products', schema=None) as batch_op:
        batch_op.create_index('ix_social_video_products_product', ['product_id'], unique=False)

    op.create_table('social_video_shares',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('video_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('created_at', clipcart.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_social_video_shares_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['video_id'], ['social_videos.id'], name=op.f('fk_social_video_shares_video_id_social_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_video_shares'))
    )
    with op.batch_alter_table('social_video_shares', schema=None) as batch_op:
        batch_op.create_index('ix_social_video_shares_video', ['video_id'], unique=False)

    op.create_table('social_video_tags',
    sa.Column('video_id', sa.BigInteger(), nullable=False),
    sa.Column('tag', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['video_id'], ['social_videos.id'], name=op.f('fk_social_video_tags_video_id_social_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('video_id', 'tag', name=op.f('pk_social_video_tags'))
    )
    with op.batch_alter_table('social_video_tags', schema=None) as batch_op:
        batch_op.create_index('ix_social_video_tags_tag', ['tag', 'video_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('social_video_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_social_video_tags_tag')

    op.drop_table('social_video_tags')
    with op.batch_alter_table('social_video_shares', schema=None) as batch_op:
        batch_op.drop_index('ix_social_video_shares_video')

    op.drop_table('social_video_shares')
    with op.batch_alter_table('social_video_products', schema=None) as batch_op:
        batch_op.drop_index('ix_social_video_products_product')

    op.drop_table('social_video_products')
    op.drop_table('social_video_mentions')
    with op.batch_alter_table('social_video_likes', schema=None) as batch_op:
        batch_op.drop_index('ix_social_video_likes_video')

    op.drop_table('social_video_likes')
    with op.batch_alter_table('social_showcase_items', schema=None) as batch_op:
        batch_op.drop_index('ix_social_showcase_items_product')

    op.drop_table('social_showcase_items')
    with op.batch_alter_table('social_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_social_comments_video')

    op.drop_table('social_comments')
    with op.batch_alter_table('social_videos', schema=None) as batch_op:
        batch_op.drop_index('ix_social_videos_status')
        batch_op.drop_index('ix_social_videos_profile')

    op.drop_table('social_videos')
    op.drop_table('social_showcase_collections')
    with op.batch_alter_table('social_follows', schema=None) as batch_op:
        batch_op.drop_index('ix_social_follows_profile')

    op.drop_table('social_follows')
    op.drop_table('social_profiles')
    with op.batch_alter_table('social_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_social_reports_open')

    op.drop_table('social_reports')
    with op.batch_alter_table('social_moderation_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_social_moderation_changes_target')

    op.drop_table('social_moderation_changes')
    op.drop_table('social_blocks')
