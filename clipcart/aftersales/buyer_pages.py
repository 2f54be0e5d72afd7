"""Buyer pages: ask for a return from an order, follow it, withdraw, escalate, ship back."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from clipcart import clock
from clipcart.aftersales import queries, receipts, service, shipping
from clipcart.aftersales.page_helpers import common, ident
from clipcart.aftersales.transitions import API_TYPES
from clipcart.db import transaction
from clipcart.errors import DomainError, NotFound, ValidationFailed
from clipcart.markets import market
from clipcart.media import store_image
from clipcart.money import Money
from clipcart.orders import service as orders
from clipcart.web.auth import CurrentUser, requires_user

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def _request_form(user: CurrentUser, order_id: int, *, error: str | None = None,
                  status_code: int = 200, values: dict[str, Any] | None = None) -> Template:
    with transaction() as session:
        order = orders.buyer_order(session, user.id, order_id)
        lines = orders.lines_of(session, [order.id])[order.id]
        deadline = service.return_deadline(session, order)
        fmt = market(order.market).format
        return Template("aftersales/request.html", status_code=status_code, context=common(
            order=order, lines=lines, deadline=deadline, error=error, values=values or {},
            money=lambda minor: fmt(Money(minor, order.currency)),
            open=deadline is not None and deadline >= clock.now()))


@get("/orders/{order_id:str}/return", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def request_page(request: Request[CurrentUser, Any, Any], order_id: FromPath[str]) -> Template:
    return _request_form(request.user, ident(order_id, "order"))


def _photos(value: Any) -> list[bytes]:
    files = value if isinstance(value, list) else [value]
    return [f.file.read() for f in files if isinstance(f, UploadFile) and f.filename]


def _wanted(data: dict[str, Any]) -> list[tuple[int, int]]:
    wanted = []
    for name, raw in data.items():
        if name.startswith("qty_") and isinstance(raw, str) and raw.strip() not in ("", "0"):
            if not raw.strip().isdigit():
                raise ValidationFailed("Quantities are whole numbers.", field="lines")
            wanted.append((ident(name.removeprefix("qty_"), "line"), int(raw.strip())))
    return wanted


@post("/orders/{order_id:str}/return", sync_to_thread=True, guards=[requires_user],
      include_in_schema=False)
def request_submit(request: Request[CurrentUser, Any, Any], order_id: FromPath[str],
                   data: Multipart) -> Response[Any]:
    oid = ident(order_id, "order")
    text = {k: v for k, v in data.items() if isinstance(v, str)}
    try:
        kind = API_TYPES.get(text.get("type", ""), "")
        photos = _photos(data.get("photos"))
        if len(photos) > service.MAX_PHOTOS:
            raise ValidationFailed(f"Attach at most {service.MAX_PHOTOS} photos.",
                                   field="photos")
        keys = [store_image(p, f"returns/{request.user.id}").key for p in photos]
        with transaction() as session:
            req = service.request_return(session, buyer_user_id=request.user.id, order_id=oid,
                                         return_type=kind, lines=_wanted(data),
                                         reason=text.get("reason", ""),
                                         note=text.get("note", "")[:1000], photos=keys)
    except NotFound:
        raise
    except DomainError as exc:
        return _request_form(request.user, oid, error=exc.detail, status_code=exc.status,
                             values=text)
    return Redirect(f"/returns/{req.id}")


@get("/returns", sync_to_thread=True, guards=[requires_user], include_in_schema=False)
def my_returns(request: Request[CurrentUser, Any, Any],
               page_token: FromQuery[str | None] = None) -> Template:
    with transaction() as session:
        page = queries.buyer_returns(session, request.user.id, page_token=page_token)
    return Template("aftersales/my_returns.html", context=common(page=page))


def _detail(user: CurrentUser, return_id: int, *, error: str | None = None,
            status_code: int = 200) -> Template:
    with transaction() as session:
        d = queries.detail(session, service.buyer_return(session, user.id, return_id))
    return Template("aftersales/return_detail.html", status_code=status_code,
                    context=common(d=d, error=error, carriers=shipping.carrier_choices()))


@get("/returns/{return_id:str}", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def my_return(request: Request[CurrentUser, Any, Any], return_id: FromPath[str]) -> Template:
    return _detail(request.user, ident(return_id))


def _act(request: Request[CurrentUser, Any, Any], return_id: str, data: dict[str, str],
         action: str) -> Response[Any]:
    rid, user = ident(return_id), request.user
    try:
        with transaction() as session:
            if action == "cancel":
                service.cancel(session, user.id, rid)
            elif action == "escalate":
                service.escalate(session, user.id, rid, data.get("note", "")[:1000])
            else:
                receipts.ship_back(session, user.id, rid, carrier_code=data.get("carrier_code"),
                                   tracking_number=data.get("tracking_number"))
    except NotFound:
        raise
    except DomainError as exc:
        return _detail(user, rid, error=exc.detail, status_code=exc.status)
    return Redirect(f"/returns/{rid}")


@post("/returns/{return_id:str}/cancel", sync_to_thread=True, guards=[requires_user],
      include_in_schema=False)
def cancel_mine(request: Request[CurrentUser, Any, Any], return_id: FromPath[str],
                data: Form) -> Response[Any]:
    return _act(request, return_id, data, "cancel")


@post("/returns/{return_id:str}/escalate", sync_to_thread=True, guards=[requires_user],
      include_in_schema=False)
def escalate_mine(request: Request[CurrentUser, Any, Any], return_id: FromPath[str],
                  data: Form) -> Response[Any]:
    return _act(request, return_id, data, "escalate")


@post("/returns/{return_id:str}/ship", sync_to_thread=True, guards=[requires_user],
      include_in_schema=False)
def ship_mine(request: Request[CurrentUser, Any, Any], return_id: FromPath[str],
              data: Form) -> Response[Any]:
    return _act(request, return_id, data, "ship")


router = Router(path="/", route_handlers=[request_page, request_submit, my_returns, my_return,
                                          cancel_mine, escalate_mine, ship_mine])
