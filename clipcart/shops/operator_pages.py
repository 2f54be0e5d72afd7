"""The operator's console for shop applications: review, approve, reject with a reason."""

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
from clipcart.markets import get_markets
from clipcart.shops import service
from clipcart.web.auth import requires_role
from clipcart.web.operator import Console, register_console

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
TABS = (("PENDING", "Waiting"), ("APPROVED", "Approved"), ("REJECTED", "Rejected"))
DONE = {"approved": "Approved. The seller has been told and can open Seller Center.",
        "rejected": "Rejected. The seller has been told why."}

register_console(Console("Shop applications", "/operator/shops",
                         "Review who may sell, in which market.", service.count_pending,
                         "waiting for review"))


def _console(status: str, page_token: str | None, *, done: str | None = None,
             error: DomainError | None = None, failed_shop: str | None = None) -> Template:
    with transaction() as session:
        page = service.list_shops(session, status, page_token=page_token)
        counts = service.count_by_status(session)
    return Template("shops/operator_shops.html", status_code=error.status if error else 200,
                    context={"status": status, "tabs": TABS, "counts": counts, "page": page,
                             "page_token": page_token, "done": DONE.get(done or ""),
                             "error": error.detail if error else None,
                             "failed_shop": failed_shop, "markets_by_code": get_markets().by_code})


@get("/operator/shops", sync_to_thread=True, guards=[requires_role("operator")],
     include_in_schema=False)
def operator_shops(status: FromQuery[str] = "PENDING", page_token: FromQuery[str | None] = None,
                   done: FromQuery[str | None] = None) -> Template:
    return _console(status.upper(), page_token, done=done)


def _decide(request: Request[Any, Any, Any], shop_id: int, done: str,
            action: Callable[[Session, int], object]) -> Response[Any]:
    try:
        with transaction() as session:
            action(session, request.user.id)
    except DomainError as exc:
        return _console("PENDING", None, error=exc, failed_shop=str(shop_id))
    return Redirect(f"/operator/shops?done={done}", status_code=303)


@post("/operator/shops/{shop_id:int}/approve", sync_to_thread=True,
      guards=[requires_role("operator")], include_in_schema=False)
def operator_approve(request: Request[Any, Any, Any], shop_id: FromPath[int]) -> Response[Any]:
    return _decide(request, shop_id, "approved",
                   lambda session, me: service.approve(session, shop_id, me))


@post("/operator/shops/{shop_id:int}/reject", sync_to_thread=True,
      guards=[requires_role("operator")], include_in_schema=False)
def operator_reject(request: Request[Any, Any, Any], shop_id: FromPath[int],
                    data: Form) -> Response[Any]:
    return _decide(request, shop_id, "rejected",
                   lambda session, me: service.reject(session, shop_id, me,
                                                      data.get("reason", "")))


router = Router(path="/", route_handlers=[operator_shops, operator_approve, operator_reject])
