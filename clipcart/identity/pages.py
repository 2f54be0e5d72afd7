"""Sign-up, log-in, log-out and notifications pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from babel import Locale
from litestar import Request, Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template

from clipcart import clock
from clipcart.checkout.carts import GUEST_COOKIE, merge_guest_cart
from clipcart.config import get_settings
from clipcart.db import transaction
from clipcart.errors import DomainError, ValidationFailed
from clipcart.identity import service
from clipcart.identity.service import COUNTRIES
from clipcart.markets import get_markets
from clipcart.web.auth import SESSION_COOKIE, CurrentUser, requires_user
from clipcart.web.http import client_address

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _safe_next(target: str | None) -> str:
    # Only local paths: never bounce a user to another site after log-in.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _country_choices() -> list[tuple[str, str]]:
    names = Locale("en").territories
    markets = [(m.code, m.name) for m in get_markets()]
    others = sorted(((c, names[c]) for c in COUNTRIES if c not in get_markets()),
                    key=lambda pair: pair[1])
    return [*markets, ("", "──────────"), *others]


def _with_session(response: Response[Any], secret: str) -> Response[Any]:
    response.set_cookie(SESSION_COOKIE, secret, max_age=get_settings().session_days * 86400,
                        httponly=True, samesite="lax", path="/",
                        secure=get_settings().base_url.startswith("https"))
    return response


@get("/signup", sync_to_thread=False, include_in_schema=False)
def signup_page(next: FromQuery[str | None] = None) -> Template:
    return Template("identity/signup.html", context={
        "countries": _country_choices(), "form": {}, "error": None, "next": _safe_next(next)})


@post("/signup", sync_to_thread=True, include_in_schema=False)
def signup_submit(data: Form, request: Request[Any, Any, Any]) -> Response[Any]:
    form = {k: v for k, v in data.items() if k != "password"}
    try:
        try:
            birth = date.fromisoformat(data.get("birth_date", ""))
        except ValueError:
            raise ValidationFailed("Enter your birth date.", field="birth_date") from None
        with transaction() as session:
            user = service.sign_up(session, service.SignUp(
                email=data.get("email", ""), password=data.get("password", ""),
                handle=data.get("handle", ""), country=data.get("country", ""),
                birth_date=birth, display_name=data.get("display_name") or None))
            secret, _ = service.issue_token(session, user.id, "session")
            merge_guest_cart(session, user.id, user.country, request.cookies.get(GUEST_COOKIE))
    except DomainError as exc:
        return Template("identity/signup.html", status_code=exc.status, context={
            "countries": _country_choices(), "form": form, "error": exc.detail,
            "field": exc.extra.get("field"), "next": _safe_next(data.get("next"))})
    return _with_session(Redirect(_safe_next(data.get("next"))), secret)


@get("/login", sync_to_thread=False, include_in_schema=False)
def login_page(next: FromQuery[str | None] = None) -> Template:
    return Template("identity/login.html", context={"form": {}, "error": None,
                                                    "next": _safe_next(next)})


@post("/login", sync_to_thread=True, include_in_schema=False)
def login_submit(data: Form, request: Request[Any, Any, Any]) -> Response[Any]:
    try:
        with transaction() as session:
            user = service.authenticate(session, data.get("email", ""),
                                        data.get("password", ""), client_address(request))
            secret, _ = service.issue_token(session, user.id, "session")
            merge_guest_cart(session, user.id, user.country, request.cookies.get(GUEST_COOKIE))
    except DomainError as exc:
        headers = {"Retry-After": str(getattr(exc, "retry_after", ""))} if exc.status == 429 \
            else None
        return Template("identity/login.html", status_code=exc.status, headers=headers,
                        context={"form": {"email": data.get("email", "")}, "error": exc.detail,
                                 "next": _safe_next(data.get("next"))})
    return _with_session(Redirect(_safe_next(data.get("next"))), secret)


@post("/logout", sync_to_thread=True, include_in_schema=False)
def logout(request: Request[Any, Any, Any]) -> Response[Any]:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        with transaction() as session:
            service.revoke_token(session, secret)
    response = Redirect("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@get("/notifications", sync_to_thread=True, guards=[requires_user], include_in_schema=False)
def notifications(request: Request[CurrentUser, Any, Any]) -> Template:
    with transaction() as session:
        items = service.recent_notifications(session, request.user.id)
        service.mark_notifications_read(session, request.user.id, clock.now())
    return Template("identity/notifications.html", context={"items": items})


router = Router(path="/", route_handlers=[signup_page, signup_submit, login_page, login_submit,
                                          logout, notifications])
