"""Pages: the seller's authorization page, Seller Center's Apps page (with revoke), the
operator's apps console (create, list, webhook delivery health and log) and the app owner's
developer pages (their apps and each one's delivery log)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from litestar import Request, Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select

from clipcart.db import transaction
from clipcart.errors import DomainError, NotFound
from clipcart.ids import parse_id
from clipcart.openplatform import apps, grants, webhooks
from clipcart.openplatform.models import OpenApp
from clipcart.shops import service as shops
from clipcart.shops.models import Shop
from clipcart.shops.seller_center import open_shop, render
from clipcart.web.auth import CurrentUser, requires_role, requires_user
from clipcart.web.operator import Console, register_console

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
SCOPE_LABELS = {"seller.authorization.info": "See which shops it is authorized for",
                "seller.shop.info": "Read the shop's details",
                "seller.product.basic": "Read products, categories and stock",
                "seller.product.write": "Create and edit products, prices and stock",
                "seller.order.info": "Read orders, with buyers' shipping addresses",
                "seller.event.webhook": "Receive notifications about orders and products",
                "seller.fulfillment.basic": "Ship packages and print their labels",
                "seller.return_refund.basic": "Read and answer returns and cancellations",
                "seller.finance.info": "Read statements, transactions and payouts"}


def _managed_shops(session: Any, user: CurrentUser) -> list[Shop]:
    return [s for s, role in shops.shops_of(session, user.id)
            if role in shops.MANAGERS and s.status == "APPROVED"]


def _authorize_page(user: CurrentUser, service_id: str, state: str,
                    error: str | None = None) -> Template:
    with transaction() as session:
        app = apps.by_service_id(session, service_id)
        return Template("openplatform/authorize.html", context={
            "app": app, "scopes": [(s, SCOPE_LABELS.get(s, s)) for s in app.scopes],
            "shops": _managed_shops(session, user), "service_id": service_id, "state": state,
            "error": error}, status_code=400 if error else 200)


@get("/open/authorize", sync_to_thread=True, include_in_schema=False)
def authorize_page(request: Request[Any, Any, Any],
                   service_id: FromQuery[str] = "") -> Response[Any]:
    user: CurrentUser | None = request.user
    state = request.query_params.get("state", "")  # "state" is a reserved name in Litestar
    if user is None:
        back = "/open/authorize?" + urlencode({"service_id": service_id, "state": state})
        return Redirect(f"/login?next={quote(back, safe='')}")
    return _authorize_page(user, service_id, state)


@post("/open/authorize", sync_to_thread=True, guards=[requires_user], include_in_schema=False)
def authorize_submit(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    user: CurrentUser = request.user
    service_id, state = data.get("service_id", ""), data.get("state", "")
    shop_id = parse_id(data.get("shop_id", ""))
    with transaction() as session:
        app = apps.by_service_id(session, service_id)
        shop = next((s for s in _managed_shops(session, user) if s.id == shop_id), None)
        if shop is None:
            error = "Choose one of your shops."
        else:
            code = grants.issue_code(session, grants.authorize(session, app, shop, user.id))
            target = app.redirect_url
            error = ""
    if error:
        return _authorize_page(user, service_id, state, error)
    if not target:
        return Template("openplatform/authorized.html", context={"code": code, "state": state})
    joiner = "&" if "?" in target else "?"
    return Redirect(f"{target}{joiner}{urlencode({'code': code, 'state': state})}")


def _apps_page(user: CurrentUser, shop_id: int, done: str | None = None) -> Template:
    with transaction() as session:
        shop = open_shop(session, user, shop_id, shops.MANAGERS)
        return render(session, user, shop, "apps", "openplatform/seller_apps.html", {
            "grants": grants.grants_of_shop(session, shop.id), "done": done,
            "scope_labels": SCOPE_LABELS})


@get("/seller/{shop_id:int}/apps", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def seller_apps(request: Request[Any, Any, Any], shop_id: FromPath[int],
                done: FromQuery[str | None] = None) -> Template:
    return _apps_page(request.user, shop_id,
                      "Access revoked: the app's tokens stopped working." if done else None)


@post("/seller/{shop_id:int}/apps/{grant_id:str}/revoke", sync_to_thread=True,
      guards=[requires_user], include_in_schema=False)
def seller_revoke(request: Request[Any, Any, Any], shop_id: FromPath[int],
                  grant_id: FromPath[str]) -> Response[Any]:
    user: CurrentUser = request.user
    parsed = parse_id(grant_id)
    with transaction() as session:
        shop = open_shop(session, user, shop_id, shops.MANAGERS)
        if parsed is None:
            raise NotFound("No such authorization.")
        grants.revoke(session, parsed, shop.id, user.id)
    return Redirect(f"/seller/{shop_id}/apps?done=revoked")


def _console(created: dict[str, str] | None = None, error: str | None = None) -> Template:
    with transaction() as session:
        rows = apps.all_apps(session)
        return Template("openplatform/operator_apps.html", context={
            "apps": rows, "health": webhooks.health(session), "created": created,
            "error": error}, status_code=400 if error else 200)


@get("/", sync_to_thread=True)
def console(request: Request[Any, Any, Any]) -> Template:
    return _console()


@post("/", sync_to_thread=True)
def console_create(request: Request[Any, Any, Any], data: Form) -> Template:
    try:
        with transaction() as session:
            app, secret = apps.create_app(session, data.get("name", ""),
                                          redirect_url=data.get("redirect_url", ""),
                                          owner_email=data.get("owner_email", ""))
            created = {"name": app.name, "app_key": app.app_key, "app_secret": secret,
                       "service_id": str(app.id)}
    except DomainError as exc:
        return _console(error=exc.detail)
    return _console(created=created)


def _app_detail(session: Any, app: OpenApp, page_token: str | None) -> dict[str, Any]:
    """What the operator's and the developer's app pages show: facts, subscriptions,
    delivery health and one page of the delivery log."""
    page = webhooks.deliveries_of_app(session, app.id, page_token)
    subs = webhooks.subscriptions_of_app(session, app.id)
    shop_ids = {d.shop_id for d in page.items} | {s.shop_id for s in subs}
    shop_names = dict(session.execute(select(Shop.id, Shop.name).where(
        Shop.id.in_(shop_ids))).all()) if shop_ids else {}
    return {"app": app, "deliveries": page.items, "next_page_token": page.next_page_token,
            "subscriptions": subs, "shop_names": shop_names,
            "authorized_shops": grants.authorized_shop_count(session, app.id),
            "health": webhooks.health(session, app.id).get(app.id, {})}


@get("/{app_id:str}", sync_to_thread=True)
def console_app(app_id: FromPath[str], page_token: FromQuery[str | None] = None) -> Template:
    parsed = parse_id(app_id)
    with transaction() as session:
        app = session.get(OpenApp, parsed) if parsed is not None else None
        if app is None:
            raise NotFound("No such app.")
        return Template("openplatform/operator_app.html",
                        context=_app_detail(session, app, page_token))


@get("/developer", sync_to_thread=True, guards=[requires_user], include_in_schema=False)
def developer(request: Request[Any, Any, Any]) -> Template:
    with transaction() as session:
        owned = apps.apps_of_owner(session, request.user.id)
        return Template("openplatform/developer.html", context={
            "apps": owned, "health": {a.id: webhooks.health(session, a.id).get(a.id, {})
                                      for a in owned},
            "authorized_shops": {a.id: grants.authorized_shop_count(session, a.id)
                                 for a in owned}})


@get("/developer/menu-link", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def developer_menu_link(request: Request[Any, Any, Any]) -> Response[str]:
    """The account menu's "Developer" link, only for users who own an app (htmx fragment)."""
    with transaction() as session:
        owns = bool(apps.apps_of_owner(session, request.user.id))
    link = '<p class="menu-link"><a href="/developer">Developer: my Seller API apps</a></p>'
    return Response(link if owns else "", media_type="text/html")


@get("/developer/apps/{app_id:str}", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def developer_app(request: Request[Any, Any, Any], app_id: FromPath[str],
                  page_token: FromQuery[str | None] = None) -> Template:
    with transaction() as session:
        app = apps.owned_app(session, request.user.id, app_id)
        return Template("openplatform/developer_app.html",
                        context=_app_detail(session, app, page_token))


router = Router(path="/", route_handlers=[authorize_page, authorize_submit, seller_apps,
                                          seller_revoke, developer, developer_menu_link,
                                          developer_app],
                include_in_schema=False)
operator_router = Router(path="/operator/apps", guards=[requires_role("operator")],
                         route_handlers=[console, console_create, console_app],
                         include_in_schema=False)

register_console(Console("Seller API apps", "/operator/apps",
                         "Apps of the TikTok Shop compatible Seller API: keys, authorizations "
                         "and webhook delivery health."))
