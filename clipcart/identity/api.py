"""Buyer API: sign-up, tokens and the current user."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get, post
from litestar.params import JSONBody

from clipcart.config import get_settings
from clipcart.db import transaction
from clipcart.identity import service
from clipcart.markets import get_markets
from clipcart.web.auth import CurrentUser, requires_user
from clipcart.web.http import client_address


class SignUpBody(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(max_length=254)]
    password: Annotated[str, msgspec.Meta(max_length=256)]
    handle: Annotated[str, msgspec.Meta(max_length=40)]
    country: Annotated[str, msgspec.Meta(min_length=2, max_length=2)]
    birth_date: date
    display_name: Annotated[str, msgspec.Meta(max_length=80)] | None = None


class TokenBody(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(max_length=254)]
    password: Annotated[str, msgspec.Meta(max_length=256)]


class UserSummary(msgspec.Struct):
    id: str
    handle: str
    country: str


class SignUpAnswer(msgspec.Struct):
    user: UserSummary
    access_token: str
    token_type: str
    expires_in: int


class TokenAnswer(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int


class MeAnswer(msgspec.Struct):
    id: str
    handle: str
    email: str
    display_name: str
    country: str
    roles: list[str]
    can_shop: bool


def _expires_in() -> int:
    return get_settings().api_token_hours * 3600


@post("/auth/signup", status_code=201, sync_to_thread=True, summary="Create an account",
      description="Creates a buyer account and answers with an API access token.")
def signup(data: JSONBody[SignUpBody]) -> SignUpAnswer:
    with transaction() as session:
        user = service.sign_up(session, service.SignUp(
            email=data.email, password=data.password, handle=data.handle,
            country=data.country, birth_date=data.birth_date, display_name=data.display_name))
        secret, _ = service.issue_token(session, user.id, "api")
        return SignUpAnswer(UserSummary(str(user.id), user.handle, user.country), secret,
                            "bearer", _expires_in())


@post("/auth/token", status_code=200, sync_to_thread=True, summary="Log in for a token")
def token(data: JSONBody[TokenBody], request: Request[Any, Any, Any]) -> TokenAnswer:
    with transaction() as session:
        user = service.authenticate(session, data.email, data.password, client_address(request))
        secret, _ = service.issue_token(session, user.id, "api")
    return TokenAnswer(secret, "bearer", _expires_in())


@post("/auth/revoke", status_code=204, sync_to_thread=True, guards=[requires_user],
      summary="Revoke the bearer token of this request")
def revoke(request: Request[Any, Any, Any]) -> None:
    secret = request.headers.get("authorization", "").partition(" ")[2].strip()
    with transaction() as session:
        service.revoke_token(session, secret)


@get("/me", sync_to_thread=True, guards=[requires_user], summary="The current user")
def me(request: Request[CurrentUser, Any, Any]) -> MeAnswer:
    user: CurrentUser = request.user
    return MeAnswer(str(user.id), user.handle, user.email, user.display_name, user.country,
                    list(user.roles), user.country in get_markets())


router = Router(path="/", route_handlers=[signup, token, revoke, me],
                tags=["identity"])
