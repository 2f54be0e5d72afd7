"""Buyer API: ask for a refund or a return, follow it, withdraw, escalate, ship back."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.orm import Session

from clipcart import idempotency
from clipcart.aftersales import queries, receipts, service
from clipcart.aftersales.transitions import API_TYPES
from clipcart.aftersales.views import cancellation_json, return_json
from clipcart.db import transaction
from clipcart.errors import NotFound, ValidationFailed
from clipcart.ids import parse_id
from clipcart.web.auth import CurrentUser, requires_user

IdText = Annotated[str, msgspec.Meta(min_length=1, max_length=24)]


class LineBody(msgspec.Struct, forbid_unknown_fields=True):
    line_id: IdText
    quantity: Annotated[int, msgspec.Meta(ge=1, le=10_000)]


class ReturnBody(msgspec.Struct, forbid_unknown_fields=True):
    type: Annotated[str, msgspec.Meta(max_length=20)]
    lines: Annotated[list[LineBody], msgspec.Meta(min_length=1, max_length=service.MAX_LINES)]
    reason: Annotated[str, msgspec.Meta(max_length=40)]
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class NoteBody(msgspec.Struct, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class ShipBody(msgspec.Struct, forbid_unknown_fields=True):
    carrier_code: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    tracking_number: Annotated[str, msgspec.Meta(max_length=60)] | None = None


def _id(raw: str, what: str = "return") -> int:
    value = parse_id(raw)
    if value is None:
        raise NotFound(f"No such {what}.")
    return value


def _line_id(raw: str) -> int:
    value = parse_id(raw)
    if value is None:
        raise ValidationFailed("A line_id is not a line of this order.", field="lines")
    return value


def one(session: Session, buyer_id: int, return_id: int) -> dict[str, Any]:
    req = service.buyer_return(session, buyer_id, return_id)
    d = queries.detail(session, req)
    return return_json(d.row, d.history)


@post("/orders/{order_id:str}/returns", status_code=201, sync_to_thread=True,
      guards=[requires_user], tags=["returns"], summary="Ask for a refund or a return",
      description="Within the market's return window after delivery. Send an "
                  "Idempotency-Key: a retry returns the first answer.")
def create_return(order_id: FromPath[str], data: JSONBody[ReturnBody],
                  request: Request[CurrentUser, Any, Any]) -> Response[dict[str, Any]]:
    user = request.user
    key = idempotency.check_key(request.headers.get("idempotency-key"))
    if data.type not in API_TYPES:
        raise ValidationFailed("type is REFUND_ONLY or RETURN_AND_REFUND.", field="type")
    with transaction() as session:
        scope = f"return-create:{user.id}"
        if key is not None:
            stored = idempotency.claim(session, scope, key, {"order_id": order_id,
                                                             "body": msgspec.to_builtins(data)})
            if stored is not None:
                return Response(stored.body, status_code=stored.status_code)
        req = service.request_return(
            session, buyer_user_id=user.id, order_id=_id(order_id, "order"),
            return_type=API_TYPES[data.type], reason=data.reason, note=data.note,
            lines=[(_line_id(li.line_id), li.quantity) for li in data.lines])
        answer = one(session, user.id, req.id)
        if key is not None:
            idempotency.remember(session, scope, key, 201, answer)
    return Response(answer, status_code=201)


@get("/returns", sync_to_thread=True, guards=[requires_user], tags=["returns"],
     summary="The buyer's returns, newest first")
def list_returns(request: Request[CurrentUser, Any, Any], order_id: FromQuery[str | None] = None,
                 page_size: FromQuery[int | None] = None,
                 page_token: FromQuery[str | None] = None) -> dict[str, Any]:
    with transaction() as session:
        page = queries.buyer_returns(session, request.user.id,
                                     order_id=_id(order_id, "order") if order_id else None,
                                     page_size=page_size, page_token=page_token)
        return {"returns": [return_json(r) for r in page.items],
                "next_page_token": page.next_page_token}


@get("/returns/{return_id:str}", sync_to_thread=True, guards=[requires_user], tags=["returns"],
     summary="One return with its lines, refund and timeline")
def get_return(return_id: FromPath[str], request: Request[CurrentUser, Any, Any]
               ) -> dict[str, Any]:
    with transaction() as session:
        return one(session, request.user.id, _id(return_id))


@post("/returns/{return_id:str}/cancel", status_code=200, sync_to_thread=True,
      guards=[requires_user], tags=["returns"], summary="Withdraw a return request")
def cancel_return(return_id: FromPath[str], request: Request[CurrentUser, Any, Any]
                  ) -> dict[str, Any]:
    with transaction() as session:
        req = service.cancel(session, request.user.id, _id(return_id))
        return one(session, request.user.id, req.id)


@post("/returns/{return_id:str}/escalate", status_code=200, sync_to_thread=True,
      guards=[requires_user], tags=["returns"],
      summary="Ask the platform to decide on the seller's rejection")
def escalate_return(return_id: FromPath[str], data: JSONBody[NoteBody],
                    request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        req = service.escalate(session, request.user.id, _id(return_id), data.note)
        return one(session, request.user.id, req.id)


@post("/returns/{return_id:str}/shipment", status_code=200, sync_to_thread=True,
      guards=[requires_user], tags=["returns"], summary="Send the item back")
def ship_return(return_id: FromPath[str], data: JSONBody[ShipBody],
                request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        req = receipts.ship_back(session, request.user.id, _id(return_id),
                                 carrier_code=data.carrier_code,
                                 tracking_number=data.tracking_number)
        return one(session, request.user.id, req.id)


@get("/cancellations", sync_to_thread=True, guards=[requires_user], tags=["returns"],
     summary="The buyer's cancelled paid orders and their refunds")
def list_cancellations(request: Request[CurrentUser, Any, Any],
                       page_size: FromQuery[int | None] = None,
                       page_token: FromQuery[str | None] = None) -> dict[str, Any]:
    with transaction() as session:
        page = queries.buyer_cancellations(session, request.user.id, page_size=page_size,
                                           page_token=page_token)
        return {"cancellations": [cancellation_json(c) for c in page.items],
                "next_page_token": page.next_page_token}


router = Router(path="/", route_handlers=[create_return, list_returns, get_return, cancel_return,
                                          escalate_return, ship_return, list_cancellations])
