"""Who is calling: a bearer token on ``/api``, a session cookie on pages.

The middleware resolves the caller once per request and puts a ``CurrentUser`` (or None)
in ``scope["user"]`` (a bearer token seen live in the last seconds comes from
``identity.holder_cache`` without leaving the event loop); guards declared on routes check
roles, so permission checks stay at the edge and not inside handler bodies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from clipcart.db import get_database
from clipcart.errors import Forbidden, Unauthorized
from clipcart.identity import holder_cache
from clipcart.identity import service as identity

SESSION_COOKIE = "cc_session"
API_PREFIXES = ("/api/",)


@dataclass(frozen=True)
class CurrentUser(identity.TokenHolder):
    """The token's holder as requests see it, with their unread notifications on pages."""

    unread: int = 0

    def has(self, role: str) -> bool:
        return role in self.roles

    @classmethod
    def of(cls, holder: identity.TokenHolder, unread: int = 0) -> CurrentUser:
        return cls(holder.id, holder.handle, holder.email, holder.display_name, holder.country,
                   holder.roles, unread)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    for header, value in scope.get("headers", []):
        if header == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                if key == name:
                    return val
    return None


def load_user(secret: str, kind: str) -> CurrentUser | None:
    with get_database().read_only() as session:  # pure reads: no place in the writer queue
        if kind == holder_cache.KIND:
            user = holder_cache.holder(session, secret)
        else:
            user = identity.token_holder(session, secret, kind)
        if user is None:
            return None
        unread = identity.unread_notifications(session, user.id) if kind == "session" else 0
        return CurrentUser.of(user, unread)


class AuthMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)
    should_bypass_for_scope = staticmethod(
        lambda scope: scope["path"].startswith(("/static/", "/media/")))

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        from anyio.to_thread import run_sync

        path = scope.get("path", "")
        user: CurrentUser | None = None
        if path.startswith(API_PREFIXES):
            token = _bearer(scope)
            if token:  # a token seen live in the last seconds is answered here, on the loop
                cached = holder_cache.cached(token)
                user = CurrentUser.of(cached) if cached is not None \
                    else await run_sync(load_user, token, holder_cache.KIND)
        else:
            cookie = _cookie(scope, SESSION_COOKIE)
            if cookie:
                user = await run_sync(load_user, cookie, "session")
        scope["user"] = user
        await next_app(scope, receive, send)


def requires_user(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if connection.scope.get("user") is None:
        raise Unauthorized("Log in to continue.")


def requires_role(role: str) -> Callable[[ASGIConnection, BaseRouteHandler], None]:
    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if user is None:
            raise Unauthorized("Log in to continue.")
        if not user.has(role):
            raise Forbidden(f"This needs the {role} role.")

    return guard


def current_user(connection: ASGIConnection) -> CurrentUser | None:
    return connection.scope.get("user")
