from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime

SHOP_STATUSES = ("PENDING", "APPROVED", "REJECTED", "SUSPENDED")
STAFF_ROLES = ("owner", "manager", "fulfillment")
INVITABLE_ROLES = ("manager", "fulfillment")


class Shop(Base):
    __tablename__ = "shops"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    market: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12))
    owner_user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    logo_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    logo_thumb_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    rejection_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"), nullable=True)

    __table_args__ = (
        CheckConstraint("status IN ('PENDING', 'APPROVED', 'REJECTED', 'SUSPENDED')",
                        name="known_status"),
        Index("ix_shops_status", "status", "id"),
        Index("ix_shops_owner", "owner_user_id"),
    )


class ShopStatusChange(Base):
    """One row per transition of a shop's status (DESIGN rule 6), with who and why."""

    __tablename__ = "shop_status_changes"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_status: Mapped[str] = mapped_column(String(12))
    actor_user_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"),
                                                      nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_shop_status_changes_shop", "shop_id", "id"),)


class ShopMember(Base):
    """A user working for a shop, with one staff role."""

    __tablename__ = "shop_members"
    shop_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("role IN ('owner', 'manager', 'fulfillment')", name="known_role"),
        Index("ix_shop_members_user", "user_id"),
    )


class ShopInvitation(Base):
    """An e-mailed invitation to join a shop's staff; only the token's digest is stored."""

    __tablename__ = "shop_invitations"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    accepted_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"),
                                                    nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (
        CheckConstraint("role IN ('manager', 'fulfillment')", name="known_role"),
        Index("ix_shop_invitations_shop", "shop_id"),
        Index("ix_shop_invitations_email", "email"),
    )
