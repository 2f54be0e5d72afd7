"""Staff pages: the team of a shop, and invitations as the invited person sees them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from clipcart.db import transaction
from clipcart.errors import DomainError
from clipcart.ids import parse_id
from clipcart.shops import service, staff
from clipcart.shops.models import INVITABLE_ROLES
from clipcart.shops.seller_center import open_shop, render
from clipcart.web.auth import CurrentUser, requires_user

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
DONE = {"invited": "Invitation sent. The link in the e-mail works for 7 days.",
        "role": "Role changed.", "removed": "Removed from the staff.",
        "revoked": "Invitation withdrawn; its link no longer works."}


def _user(request: Request[Any, Any, Any]) -> CurrentUser:
    user: CurrentUser = request.user
    return user


def _gate(user: CurrentUser, shop_id: int) -> None:
    """Strangers get 404 and fulfillment staff 403, before anything is attempted."""
    with transaction() as session:
        open_shop(session, user, shop_id, service.MANAGERS)


def _staff_page(user: CurrentUser, shop_id: int, *, error: DomainError | None = None,
                form: dict[str, str] | None = None, done: str | None = None) -> Template:
    with transaction() as session:
        shop = open_shop(session, user, shop_id, service.MANAGERS)
        role = service.membership(session, user.id, shop.id).role  # type: ignore[union-attr]
        return render(session, user, shop, "staff", "shops/staff.html", {
            "members": staff.staff_of(session, shop.id),
            "invitations": staff.pending_invitations(session, shop.id),
            "invitable": INVITABLE_ROLES if role == "owner" else ("fulfillment",),
            "role_labels": staff.ROLE_LABELS, "my_role": role,
            "error": error.detail if error else None,
            "field": error.extra.get("field") if error else None,
            "form": form or {}, "done": DONE.get(done or "")},
            status_code=error.status if error else 200)


@get("/seller/{shop_id:int}/staff", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def staff_page(request: Request[Any, Any, Any], shop_id: FromPath[int],
               done: FromQuery[str | None] = None) -> Template:
    return _staff_page(_user(request), shop_id, done=done)


@post("/seller/{shop_id:int}/staff/invite", sync_to_thread=True, guards=[requires_user],
      include_in_schema=False)
def staff_invite(request: Request[Any, Any, Any], shop_id: FromPath[int],
                 data: Form) -> Response[Any]:
    user = _user(request)
    _gate(user, shop_id)
    form = {"email": data.get("email", ""), "role": data.get("role", "")}
    try:
        with transaction() as session:
            staff.invite(session, shop_id, user.id, form["email"], form["role"])
    except DomainError as exc:
        return _staff_page(user, shop_id, error=exc, form=form)
    return Redirect(f"/seller/{shop_id}/staff?done=invited", status_code=303)


def _member_action(request: Request[Any, Any, Any], shop_id: int, done: str,
                   action: Callable[[Session, CurrentUser], None]) -> Response[Any]:
    user = _user(request)
    _gate(user, shop_id)
    try:
        with transaction() as session:
            action(session, user)
    except DomainError as exc:
        return _staff_page(user, shop_id, error=exc)
    return Redirect(f"/seller/{shop_id}/staff?done={done}", status_code=303)


@post("/seller/{shop_id:int}/staff/{user_id:int}/role", sync_to_thread=True,
      guards=[requires_user], include_in_schema=False)
def staff_role(request: Request[Any, Any, Any], shop_id: FromPath[int], user_id: FromPath[int],
               data: Form) -> Response[Any]:
    return _member_action(request, shop_id, "role", lambda session, me: staff.change_role(
        session, shop_id, me.id, user_id, data.get("role", "")))


@post("/seller/{shop_id:int}/staff/{user_id:int}/remove", sync_to_thread=True,
      guards=[requires_user], include_in_schema=False)
def staff_remove(request: Request[Any, Any, Any], shop_id: FromPath[int],
                 user_id: FromPath[int]) -> Response[Any]:
    return _member_action(request, shop_id, "removed", lambda session, me: staff.remove_member(
        session, shop_id, me.id, user_id))


@post("/seller/{shop_id:int}/invitations/{invitation_id:int}/revoke", sync_to_thread=True,
      guards=[requires_user], include_in_schema=False)
def invitation_revoke(request: Request[Any, Any, Any], shop_id: FromPath[int],
                      invitation_id: FromPath[int]) -> Response[Any]:
    return _member_action(request, shop_id, "revoked",
                          lambda session, me: staff.revoke_invitation(session, shop_id, me.id,
                                                                      invitation_id))


@get("/invitations", sync_to_thread=True, guards=[requires_user], include_in_schema=False)
def my_invitations(request: Request[Any, Any, Any]) -> Template:
    with transaction() as session:
        items = staff.invitations_for(session, _user(request).id)
    return Template("shops/invitations.html", context={
        "items": items, "role_labels": staff.ROLE_LABELS, "error": None})


@post("/invitations", sync_to_thread=True, guards=[requires_user], include_in_schema=False)
def accept_from_list(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    user = _user(request)
    invitation_id = parse_id(data.get("invitation_id", ""))
    try:
        with transaction() as session:
            member = staff.accept_invitation_by_id(session, invitation_id or 0, user.id)
    except DomainError as exc:
        with transaction() as session:
            items = staff.invitations_for(session, user.id)
        return Template("shops/invitations.html", status_code=exc.status, context={
            "items": items, "role_labels": staff.ROLE_LABELS, "error": exc.detail})
    return Redirect(f"/seller/{member.shop_id}", status_code=303)


def _invitation_page(request: Request[Any, Any, Any], token: str,
                     error: DomainError | None = None) -> Template:
    user: CurrentUser | None = request.scope.get("user")
    with transaction() as session:
        view = staff.invitation_by_token(session, token)  # NOT_FOUND or GONE: an error page
    wrong_account = user is not None and user.email != view.invitation.email
    status = error.status if error else (403 if wrong_account else 200)
    return Template("shops/invitation.html", status_code=status, context={
        "view": view, "token": token, "role_labels": staff.ROLE_LABELS,
        "wrong_account": wrong_account, "error": error.detail if error else None,
        "next": f"/invitations/{token}"})


@get("/invitations/{token:str}", sync_to_thread=True, include_in_schema=False)
def invitation_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    """Open to visitors: the page asks them to log in or sign up, then brings them back."""
    return _invitation_page(request, token)


@post("/invitations/{token:str}", sync_to_thread=True, guards=[requires_user],
      include_in_schema=False)
def invitation_accept(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    try:
        with transaction() as session:
            member = staff.accept_invitation(session, token, _user(request).id)
    except DomainError as exc:
        return _invitation_page(request, token, exc)
    return Redirect(f"/seller/{member.shop_id}", status_code=303)


router = Router(path="/", route_handlers=[
    staff_page, staff_invite, staff_role, staff_remove, invitation_revoke, my_invitations,
    accept_from_list, invitation_page, invitation_accept])
