"""Seller Center warehouses page: list, add, rename, make default, delete when empty."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from clipcart.db import transaction
from clipcart.errors import DomainError, NotFound
from clipcart.ids import parse_id
from clipcart.inventory import queries, warehouses
from clipcart.shops.seller_center import layout_context, open_shop
from clipcart.shops.service import MANAGERS
from clipcart.web.auth import CurrentUser

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
SellerRequest = Request[CurrentUser, Any, Any]
NOTICES = {"added": "Warehouse added.", "saved": "Warehouse saved.",
           "default": "Default warehouse changed.", "deleted": "Warehouse deleted."}


def _id(raw: str, what: str) -> int:
    value = parse_id(raw)
    if value is None:
        raise NotFound(f"No such {what}.")
    return value


def _page(request: SellerRequest, shop_id: int, *, status: int = 200, error: str | None = None,
          notice: str | None = None, form: dict[str, str] | None = None,
          failed_id: int | None = None) -> Template:
    with transaction() as session:
        shop = open_shop(session, request.user, shop_id)
        context = layout_context(session, request.user, shop, "warehouses")
        items = warehouses.warehouses_of(session, shop.id)
        totals = queries.warehouse_totals(session, shop.id)
    return Template("inventory/warehouses.html", status_code=status, context={
        **context, "warehouses": items, "totals": totals, "error": error, "notice": notice,
        "form": form or {}, "failed_id": failed_id,
        "can_manage": context["role"] in MANAGERS})


@get("/warehouses", sync_to_thread=True)
def warehouse_list(shop_id: FromPath[str], request: SellerRequest,
                   done: FromQuery[str | None] = None) -> Template:
    return _page(request, _id(shop_id, "shop"), notice=NOTICES.get(done or ""))


def _change(request: SellerRequest, shop_id: str, done: str, data: dict[str, str],
            action: Callable[[Any, int], object], failed_id: int | None = None) -> Response[Any]:
    """Run one warehouse change as a manager; redirect on success, re-render on error."""
    shop = _id(shop_id, "shop")
    with transaction() as session:
        open_shop(session, request.user, shop, roles=MANAGERS)
    try:
        with transaction() as session:
            action(session, shop)
    except NotFound:
        raise
    except DomainError as exc:
        return _page(request, shop, status=exc.status, error=exc.detail, form=data,
                     failed_id=failed_id)
    return Redirect(f"/seller/{shop}/warehouses?done={done}", status_code=303)


@post("/warehouses", sync_to_thread=True)
def warehouse_add(shop_id: FromPath[str], data: Form, request: SellerRequest) -> Response[Any]:
    return _change(request, shop_id, "added", data, lambda session, shop: warehouses.add_warehouse(
        session, shop, data.get("name", ""), data.get("address", ""),
        make_default=data.get("make_default") == "1"))


@post("/warehouses/{warehouse_id:str}", sync_to_thread=True)
def warehouse_save(shop_id: FromPath[str], warehouse_id: FromPath[str], data: Form,
                   request: SellerRequest) -> Response[Any]:
    wid = _id(warehouse_id, "warehouse")
    return _change(request, shop_id, "saved", data,
                   lambda session, shop: warehouses.update_warehouse(
                       session, shop, wid, name=data.get("name", ""),
                       address=data.get("address", "")), failed_id=wid)


@post("/warehouses/{warehouse_id:str}/default", sync_to_thread=True)
def warehouse_default(shop_id: FromPath[str], warehouse_id: FromPath[str], data: Form,
                      request: SellerRequest) -> Response[Any]:
    wid = _id(warehouse_id, "warehouse")
    return _change(request, shop_id, "default", {},
                   lambda session, shop: warehouses.set_default_warehouse(session, shop, wid))


@post("/warehouses/{warehouse_id:str}/delete", sync_to_thread=True)
def warehouse_delete(shop_id: FromPath[str], warehouse_id: FromPath[str], data: Form,
                     request: SellerRequest) -> Response[Any]:
    wid = _id(warehouse_id, "warehouse")
    return _change(request, shop_id, "deleted", {},
                   lambda session, shop: warehouses.archive_warehouse(session, shop, wid))


routes = [warehouse_list, warehouse_add, warehouse_save, warehouse_default, warehouse_delete]
