"""Shipping pages: the Seller Center's shipping desk (ship with a tracking number, buy and
print labels, bulk ship, split a package) and the buyer's receipt confirmation."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from clipcart.carriers import service as carriers
from clipcart.db import transaction
from clipcart.errors import DomainError, NotFound, ValidationFailed
from clipcart.ids import parse_id
from clipcart.orders import fulfillment, packages, shipping_queries
from clipcart.shops.seller_center import open_shop, render
from clipcart.web.auth import CurrentUser, requires_user

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Req = Request[CurrentUser, Any, Any]


def _id(raw: str, what: str = "package") -> int:
    value = parse_id(raw)
    if value is None:
        raise NotFound(f"No such {what}.")
    return value


def _shop(session: Any, user: CurrentUser, shop_id: str) -> Any:
    return open_shop(session, user, _id(shop_id, "shop"))


def _desk(user: CurrentUser, shop_id: str, *, tab: str | None = None,
          page_token: str | None = None, error: str | None = None, status_code: int = 200,
          printed: str = "", failed: int = 0) -> Template:
    key = tab if tab in shipping_queries.SHIPPING_TABS else "to_ship"
    with transaction() as session:
        shop = _shop(session, user, shop_id)
        page = shipping_queries.shop_packages(
            session, shop.id, shipping_queries.SHIPPING_TABS[key][1], page_token=page_token)
        printed_ids = [p for p in printed.split(",") if p.isdigit()][:packages.BATCH_MAX]
        return render(session, user, shop, "shipping", "orders/shipping.html", {
            "page": page, "tab": key, "tabs": shipping_queries.SHIPPING_TABS,
            "carriers": carriers.carrier_choices(), "error": error,
            "printed": ",".join(printed_ids), "printed_count": len(printed_ids),
            "failed": failed}, status_code=status_code)


@get("/seller/{shop_id:str}/shipping", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def shipping_desk(request: Req, shop_id: FromPath[str], tab: FromQuery[str | None] = None,
                  page_token: FromQuery[str | None] = None, printed: FromQuery[str] = "",
                  failed: FromQuery[int] = 0) -> Template:
    return _desk(request.user, shop_id, tab=tab, page_token=page_token, printed=printed[:2000],
                 failed=failed)


def _act(request: Req, shop_id: str, work: Any, tab: str = "to_ship") -> Response[Any]:
    try:
        with transaction() as session:
            shop = _shop(session, request.user, shop_id)
            answer = work(session, shop.id, f"seller:{request.user.id}")
    except NotFound:
        raise
    except DomainError as exc:
        return _desk(request.user, shop_id, error=exc.detail, status_code=exc.status)
    return Redirect(answer or f"/seller/{shop.id}/shipping?tab={tab}")


@post("/seller/{shop_id:str}/shipping/{package_id:str}/ship", sync_to_thread=True,
      guards=[requires_user], include_in_schema=False)
def ship_one(request: Req, shop_id: FromPath[str], package_id: FromPath[str],
             data: Form) -> Response[Any]:
    pid = _id(package_id)

    def work(s: Any, sid: int, actor: str) -> None:
        packages.ship_package(s, shop_id=sid, package_id=pid, actor=actor,
                              carrier_code=data.get("carrier", ""),
                              tracking_number=data.get("tracking_number", "")[:60])

    return _act(request, shop_id, work)


@post("/seller/{shop_id:str}/shipping/{package_id:str}/label", sync_to_thread=True,
      guards=[requires_user], include_in_schema=False)
def label_one(request: Req, shop_id: FromPath[str], package_id: FromPath[str],
              data: Form) -> Response[Any]:
    pid = _id(package_id)

    def work(s: Any, sid: int, actor: str) -> str:
        packages.buy_label(s, shop_id=sid, package_id=pid, actor=actor,
                           carrier_code=data.get("carrier") or None)
        return f"/seller/{sid}/shipping?tab=shipped&printed={pid}"

    return _act(request, shop_id, work)


@post("/seller/{shop_id:str}/shipping/bulk", sync_to_thread=True, guards=[requires_user],
      include_in_schema=False)
def ship_bulk(request: Req, shop_id: FromPath[str], data: Form) -> Response[Any]:
    chosen = [pid for key, value in data.items() if key.startswith("pkg_") and value
              and (pid := parse_id(key[4:])) is not None]

    def work(s: Any, sid: int, actor: str) -> str:
        if not chosen:
            raise ValidationFailed("Tick the packages to ship.", field="packages")
        result = packages.batch_ship(s, shop_id=sid, package_ids=chosen, actor=actor,
                                     carrier_code=data.get("carrier") or None)
        ids = ",".join(str(p.id) for p in result.shipped)
        return f"/seller/{sid}/shipping?tab=shipped&printed={ids}&failed={len(result.failed)}"

    return _act(request, shop_id, work)


@get("/seller/{shop_id:str}/shipping/labels", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def print_labels(request: Req, shop_id: FromPath[str], ids: FromQuery[str] = "") -> Template:
    wanted = [p for raw in ids.split(",")[:packages.BATCH_MAX] if (p := parse_id(raw.strip()))]
    with transaction() as session:
        shop = _shop(session, request.user, shop_id)
        sheet = packages.label_document(session, shop_id=shop.id, package_ids=wanted)
        views = shipping_queries.views_of(session, [p for p, _, _ in sheet])
        return Template("orders/labels.html", context={"shop": shop, "sheet": [
            (view, order, shipping_queries.address_of(order))
            for view, (_, order, _) in zip(views, sheet, strict=True)]})


@get("/seller/{shop_id:str}/shipping/{package_id:str}/split", sync_to_thread=True,
     guards=[requires_user], include_in_schema=False)
def split_form(request: Req, shop_id: FromPath[str], package_id: FromPath[str]) -> Template:
    return _split_page(request.user, shop_id, _id(package_id))


def _split_page(user: CurrentUser, shop_id: str, pid: int, error: str | None = None,
                status_code: int = 200) -> Template:
    with transaction() as session:
        shop = _shop(session, user, shop_id)
        pkg = packages.shop_package(session, shop.id, pid)
        view = shipping_queries.views_of(session, [pkg])[0]
        return render(session, user, shop, "shipping", "orders/split.html",
                      {"v": view, "error": error}, status_code=status_code)


@post("/seller/{shop_id:str}/shipping/{package_id:str}/split", sync_to_thread=True,
      guards=[requires_user], include_in_schema=False)
def split_package(request: Req, shop_id: FromPath[str], package_id: FromPath[str],
                  data: Form) -> Response[Any]:
    pid = _id(package_id)
    quantities: dict[int, int] = {}
    for key, value in data.items():
        line_id = parse_id(key[5:]) if key.startswith("line_") else None
        if line_id is not None and value.strip():
            quantities[line_id] = int(value) if value.strip().isdigit() else -1
    try:
        with transaction() as session:
            shop = _shop(session, request.user, shop_id)
            packages.split_package(session, shop_id=shop.id, package_id=pid,
                                   quantities=quantities, actor=f"seller:{request.user.id}")
    except NotFound:
        raise
    except DomainError as exc:
        return _split_page(request.user, shop_id, pid, exc.detail, exc.status)
    return Redirect(f"/seller/{shop.id}/shipping")


@post("/orders/{order_id:str}/receipt", sync_to_thread=True, guards=[requires_user],
      include_in_schema=False)
def confirm_receipt(request: Req, order_id: FromPath[str]) -> Response[Any]:
    oid = _id(order_id, "order")
    with transaction() as session:
        fulfillment.confirm_receipt(session, oid, request.user.id)
    return Redirect(f"/orders/{oid}")


router = Router(path="/", route_handlers=[shipping_desk, ship_one, label_one, ship_bulk,
                                          print_labels, split_form, split_package,
                                          confirm_receipt])
