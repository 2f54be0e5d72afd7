"""Seller authorization: codes, token exchange and refresh, revocation, shop ciphers.

Access tokens live 7 days; refresh tokens 365 days; codes 30 minutes and once. Tokens are
random and stored as SHA-256 hashes; expiry times are answered as absolute Unix seconds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.config import get_settings
from clipcart.errors import NotFound
from clipcart.ids import new_id
from clipcart.openplatform.models import OpenApp, OpenAuthCode, OpenGrant, OpenToken
from clipcart.shops.models import Shop

ACCESS_TTL = timedelta(days=7)
REFRESH_TTL = timedelta(days=365)
CODE_TTL = timedelta(minutes=30)


class GrantError(Exception):
    """A token call that cannot be honoured; ``code`` is the Partner API error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def shop_cipher(shop_id: int) -> str:
    """A stable opaque handle of a shop, as the Partner API's ``shop_cipher``."""
    mac = hmac.new(get_settings().secret_key.encode(), f"shop-cipher:{shop_id}".encode(),
                   hashlib.sha256).digest()[:18]
    return "ROW_" + base64.urlsafe_b64encode(mac).decode().rstrip("=")


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    access_expires: int
    refresh_token: str
    refresh_expires: int
    grant: OpenGrant


def authorize(session: Session, app: OpenApp, shop: Shop, user_id: int | None) -> OpenGrant:
    """A live grant of ``app`` on ``shop`` (the existing one, or a new one)."""
    found = session.execute(select(OpenGrant).where(
        OpenGrant.app_id == app.id, OpenGrant.shop_id == shop.id,
        OpenGrant.revoked_at.is_(None))).scalar_one_or_none()
    if found is not None:
        return found
    grant = OpenGrant(id=new_id(), app_id=app.id, shop_id=shop.id, user_id=user_id,
                      scopes=list(app.scopes), created_at=clock.now())
    session.add(grant)
    session.flush()
    return grant


def issue_code(session: Session, grant: OpenGrant) -> str:
    code = "CC_" + secrets.token_urlsafe(24)
    session.add(OpenAuthCode(code_hash=_hash(code), grant_id=grant.id,
                             expires_at=clock.now() + CODE_TTL))
    return code


def _issue_tokens(session: Session, grant: OpenGrant) -> TokenPair:
    now = clock.now()
    access, refresh = "TTP_" + secrets.token_urlsafe(32), "TTR_" + secrets.token_urlsafe(32)
    session.add_all([
        OpenToken(token_hash=_hash(access), grant_id=grant.id, kind="access",
                  expires_at=now + ACCESS_TTL, created_at=now),
        OpenToken(token_hash=_hash(refresh), grant_id=grant.id, kind="refresh",
                  expires_at=now + REFRESH_TTL, created_at=now)])
    session.flush()
    return TokenPair(access, int((now + ACCESS_TTL).timestamp()), refresh,
                     int((now + REFRESH_TTL).timestamp()), grant)


def exchange_code(session: Session, app: OpenApp, code: str) -> TokenPair:
    """Spend a code once (a conditional UPDATE), for the app it was issued to."""
    now = clock.now()
    row = session.get(OpenAuthCode, _hash(code))
    grant = session.get(OpenGrant, row.grant_id) if row is not None else None
    if row is None or grant is None or grant.app_id != app.id:
        raise GrantError(36004004, "The auth_code is invalid.")
    if row.expires_at <= now or grant.revoked_at is not None:
        raise GrantError(36004005, "The auth_code has expired.")
    spent = session.execute(update(OpenAuthCode).where(
        OpenAuthCode.code_hash == row.code_hash, OpenAuthCode.used_at.is_(None))
        .values(used_at=now).returning(OpenAuthCode.code_hash)).first()
    if spent is None:
        raise GrantError(36004006, "The auth_code has already been used.")
    return _issue_tokens(session, grant)


def refresh(session: Session, app: OpenApp, refresh_token: str) -> TokenPair:
    """New tokens for a live refresh token; the old refresh token is spent."""
    now = clock.now()
    row = session.get(OpenToken, _hash(refresh_token))
    grant = session.get(OpenGrant, row.grant_id) if row is not None else None
    if row is None or row.kind != "refresh" or grant is None or grant.app_id != app.id:
        raise GrantError(36004007, "The refresh_token is invalid.")
    if row.expires_at <= now or grant.revoked_at is not None:
        raise GrantError(36004008, "The refresh_token has expired or was revoked.")
    spent = session.execute(update(OpenToken).where(
        OpenToken.token_hash == row.token_hash, OpenToken.revoked_at.is_(None))
        .values(revoked_at=now).returning(OpenToken.token_hash)).first()
    if spent is None:
        raise GrantError(36004008, "The refresh_token has expired or was revoked.")
    return _issue_tokens(session, grant)


def grant_for_script(session: Session, app: OpenApp, shop: Shop) -> TokenPair:
    """What ``clipcart apps grant`` does: authorize and issue tokens at once."""
    return _issue_tokens(session, authorize(session, app, shop, None))


def grant_of_access_token(session: Session, token: str) -> tuple[OpenGrant | None, str]:
    """(grant, problem): problem is "" when the token is live, else invalid/expired/revoked."""
    row = session.get(OpenToken, _hash(token))
    if row is None or row.kind != "access":
        return None, "invalid"
    grant = session.get(OpenGrant, row.grant_id)
    if grant is None or grant.revoked_at is not None or row.revoked_at is not None:
        return grant, "revoked"
    if row.expires_at <= clock.now():
        return grant, "expired"
    return grant, ""


def revoke(session: Session, grant_id: int, shop_id: int, user_id: int | None) -> OpenGrant:
    """The seller ends an app's access to the shop: every token of the grant stops working."""
    grant = session.execute(select(OpenGrant).where(OpenGrant.id == grant_id,
                                                    OpenGrant.shop_id == shop_id)
                            .with_for_update()).scalar_one_or_none()
    if grant is None:
        raise NotFound("No such authorization.")
    if grant.revoked_at is None:
        now = clock.now()
        grant.revoked_at, grant.revoked_by = now, user_id
        session.execute(update(OpenToken).where(OpenToken.grant_id == grant.id,
                                                OpenToken.revoked_at.is_(None))
                        .values(revoked_at=now))
        events.emit(session, "openplatform.grant_revoked", {
            "grant_id": str(grant.id), "app_id": str(grant.app_id),
            "shop_id": str(grant.shop_id)})
    return grant


def grants_of_shop(session: Session, shop_id: int) -> list[tuple[OpenGrant, OpenApp]]:
    rows = session.execute(select(OpenGrant, OpenApp).join(OpenApp, OpenApp.id == OpenGrant.app_id)
                           .where(OpenGrant.shop_id == shop_id).order_by(OpenGrant.id.desc()))
    return [(g, a) for g, a in rows.all()]


def live_grant(session: Session, app_id: int, shop_id: int) -> OpenGrant | None:
    return session.execute(select(OpenGrant).where(
        OpenGrant.app_id == app_id, OpenGrant.shop_id == shop_id,
        OpenGrant.revoked_at.is_(None))).scalar_one_or_none()


def authorized_shop_count(session: Session, app_id: int) -> int:
    return session.execute(select(func.count(func.distinct(OpenGrant.shop_id))).where(
        OpenGrant.app_id == app_id, OpenGrant.revoked_at.is_(None))).scalar_one()
