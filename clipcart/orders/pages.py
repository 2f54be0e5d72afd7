"""Order pages: the buyer's "My orders" and the Seller Center's orders."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from clipcart.db import transaction
from clipcart.errors import DomainError, NotFound
from clipcart.ids import parse_id
from clipcart.orders import queries, service
from clipcart.shops.seller_center import open_shop, render
from clipcart.web.auth import CurrentUser, requires_user
from clipcart.web.navigation import NavItem, register

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]

register(NavItem("Orders", "/orders", None,
                 "M21 7 12 2 3 7v10l9 5 9-5V7Zm-9 2.2L6.2 6.5 12 3.3l5.8 3.2L12 9.2Zm-7 .2 6 3.3"
                 "v6.9l-6-3.3V9.4Zm8 10.2v-6.9l6-3.3v6.9l-6 3.3Z"))


def _id(raw: str) -> int:
    value = parse_id(raw)
    if value is None:
        raise NotFound("No such order.")
    return value


def _tab(tabs: dict[str, tuple[str, tuple[str, ...]]], tab: str | None) -> str:
    return tab if tab in tabs else "all"


def _common() -> dict[str, Any]:
    return {"labels": queries.STATUS_LABELS, "tones": queries.STATUS_TONES}


@get("/orders", sync_to_thread=True, guards=[requires_user], include_in_schema=False)
def my_orders(request: Request[CurrentUser, Any, Any], tab: FromQuery[str | None] = None,
              page_token: FromQuery[str | None] = None) -> Template:
    key = _tab(queries.BUYER_TABS, tab)
    with transaction() as session:
        page = queries.buyer_orders(session, request.user.id, queries.BUYER_TABS[key][1],
                                    page_token=page_token)
    return Template("orders/my_orders.html", context={
        **_common(), "page": page, "tab": key, "tabs": queries.BUYER_TABS})


def _buyer_detail(user: CurrentUser, order_id: int, error: str | None = None,
                  status_code: int = 200) -> Template:
    with transaction() as session:
        detail = queries.order_detail(session, service.buyer_order(session, user.id, order_id))
    return Template("orders/order_detail.html", status_code=status_code, context={
        **_common(), "d": detail, "error": error, "viewer": "buyer",
        "cancel_url": f"/orders/{order_id}/cancel"})


@get("/orders/{order_id:str}", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def my_order(request: Request[CurrentUser, Any, Any], order_id: FromPath[str]) -> Template:
    return _buyer_detail(request.user, _id(order_id))


@post("/orders/{order_id:str}/cancel", sync_to_thread=True, guards=[requires_user],
      include_in_schema=False)
def cancel_my_order(request: Request[CurrentUser, Any, Any], order_id: FromPath[str],
                    data: Form) -> Response[Any]:
    oid = _id(order_id)
    try:
        with transaction() as session:
            service.cancel_by_buyer(session, oid, request.user.id, data.get("reason", ""))
    except NotFound:
        raise
    except DomainError as exc:
        return _buyer_detail(request.user, oid, exc.detail, exc.status)
    return Redirect(f"/orders/{oid}")


def _seller_shop(session: Any, user: CurrentUser, shop_id: str) -> Any:
    sid = parse_id(shop_id)
    if sid is None:
        raise NotFound("No such shop.")
    return open_shop(session, user, sid)


@get("/seller/{shop_id:str}/orders", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def shop_orders(request: Request[CurrentUser, Any, Any], shop_id: FromPath[str],
                tab: FromQuery[str | None] = None, q: FromQuery[str] = "",
                page_token: FromQuery[str | None] = None) -> Template:
    key = _tab(queries.SELLER_TABS, tab)
    with transaction() as session:
        shop = _seller_shop(session, request.user, shop_id)
        page = queries.shop_orders(session, shop.id, queries.SELLER_TABS[key][1],
                                   search=q[:100], page_token=page_token)
        return render(session, request.user, shop, "orders", "orders/shop_orders.html", {
            **_common(), "page": page, "tab": key, "tabs": queries.SELLER_TABS, "q": q})


def _seller_detail(user: CurrentUser, shop_id: str, order_id: int, error: str | None = None,
                   status_code: int = 200) -> Template:
    with transaction() as session:
        shop = _seller_shop(session, user, shop_id)
        detail = queries.order_detail(session, service.shop_order(session, shop.id, order_id))
        return render(session, user, shop, "orders", "orders/shop_order.html", {
            **_common(), "d": detail, "error": error, "viewer": "seller",
            "cancel_url": f"/seller/{shop.id}/orders/{order_id}/cancel"},
            status_code=status_code)


@get("/seller/{shop_id:str}/orders/{order_id:str}", sync_to_thread=True,
     guards=[requires_user], include_in_schema=False)
def shop_order(request: Request[CurrentUser, Any, Any], shop_id: FromPath[str],
               order_id: FromPath[str]) -> Template:
    return _seller_detail(request.user, shop_id, _id(order_id))


@post("/seller/{shop_id:str}/orders/{order_id:str}/cancel", sync_to_thread=True,
      guards=[requires_user], include_in_schema=False)
def cancel_shop_order(request: Request[CurrentUser, Any, Any], shop_id: FromPath[str],
                      order_id: FromPath[str], data: Form) -> Response[Any]:
    oid = _id(order_id)
    try:
        with transaction() as session:
            shop = _seller_shop(session, request.user, shop_id)
            service.cancel_by_seller(session, oid, shop.id, request.user.id,
                                     data.get("reason", ""))
    except NotFound:
        raise
    except DomainError as exc:
        return _seller_detail(request.user, shop_id, oid, exc.detail, exc.status)
    return Redirect(f"/seller/{shop.id}/orders/{oid}")


router = Router(path="/", route_handlers=[my_orders, my_order, cancel_my_order, shop_orders,
                                          shop_order, cancel_shop_order])
