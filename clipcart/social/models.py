"""The social context's tables. Counters live on their rows and change only by atomic
``UPDATE ... SET n = n + 1`` next to a unique row per (user, thing), so a double like or
follow is a no-op and the counts stay exact under concurrency."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime

PROFILE_KINDS = ("user", "shop")
VISIBILITIES = ("PUBLIC", "FOLLOWERS", "PRIVATE")
VIDEO_STATUSES = ("PUBLISHED", "UNDER_REVIEW", "HIDDEN", "REMOVED")
COMMENT_STATUSES = ("VISIBLE", "HIDDEN", "DELETED")
REPORT_TARGETS = ("profile", "video", "comment")


class Profile(Base):
    """A public profile: one per user, and a shop's official profile (kind ``shop``)."""

    __tablename__ = "social_profiles"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    kind: Mapped[str] = mapped_column(String(4))
    user_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id", ondelete="CASCADE"),
                                                nullable=True, unique=True)
    shop_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("shops.id", ondelete="CASCADE"),
                                                nullable=True, unique=True)
    handle: Mapped[str] = mapped_column(String(30), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    bio: Mapped[str] = mapped_column(String(300), default="")
    avatar_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    follower_count: Mapped[int] = mapped_column(Integer, default=0)
    following_count: Mapped[int] = mapped_column(Integer, default=0)
    video_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("kind IN ('user', 'shop')", name="known_kind"),
        CheckConstraint("(kind = 'user' AND user_id IS NOT NULL AND shop_id IS NULL) OR "
                        "(kind = 'shop' AND shop_id IS NOT NULL AND user_id IS NULL)",
                        name="owner_matches_kind"),
        CheckConstraint("follower_count >= 0 AND following_count >= 0 AND video_count >= 0",
                        name="counts_not_negative"),
    )


class Follow(Base):
    __tablename__ = "social_follows"
    follower_user_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("social_profiles.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_social_follows_profile", "profile_id", "created_at"),)


class Block(Base):
    """``blocker`` no longer sees ``blocked``'s comments; ``blocked`` cannot follow or
    comment on ``blocker``'s profile and videos."""

    __tablename__ = "social_blocks"
    blocker_user_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    blocked_user_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Report(Base):
    __tablename__ = "social_reports"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    reporter_user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id",
                                                                     ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(IdType)
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="OPEN")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("target_type IN ('profile', 'video', 'comment')", name="known_target"),
        CheckConstraint("status IN ('OPEN', 'RESOLVED')", name="known_status"),
        UniqueConstraint("reporter_user_id", "target_type", "target_id",
                         name="uq_social_reports_once"),
        Index("ix_social_reports_open", "status", "id"),
    )


class Video(Base):
    __tablename__ = "social_videos"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    profile_id: Mapped[int] = mapped_column(IdType, ForeignKey("social_profiles.id",
                                                               ondelete="CASCADE"))
    uploader_user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    shop_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("shops.id"), nullable=True)
    caption: Mapped[str] = mapped_column(Text, default="")
    media_key: Mapped[str] = mapped_column(String(200))
    poster_key: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    visibility: Mapped[str] = mapped_column(String(10), default="PUBLIC")
    status: Mapped[str] = mapped_column(String(12), default="PUBLISHED")
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    like_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    share_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("visibility IN ('PUBLIC', 'FOLLOWERS', 'PRIVATE')",
                        name="known_visibility"),
        CheckConstraint("status IN ('PUBLISHED', 'UNDER_REVIEW', 'HIDDEN', 'REMOVED')",
                        name="known_status"),
        CheckConstraint("view_count >= 0 AND like_count >= 0 AND comment_count >= 0 "
                        "AND share_count >= 0", name="counts_not_negative"),
        Index("ix_social_videos_profile", "profile_id", "id"),
        Index("ix_social_videos_status", "status", "visibility", "id"),
    )


class VideoProduct(Base):
    """A product anchor: a link from a video to a product of the poster's shop."""

    __tablename__ = "social_video_products"
    video_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("social_videos.id", ondelete="CASCADE"), primary_key=True)
    product_id: Mapped[int] = mapped_column(IdType, ForeignKey("products.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_social_video_products_product", "product_id"),)


class VideoTag(Base):
    __tablename__ = "social_video_tags"
    video_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("social_videos.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(100), primary_key=True)

    __table_args__ = (Index("ix_social_video_tags_tag", "tag", "video_id"),)


class VideoMention(Base):
    __tablename__ = "social_video_mentions"
    video_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("social_videos.id", ondelete="CASCADE"), primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("social_profiles.id", ondelete="CASCADE"), primary_key=True)


class VideoLike(Base):
    __tablename__ = "social_video_likes"
    user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    video_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("social_videos.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_social_video_likes_video", "video_id"),)


class VideoShare(Base):
    __tablename__ = "social_video_shares"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    video_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("social_videos.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id",
                                                                   ondelete="SET NULL"),
                                                nullable=True)
    channel: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_social_video_shares_video", "video_id"),)


class Comment(Base):
    __tablename__ = "social_comments"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    video_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("social_videos.id", ondelete="CASCADE"))
    author_user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id",
                                                                   ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("social_comments.id", ondelete="CASCADE"), nullable=True)
    body: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(8), default="VISIBLE")
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("status IN ('VISIBLE', 'HIDDEN', 'DELETED')", name="known_status"),
        CheckConstraint("reply_count >= 0", name="replies_not_negative"),
        Index("ix_social_comments_video", "video_id", "parent_id", "id"),
    )


class ModerationChange(Base):
    """History of every visibility or moderation transition of a video or a comment."""

    __tablename__ = "social_moderation_changes"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    target_type: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(IdType)
    field: Mapped[str] = mapped_column(String(10))
    from_value: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_value: Mapped[str] = mapped_column(String(12))
    actor_user_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"),
                                                      nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("target_type IN ('video', 'comment')", name="known_target"),
        CheckConstraint("field IN ('status', 'visibility')", name="known_field"),
        Index("ix_social_moderation_changes_target", "target_type", "target_id", "id"),
    )


class ShowcaseCollection(Base):
    """A creator's collection of products on their Shop tab."""

    __tablename__ = "social_showcase_collections"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    profile_id: Mapped[int] = mapped_column(IdType, ForeignKey("social_profiles.id",
                                                               ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("item_count >= 0", name="count_not_negative"),
        UniqueConstraint("profile_id", "name", name="uq_social_showcase_collections_name"),
    )


class ShowcaseItem(Base):
    __tablename__ = "social_showcase_items"
    collection_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("social_showcase_collections.id", ondelete="CASCADE"),
        primary_key=True)
    product_id: Mapped[int] = mapped_column(IdType, ForeignKey("products.id"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_social_showcase_items_product", "product_id"),)
