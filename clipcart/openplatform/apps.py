"""The app registry: the operator creates apps; each has a key, a secret, scopes and maybe an
owner (the developer who sees its delivery log)."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart import clock, crypto
from clipcart.errors import NotFound, ValidationFailed
from clipcart.identity import service as identity
from clipcart.ids import new_id, parse_id
from clipcart.openplatform.models import SCOPES, OpenApp


def _clean_redirect(url: str) -> str:
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise ValidationFailed("The redirect URL must be an http(s) URL.", field="redirect_url")
    return url


def owner_of_email(session: Session, email: str) -> int | None:
    """The user who will own an app, by e-mail; blank means no owner."""
    if not email.strip():
        return None
    user = identity.user_by_email(session, email)
    if user is None:
        raise ValidationFailed("No user has that e-mail address.", code="UNKNOWN_OWNER",
                               field="owner_email")
    return user.id


def create_app(session: Session, name: str, *, redirect_url: str = "",
               scopes: list[str] | None = None,
               owner_email: str = "") -> tuple[OpenApp, str]:
    """A new app and its secret (shown once here; stored encrypted)."""
    owner_user_id = owner_of_email(session, owner_email)
    clean_name = " ".join(name.split())
    if not 2 <= len(clean_name) <= 80:
        raise ValidationFailed("App names are 2 to 80 characters.", field="name")
    wanted = list(SCOPES) if scopes is None else scopes
    unknown = [s for s in wanted if s not in SCOPES]
    if unknown:
        raise ValidationFailed(f"Unknown scopes: {', '.join(unknown)}.", field="scopes")
    secret = secrets.token_hex(20)
    app = OpenApp(id=new_id(), app_key=secrets.token_hex(7), name=clean_name,
                  secret_enc=crypto.encrypt(secret, "app_secret"),
                  redirect_url=_clean_redirect(redirect_url), scopes=list(wanted),
                  created_at=clock.now(), owner_user_id=owner_user_id)
    session.add(app)
    session.flush()
    return app, secret


def secret_of(app: OpenApp) -> str:
    return crypto.decrypt(app.secret_enc, "app_secret")


def by_key(session: Session, app_key: str) -> OpenApp | None:
    return session.execute(select(OpenApp).where(OpenApp.app_key == app_key,
                                                 OpenApp.disabled_at.is_(None))).scalar_one_or_none()


def by_service_id(session: Session, service_id: str) -> OpenApp:
    app_id = parse_id(service_id)
    app = session.get(OpenApp, app_id) if app_id is not None else None
    if app is None or app.disabled_at is not None:
        raise NotFound("No such app.")
    return app


def all_apps(session: Session) -> list[OpenApp]:
    return list(session.execute(select(OpenApp).order_by(OpenApp.id.desc())).scalars())


def apps_of_owner(session: Session, user_id: int) -> list[OpenApp]:
    return list(session.execute(select(OpenApp).where(OpenApp.owner_user_id == user_id)
                                .order_by(OpenApp.id.desc())).scalars())


def owned_app(session: Session, user_id: int, raw_id: str) -> OpenApp:
    """The user's own app; anyone else's is "not found" so its existence does not leak."""
    app_id = parse_id(raw_id)
    app = session.get(OpenApp, app_id) if app_id is not None else None
    if app is None or app.owner_user_id != user_id:
        raise NotFound("No such app.")
    return app
