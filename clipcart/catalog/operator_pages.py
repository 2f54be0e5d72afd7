"""Operator pages: the audit queue, decisions, and platform take-downs."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from clipcart.catalog import audit
from clipcart.catalog.lifecycle import STATUS_LABELS
from clipcart.catalog.seller_pages import ident
from clipcart.db import transaction
from clipcart.errors import Conflict, ValidationFailed
from clipcart.markets import market
from clipcart.money import Money
from clipcart.web.auth import CurrentUser, requires_role
from clipcart.web.navigation import NavItem, register

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
DONE = {"approved": "Approved: the listing is live.", "rejected": "Rejected: the seller sees "
        "your reasons.", "deactivated": "Deactivated: buyers no longer see the product.",
        "reinstated": "Reinstated: the product is back on sale."}

register(NavItem("Audit", "/operator/audit", "operator",
                 "M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5l-8-3Zm-1.2 14.2-3.5-3.5 "
                 "1.4-1.4 2.1 2.1 4.9-4.9 1.4 1.4-6.3 6.3Z"))


def _operator(request: Request[Any, Any, Any]) -> CurrentUser:
    user: CurrentUser = request.user
    return user


@get("/audit", sync_to_thread=True, include_in_schema=False)
def queue(page_token: FromQuery[str | None] = None,
          done: FromQuery[str | None] = None) -> Template:
    with transaction() as session:
        page = audit.review_queue(session, page_token=page_token)
        return Template("catalog/audit_queue.html", context={
            "page": page, "taken_down": audit.taken_down(session), "done": DONE.get(done or ""),
            "labels": STATUS_LABELS})


def _money(item: audit.QueueItem, minor: int | None) -> str:
    if minor is None:
        return ""
    return market(item.product.market).format(Money(minor, item.revision.currency))


@get("/audit/{revision_id:str}", sync_to_thread=True, include_in_schema=False)
def review(revision_id: FromPath[str]) -> Template:
    with transaction() as session:
        item = audit.revision_for_review(session, ident(revision_id))
        return Template("catalog/audit_review.html", context={
            "item": item, "money": lambda minor: _money(item, minor), "error": None,
            "labels": STATUS_LABELS})


def _decide(request: Request[Any, Any, Any], revision_id: str, reason: str | None) -> Response[Any]:
    rid = ident(revision_id)
    operator = _operator(request)
    with transaction() as session:
        try:
            with session.begin_nested():
                if reason is None:
                    audit.approve(session, rid, operator.id)
                else:
                    audit.reject(session, rid, operator.id, reason)
        except (ValidationFailed, Conflict) as exc:
            item = audit.revision_for_review(session, rid)
            return Template("catalog/audit_review.html", status_code=exc.status, context={
                "item": item, "money": lambda minor: _money(item, minor), "error": exc.detail,
                "labels": STATUS_LABELS})
    return Redirect(f"/operator/audit?done={'approved' if reason is None else 'rejected'}",
                    status_code=303)


@post("/audit/{revision_id:str}/approve", sync_to_thread=True, include_in_schema=False)
def approve(request: Request[Any, Any, Any], revision_id: FromPath[str]) -> Response[Any]:
    return _decide(request, revision_id, None)


@post("/audit/{revision_id:str}/reject", sync_to_thread=True, include_in_schema=False)
def reject(request: Request[Any, Any, Any], revision_id: FromPath[str],
           data: Form) -> Response[Any]:
    return _decide(request, revision_id, data.get("reason", ""))


def _take_down(request: Request[Any, Any, Any], product_id: str, reason: str) -> Response[Any]:
    with transaction() as session:
        audit.platform_deactivate(session, ident(product_id), _operator(request).id, reason)
    return Redirect("/operator/audit?done=deactivated", status_code=303)


@post("/products/{product_id:str}/deactivate", sync_to_thread=True, include_in_schema=False)
def deactivate(request: Request[Any, Any, Any], product_id: FromPath[str],
               data: Form) -> Response[Any]:
    return _take_down(request, product_id, data.get("reason", ""))


@post("/products/deactivate", sync_to_thread=True, include_in_schema=False)
def deactivate_by_id(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    return _take_down(request, data.get("product_id", "").strip(), data.get("reason", ""))


@post("/products/{product_id:str}/reinstate", sync_to_thread=True, include_in_schema=False)
def reinstate(request: Request[Any, Any, Any], product_id: FromPath[str]) -> Response[Any]:
    with transaction() as session:
        audit.reinstate(session, ident(product_id), _operator(request).id)
    return Redirect("/operator/audit?done=reinstated", status_code=303)


router = Router(path="/operator", guards=[requires_role("operator")],
                route_handlers=[queue, review, approve, reject, deactivate, deactivate_by_id,
                                                 reinstate])
