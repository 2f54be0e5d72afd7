"""Apps, authorizations (grants), auth codes, tokens, webhook subscriptions and deliveries.

Secrets are never stored in the clear where a hash does: auth codes and tokens are kept as
SHA-256 hashes; the app secret is needed to verify signatures, so it is AES-GCM encrypted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime

SCOPES = ("seller.authorization.info", "seller.shop.info", "seller.product.basic",
          "seller.product.write", "seller.order.info", "seller.event.webhook",
          "seller.fulfillment.basic", "seller.return_refund.basic", "seller.finance.info")
DELIVERY_STATUSES = ("PENDING", "DELIVERED", "FAILED")


class OpenApp(Base):
    __tablename__ = "open_apps"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)  # also the service_id
    app_key: Mapped[str] = mapped_column(String(32), unique=True)
    secret_enc: Mapped[str] = mapped_column(Text)  # clipcart.crypto, context "app_secret"
    name: Mapped[str] = mapped_column(String(80))
    redirect_url: Mapped[str] = mapped_column(String(500), default="")
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    rate_limit_per_minute: Mapped[int] = mapped_column(Integer, default=600)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    owner_user_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"),
                                                      nullable=True, index=True)


class OpenGrant(Base):
    """A seller's authorization of one app for one shop; revoking ends every token of it."""

    __tablename__ = "open_grants"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    app_id: Mapped[int] = mapped_column(IdType, ForeignKey("open_apps.id"))
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    user_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"), nullable=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    revoked_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"), nullable=True)

    __table_args__ = (Index("ix_open_grants_shop", "shop_id", "app_id"),)


class OpenAuthCode(Base):
    """A single-use authorization code, valid 30 minutes."""

    __tablename__ = "open_auth_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[int] = mapped_column(IdType, ForeignKey("open_grants.id",
                                                             ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class OpenToken(Base):
    """An access or refresh token of a grant, by hash."""

    __tablename__ = "open_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[int] = mapped_column(IdType, ForeignKey("open_grants.id",
                                                             ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # access | refresh
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (Index("ix_open_tokens_grant", "grant_id"),)


class WebhookSubscription(Base):
    __tablename__ = "open_webhooks"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    app_id: Mapped[int] = mapped_column(IdType, ForeignKey("open_apps.id"))
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    event_type: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("app_id", "shop_id", "event_type"),)


class WebhookDelivery(Base):
    """One notification to one subscription; retried 2 min, 30 min, 3 h, 12 h after failures."""

    __tablename__ = "open_webhook_deliveries"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    notification_id: Mapped[str] = mapped_column(String(40))
    subscription_id: Mapped[int] = mapped_column(IdType, ForeignKey("open_webhooks.id",
                                                                    ondelete="CASCADE"))
    app_id: Mapped[int] = mapped_column(IdType, ForeignKey("open_apps.id"))
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    event_type: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)  # the exact bytes sent and signed
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (
        UniqueConstraint("notification_id", "subscription_id"),
        Index("ix_open_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_open_webhook_deliveries_app", "app_id", "id"),
    )
