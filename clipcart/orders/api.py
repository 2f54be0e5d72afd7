"""Buyer API: the buyer's orders, one order with its timeline, cancelling (API.md)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from clipcart import idempotency
from clipcart.catalog.paging import decode_token, encode_token, page_size_of
from clipcart.checkout.api import line_json, money_json
from clipcart.db import transaction
from clipcart.errors import NotFound
from clipcart.ids import parse_id
from clipcart.money import Money
from clipcart.orders import fulfillment, service
from clipcart.orders.models import Order, OrderHistory, OrderLine
from clipcart.orders.package_views import packages_json
from clipcart.web.auth import CurrentUser, requires_user


class CancelBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=1000)] = ""


def _at(value: Any) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def order_json(order: Order, lines: list[OrderLine], timeline: list[OrderHistory] | None,
               packages: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    def m(minor: int) -> dict[str, str] | None:
        return money_json(Money(minor, order.currency), order.market)

    answer = {
        "id": str(order.id), "status": order.status, "shop_id": str(order.shop_id),
        "checkout_id": str(order.checkout_id), "created_at": _at(order.created_at),
        "paid_at": _at(order.paid_at),
        "lines": [line_json(li, order.currency, order.market) for li in lines],
        "amounts": {"subtotal": m(order.subtotal_minor), "shipping": m(order.shipping_minor),
                    "tax": m(order.tax_minor), "tax_mode": order.tax_mode,
                    "total": m(order.total_minor)},
        "delivered_at": _at(order.delivered_at), "completed_at": _at(order.completed_at),
        "packages": packages or [], "cancel_reason": order.cancel_reason,
        "cancelled_by": order.cancelled_by}
    if timeline is not None:
        answer["timeline"] = [{"from": h.from_status, "status": h.to_status,
                               "actor": h.actor, "reason": h.reason, "at": _at(h.created_at)}
                              for h in timeline]
    return answer


def _detail(session: Any, buyer_id: int, raw_id: str) -> dict[str, Any]:
    order_id = parse_id(raw_id)
    if order_id is None:
        raise NotFound("No such order.")
    order = service.buyer_order(session, buyer_id, order_id)
    return order_json(order, service.lines_of(session, [order.id])[order.id],
                      service.history_of(session, order.id),
                      packages_json(session, [order.id])[order.id])


@get("/orders", sync_to_thread=True, guards=[requires_user], tags=["orders"],
     summary="The buyer's orders, newest first")
def list_orders(request: Request[CurrentUser, Any, Any], status: FromQuery[str | None] = None,
                page_size: FromQuery[int | None] = None,
                page_token: FromQuery[str | None] = None) -> dict[str, Any]:
    size = page_size_of(page_size)
    with transaction() as session:
        found = service.buyer_orders(session, request.user.id, status=status or None,
                                     limit=size + 1, before_id=decode_token(page_token))
        page = found[:size]
        lines = service.lines_of(session, [o.id for o in page])
        packages = packages_json(session, [o.id for o in page])
        return {"orders": [order_json(o, lines[o.id], None, packages[o.id]) for o in page],
                "next_page_token": encode_token(page[-1].id) if len(found) > size else None}


@get("/orders/{order_id:str}", sync_to_thread=True, guards=[requires_user], tags=["orders"],
     summary="One order with its lines, amounts and timeline")
def get_order(order_id: FromPath[str], request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        return _detail(session, request.user.id, order_id)


@post("/orders/{order_id:str}/cancel", status_code=200, sync_to_thread=True,
      guards=[requires_user], tags=["orders"], summary="Cancel an order before it ships",
      description="A paid order is refunded in full and its units restocked. Send an "
                  "Idempotency-Key: a retry returns the first answer.")
def cancel_order(order_id: FromPath[str], data: JSONBody[CancelBody],
                 request: Request[CurrentUser, Any, Any]) -> Response[dict[str, Any]]:
    user = request.user
    key = idempotency.check_key(request.headers.get("idempotency-key"))
    with transaction() as session:
        scope = f"order-cancel:{user.id}"
        if key is not None:
            stored = idempotency.claim(session, scope, key, {"order_id": order_id,
                                                             "reason": data.reason})
            if stored is not None:
                return Response(stored.body, status_code=stored.status_code)
        parsed = parse_id(order_id)
        if parsed is None:
            raise NotFound("No such order.")
        service.cancel_by_buyer(session, parsed, user.id, data.reason)
        answer = _detail(session, user.id, order_id)
        if key is not None:
            idempotency.remember(session, scope, key, 200, answer)
    return Response(answer, status_code=200)


@post("/orders/{order_id:str}/receipt", status_code=200, sync_to_thread=True,
      guards=[requires_user], tags=["orders"], summary="Confirm the order was received",
      description="The order completes. A repeat returns the completed order.")
def confirm_receipt(order_id: FromPath[str],
                    request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    parsed = parse_id(order_id)
    if parsed is None:
        raise NotFound("No such order.")
    with transaction() as session:
        fulfillment.confirm_receipt(session, parsed, request.user.id)
        return _detail(session, request.user.id, order_id)


router = Router(path="/", route_handlers=[list_orders, get_order, cancel_order,
                                          confirm_receipt])
