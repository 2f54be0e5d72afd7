"""Seller Center: the returns queue with its timers, one return, the seller's decisions."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from clipcart.aftersales import queries, receipts, service
from clipcart.aftersales.page_helpers import common, ident
from clipcart.db import transaction
from clipcart.errors import DomainError, NotFound
from clipcart.shops.models import Shop
from clipcart.shops.seller_center import open_shop, render
from clipcart.web.auth import CurrentUser, requires_user

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
TABS = {**queries.SELLER_TABS, "cancellations": ("Cancellations", ())}


def _shop(session: Session, user: CurrentUser, shop_id: str) -> Shop:
    return open_shop(session, user, ident(shop_id, "shop"))


@get("/seller/{shop_id:str}/returns", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def queue(request: Request[CurrentUser, Any, Any], shop_id: FromPath[str],
          tab: FromQuery[str] = "to_respond", page_token: FromQuery[str | None] = None
          ) -> Template:
    key = tab if tab in TABS else "to_respond"
    with transaction() as session:
        shop = _shop(session, request.user, shop_id)
        if key == "cancellations":
            page: Any = queries.shop_cancellations(session, shop.id, page_token=page_token)
        else:
            page = queries.shop_returns(session, shop.id, queries.SELLER_TABS[key][1],
                                        page_token=page_token)
        return render(session, request.user, shop, "returns", "aftersales/seller_queue.html",
                      common(page=page, tab=key, tabs=TABS))


def _detail(user: CurrentUser, shop_id: str, return_id: int, *, error: str | None = None,
            status_code: int = 200) -> Template:
    with transaction() as session:
        shop = _shop(session, user, shop_id)
        d = queries.detail(session, service.shop_return(session, shop.id, return_id))
        return render(session, user, shop, "returns", "aftersales/seller_return.html",
                      common(d=d, error=error), status_code=status_code)


@get("/seller/{shop_id:str}/returns/{return_id:str}", sync_to_thread=True,
     guards=[requires_user], include_in_schema=False)
def one(request: Request[CurrentUser, Any, Any], shop_id: FromPath[str],
        return_id: FromPath[str]) -> Template:
    return _detail(request.user, shop_id, ident(return_id))


def _decide(request: Request[CurrentUser, Any, Any], shop_id: str, return_id: str,
            data: dict[str, str], action: str) -> Response[Any]:
    rid, user = ident(return_id), request.user
    actor = f"seller:{user.id}"
    try:
        with transaction() as session:
            shop = _shop(session, user, shop_id)
            if action == "approve":
                service.approve(session, shop.id, rid, actor=actor)
            elif action == "reject":
                service.reject(session, shop.id, rid, actor=actor, reason=data.get("reason", ""),
                               comment=data.get("comment", "")[:1000])
            elif action == "receive":
                receipts.confirm_receipt(session, shop.id, rid, actor=actor,
                                         actor_user_id=user.id,
                                         restock=data.get("restock") == "1")
            else:
                receipts.reject_receipt(session, shop.id, rid, actor=actor,
                                        reason=data.get("reason", ""),
                                        comment=data.get("comment", "")[:1000])
            shop_key = shop.id
    except NotFound:
        raise
    except DomainError as exc:
        return _detail(user, shop_id, rid, error=exc.detail, status_code=exc.status)
    return Redirect(f"/seller/{shop_key}/returns/{rid}")


DECISIONS = ("approve", "reject", "receive", "refuse")  # the forms of the detail page


@post("/seller/{shop_id:str}/returns/{return_id:str}/{decision:str}", sync_to_thread=True,
      guards=[requires_user], include_in_schema=False)
def decide(request: Request[CurrentUser, Any, Any], shop_id: FromPath[str],
           return_id: FromPath[str], decision: FromPath[str], data: Form) -> Response[Any]:
    """Approve or reject the request; confirm or refuse the returned parcel."""
    if decision not in DECISIONS:
        raise NotFound(f"There is no {decision!r} for a return.")
    return _decide(request, shop_id, return_id, data, decision)


router = Router(path="/", route_handlers=[queue, one, decide])
