"""Seller pages: the shop list, applying for a shop, the dashboard and shop settings."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

import clipcart.shops.cards  # noqa: F401  (registers the team card and checklist steps)
from clipcart.db import transaction
from clipcart.errors import DomainError
from clipcart.ids import parse_id
from clipcart.markets import get_markets
from clipcart.shops import operator_pages, service, staff_pages
from clipcart.shops.dashboard import cards_for, steps_for
from clipcart.shops.seller_center import open_shop, render
from clipcart.web.auth import CurrentUser, requires_user
from clipcart.web.navigation import NavItem, register

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
LAST_SHOP_COOKIE = "cc_seller_shop"
SELLER_ICON = ("M4 4h16l1.5 5a3 3 0 0 1-2.5 3.4V20H5v-7.6A3 3 0 0 1 2.5 9L4 4Zm3 9v5h4v-4h2v4h4v-5"
               "a3 3 0 0 1-2.5-1.3A3 3 0 0 1 12 13a3 3 0 0 1-2.5-1.3A3 3 0 0 1 7 13Z")

register(NavItem("Seller Center", "/seller", None, SELLER_ICON))


def _user(request: Request[Any, Any, Any]) -> CurrentUser:
    user: CurrentUser = request.user
    return user


@get("/seller", sync_to_thread=True, guards=[requires_user], include_in_schema=False)
def seller_home(request: Request[Any, Any, Any], choose: FromQuery[bool] = False,
                applied: FromQuery[str | None] = None) -> Response[Any]:
    """Straight to the last opened (or the only) approved shop; otherwise the list."""
    user = _user(request)
    with transaction() as session:
        shops = service.shops_of(session, user.id)
    approved = [shop.id for shop, _ in shops if shop.status == "APPROVED"]
    if not choose:
        last = parse_id(request.cookies.get(LAST_SHOP_COOKIE, ""))
        if last in approved:
            return Redirect(f"/seller/{last}")
        if len(approved) == 1:
            return Redirect(f"/seller/{approved[0]}")
    just_applied = parse_id(applied) if applied else None
    return Template("shops/seller_home.html", context={
        "shops": shops, "markets_by_code": get_markets().by_code,
        "just_applied": next((s for s, _ in shops if s.id == just_applied), None)})


def _apply_page(user: CurrentUser, form: dict[str, str], error: DomainError | None = None
                ) -> Template:
    default_market = user.country if user.country in get_markets() else ""
    return Template("shops/apply.html", status_code=error.status if error else 200, context={
        "form": {"market": default_market, **form}, "error": error.detail if error else None,
        "field": error.extra.get("field") if error else None,
        "markets_list": list(get_markets())})


@get("/seller/apply", sync_to_thread=False, guards=[requires_user], include_in_schema=False)
def apply_page(request: Request[Any, Any, Any]) -> Template:
    return _apply_page(_user(request), {})


@post("/seller/apply", sync_to_thread=True, guards=[requires_user], include_in_schema=False)
def apply_submit(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    user = _user(request)
    form = {k: data.get(k, "") for k in ("name", "market", "description")}
    try:
        with transaction() as session:
            shop = service.apply_for_shop(session, user.id, form["name"], form["market"],
                                          form["description"])
    except DomainError as exc:
        return _apply_page(user, form, exc)
    return Redirect(f"/seller?choose=1&applied={shop.id}", status_code=303)


@get("/seller/{shop_id:int}", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def dashboard(request: Request[Any, Any, Any], shop_id: FromPath[int]) -> Template:
    user = _user(request)
    with transaction() as session:
        shop = open_shop(session, user, shop_id)
        page = render(session, user, shop, "dashboard", "shops/dashboard.html", {
            "cards": cards_for(session, shop), "steps": steps_for(session, shop),
            "market": get_markets().get(shop.market)})
    page.set_cookie(LAST_SHOP_COOKIE, str(shop.id), path="/", max_age=180 * 86400,
                    httponly=True, samesite="lax")
    return page


def _settings_page(user: CurrentUser, shop_id: int, form: dict[str, str] | None = None,
                   error: DomainError | None = None, saved: bool = False) -> Template:
    with transaction() as session:
        shop = open_shop(session, user, shop_id, service.MANAGERS)
        values = form or {"name": shop.name, "description": shop.description}
        return render(session, user, shop, "settings", "shops/settings.html", {
            "form": values, "error": error.detail if error else None,
            "field": error.extra.get("field") if error else None, "saved": saved,
            "market": get_markets().get(shop.market)},
            status_code=error.status if error else 200)


@get("/seller/{shop_id:int}/settings", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def settings_page(request: Request[Any, Any, Any], shop_id: FromPath[int],
                  saved: FromQuery[bool] = False) -> Template:
    return _settings_page(_user(request), shop_id, saved=saved)


@post("/seller/{shop_id:int}/settings", sync_to_thread=True, guards=[requires_user],
      include_in_schema=False)
def settings_submit(request: Request[Any, Any, Any], shop_id: FromPath[int],
                    data: Multipart) -> Response[Any]:
    user = _user(request)
    with transaction() as session:  # the gate first: strangers get 404, fulfillment 403
        open_shop(session, user, shop_id, service.MANAGERS)
    form = {key: value if isinstance(value := data.get(key), str) else ""
            for key in ("name", "description")}
    upload = data.get("logo")
    logo = upload.file.read() if isinstance(upload, UploadFile) and upload.filename else None
    try:
        with transaction() as session:
            service.update_settings(session, shop_id, user.id, name=form["name"],
                                    description=form["description"], logo=logo)
    except DomainError as exc:
        if exc.extra.get("field") == "image":
            exc.extra["field"] = "logo"
        return _settings_page(user, shop_id, form, exc)
    return Redirect(f"/seller/{shop_id}/settings?saved=1", status_code=303)


router = Router(path="/", route_handlers=[
    seller_home, apply_page, apply_submit, dashboard, settings_page, settings_submit,
    staff_pages.router, operator_pages.router])
