"""Sign-up, log-in, tokens and roles: the only way to change identity's tables."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from babel import Locale
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.config import get_settings
from clipcart.errors import Conflict, RateLimited, Unauthorized, ValidationFailed
from clipcart.identity.models import ROLES, AuthToken, Notification, User, UserRole
from clipcart.identity.passwords import decoy_hash, hash_password, verify_password
from clipcart.ids import new_id
from clipcart.markets import get_markets
from clipcart.ratelimit import get_limiter

MAX_SECRET = 200  # longer bearer tokens and cookies are refused unread
MIN_AGE_YEARS = 13  # the platform's terms: no accounts for children under 13
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
HANDLE_RE = re.compile(r"^[a-z0-9_.]{3,30}$")
_NOT_COUNTRIES = {"ZZ", "QO", "EU", "EZ", "UN", "XA", "XB"}  # CLDR regions that are not countries
COUNTRIES = frozenset(str(c) for c in Locale("en").territories
                      if len(str(c)) == 2 and str(c).isalpha() and c not in _NOT_COUNTRIES)


@dataclass(frozen=True)
class SignUp:
    email: str
    password: str
    handle: str
    country: str
    birth_date: date
    display_name: str | None = None


def _age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _validate(data: SignUp) -> tuple[str, str, str]:
    email = data.email.strip().lower()
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise ValidationFailed("Enter a valid e-mail address.", field="email")
    handle = data.handle.strip().lstrip("@").lower()
    if not HANDLE_RE.match(handle):
        raise ValidationFailed(
            "Handles are 3 to 30 characters: lower-case letters, digits, '_' and '.'.",
            field="handle",
        )
    if not 8 <= len(data.password) <= 256:
        raise ValidationFailed("Passwords are 8 to 256 characters long.", field="password")
    country = data.country.strip().upper()
    if country not in COUNTRIES:
        raise ValidationFailed("Choose a country from the list.", field="country")
    today = clock.now().date()
    if data.birth_date > today or data.birth_date.year < 1900:
        raise ValidationFailed("Enter a real birth date.", field="birth_date")
    if _age_on(data.birth_date, today) < MIN_AGE_YEARS:
        raise ValidationFailed(
            f"You must be at least {MIN_AGE_YEARS} to use clipcart.", field="birth_date"
        )
    return email, handle, country


def sign_up(session: Session, data: SignUp) -> User:
    email, handle, country = _validate(data)
    taken = session.execute(
        select(User.email, User.handle).where((User.email == email) | (User.handle == handle))
    ).first()
    if taken is not None:
        field = "email" if taken.email == email else "handle"
        raise Conflict(f"That {field.replace('_', ' ')} is already taken.",
                       code=f"{field.upper()}_TAKEN", extra={"field": field})
    now = clock.now()
    user = User(id=new_id(), email=email, handle=handle,
                display_name=(data.display_name or handle).strip()[:80],
                password_hash=hash_password(data.password), country=country,
                birth_date=data.birth_date, created_at=now, is_active=True)
    session.add(user)
    session.add(UserRole(user_id=user.id, role="buyer", granted_at=now))
    try:
        session.flush()
    except IntegrityError:  # a concurrent sign-up took the e-mail or handle
        raise Conflict("That e-mail or handle is already taken.", code="EMAIL_TAKEN") from None
    events.emit(session, "identity.user_signed_up",
                {"user_id": str(user.id), "country": country, "handle": handle})
    return user


def authenticate(session: Session, email: str, password: str, client: str) -> User:
    """Check a password, counting attempts per e-mail and per client address."""
    settings = get_settings()
    email = email.strip().lower()
    limiter = get_limiter()
    for key in (f"login:email:{email}", f"login:client:{client}"):
        allowed, retry_after = limiter.hit(key, settings.login_attempts_per_window,
                                           settings.login_window_seconds)
        if not allowed:
            raise RateLimited("Too many log-in attempts. Try again in a few minutes.",
                              retry_after=retry_after)
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        verify_password(decoy_hash(), password)
        raise Unauthorized("Wrong e-mail or password.", code="INVALID_CREDENTIALS")
    if not verify_password(user.password_hash, password) or not user.is_active:
        raise Unauthorized("Wrong e-mail or password.", code="INVALID_CREDENTIALS")
    return user


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(session: Session, user_id: int, kind: str) -> tuple[str, AuthToken]:
    """A new opaque secret for a web session or the API; only its hash is stored."""
    settings = get_settings()
    lifetime = (timedelta(days=settings.session_days) if kind == "session"
                else timedelta(hours=settings.api_token_hours))
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    token = AuthToken(id=new_id(), token_hash=token_digest(secret), kind=kind, user_id=user_id,
                      created_at=now, expires_at=now + lifetime)
    session.add(token)
    session.flush()
    return secret, token


def _live_token() -> tuple[Any, ...]:
    """A token that is this one, of this kind, not revoked nor expired, of an active user."""
    return (AuthToken.token_hash == bindparam("digest"), AuthToken.kind == bindparam("kind"),
            AuthToken.revoked_at.is_(None), AuthToken.expires_at > bindparam("now"),
            User.is_active.is_(True))


@dataclass(frozen=True)
class TokenHolder:
    id: int
    handle: str
    email: str
    display_name: str
    country: str
    roles: tuple[str, ...]


def token_holder(session: Session, secret: str, kind: str) -> TokenHolder | None:
    """Who holds this live token, with their roles."""
    lease = token_lease(session, secret, kind)
    return None if lease is None else lease[0]


def token_lease(session: Session, secret: str,
                kind: str) -> tuple[TokenHolder, datetime] | None:
    """Who holds this live token, with their roles, and until when the token lasts: what
    every request asks, in one statement of plain rows (one row per role)."""
    if not secret or len(secret) > MAX_SECRET:
        return None
    rows = session.connection().execute(  # Core rows: no ORM work, nothing to flush
        _holder_query(), {"digest": token_digest(secret), "kind": kind,
                          "now": clock.now()}).all()
    if not rows:
        return None
    first = rows[0]
    holder = TokenHolder(first.id, first.handle, first.email, first.display_name,
                         first.country, tuple(sorted(r.role for r in rows if r.role is not None)))
    return holder, first.expires_at


@functools.cache
def _holder_query() -> Any:
    return (select(User.id, User.handle, User.email, User.display_name, User.country,
                   UserRole.role, AuthToken.expires_at)
            .join(AuthToken, AuthToken.user_id == User.id)
            .outerjoin(UserRole, UserRole.user_id == User.id)
            .where(*_live_token()))


def revoke_token(session: Session, secret: str) -> None:
    session.execute(
        update(AuthToken)
        .where(AuthToken.token_hash == token_digest(secret), AuthToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


def roles_of(session: Session, user_id: int) -> list[str]:
    rows = session.execute(_roles_query(), {"user_id": user_id})
    return sorted(r[0] for r in rows)


@functools.cache
def _roles_query() -> Any:
    return select(UserRole.role).where(UserRole.user_id == bindparam("user_id"))


def grant_role(session: Session, user_id: int, role: str) -> None:
    if role not in ROLES:
        raise ValidationFailed(f"Unknown role {role!r}.", field="role")
    if session.get(UserRole, (user_id, role)) is None:
        session.add(UserRole(user_id=user_id, role=role, granted_at=clock.now()))
        session.flush()


def remove_role(session: Session, user_id: int, role: str) -> None:
    """Take a role away (nothing happens when the user does not hold it)."""
    session.execute(delete(UserRole).where(UserRole.user_id == user_id, UserRole.role == role))


def user_by_email(session: Session, email: str) -> User | None:
    return session.execute(
        select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()


def create_operator(session: Session, email: str, password: str) -> User:
    """An operator account for the CLI; an existing user is promoted instead."""
    user = user_by_email(session, email)
    if user is None:
        handle = re.sub(r"[^a-z0-9_.]", "", email.split("@")[0].lower())[:24] or "operator"
        while session.execute(select(User.id).where(User.handle == handle)).first():
            handle = f"{handle[:24]}{secrets.randbelow(10**5):05d}"
        markets = get_markets()
        user = sign_up(session, SignUp(email=email, password=password, handle=handle,
                                       country=next(iter(markets)).code,
                                       birth_date=date(1990, 1, 1), display_name="Operator"))
    grant_role(session, user.id, "operator")
    return user


def can_shop(user: User) -> bool:
    """Buyers outside the eight markets may browse content but see no shop."""
    return user.country in get_markets()


def unread_notifications(session: Session, user_id: int) -> int:
    return session.execute(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ).scalar_one()


def recent_notifications(session: Session, user_id: int, limit: int = 20) -> list[Notification]:
    return list(session.execute(
        select(Notification).where(Notification.user_id == user_id)
        .order_by(Notification.id.desc()).limit(limit)
    ).scalars())


def notify(session: Session, user_id: int, kind: str, title: str, body: str,
           source_event_id: int | None = None) -> Notification:
    note = Notification(id=new_id(), user_id=user_id, kind=kind, title=title, body=body,
                        created_at=clock.now(), source_event_id=source_event_id)
    session.add(note)
    return note


def mark_notifications_read(session: Session, user_id: int, until: datetime) -> None:
    session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=until)
    )
