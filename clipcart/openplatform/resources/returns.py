"""Returns: search, approve (a refund, a return, a received package), reject with one of
the reasons ``reject_reasons`` lists; the records are after-sales' (clipcart/aftersales)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.aftersales import receipts
from clipcart.aftersales import service as aftersales
from clipcart.aftersales.models import Cancellation, ReturnLine, ReturnRequest
from clipcart.aftersales.queries import next_action
from clipcart.aftersales.reasons import (
    BUYER_REASONS,
    PACKAGE_REJECT_REASONS,
    SELLER_REJECT_REASONS,
)
from clipcart.aftersales.transitions import (
    BUYER_SHIPPED_ITEM,
    PENDING,
    RETURN_STATUSES,
    RETURN_TYPES,
)
from clipcart.carriers.interface import CARRIERS
from clipcart.openplatform import errors as E
from clipcart.openplatform.errors import OpenError
from clipcart.openplatform.gateway import Call, partner
from clipcart.openplatform.resources.common import amount, an_id, unix
from clipcart.openplatform.resources.fulfillment import actor_of
from clipcart.openplatform.resources.search import filtered, page

SCOPE = "seller.return_refund.basic"
APPROVALS = {"APPROVE_REFUND": ("REFUND", PENDING), "APPROVE_RETURN": ("RETURN_AND_REFUND",
                                                                        PENDING),
             "APPROVE_RECEIVED_PACKAGE": ("RETURN_AND_REFUND", BUYER_SHIPPED_ITEM)}
REJECTIONS = {"REJECT_REFUND": ("REFUND", PENDING), "REJECT_RETURN": ("RETURN_AND_REFUND",
                                                                      PENDING),
              "REJECT_RECEIVED_PACKAGE": ("RETURN_AND_REFUND", BUYER_SHIPPED_ITEM)}


def refund(currency: str, market: str, total: int, subtotal: int, shipping: int,
           tax: int) -> dict[str, str]:
    return {"currency": currency, "refund_total": amount(total, currency, market),
            "refund_subtotal": amount(subtotal, currency, market),
            "refund_shipping_fee": amount(shipping, currency, market),
            "refund_tax": amount(tax, currency, market)}


def _line_json(req: ReturnRequest, line: ReturnLine) -> dict[str, Any]:
    return {"return_line_item_id": str(line.id), "order_line_item_id": str(line.order_line_id),
            "sku_id": str(line.sku_id), "sku_name": line.title, "product_name": line.title,
            "seller_sku": line.seller_sku,
            "refund_amount": refund(req.currency, req.market, line.refund_total_minor,
                                    line.refund_subtotal_minor, 0, line.refund_tax_minor)}


def return_json(req: ReturnRequest, lines: list[ReturnLine]) -> dict[str, Any]:
    action = next_action(req)
    carrier = CARRIERS.get(req.return_provider or "")
    return {
        "return_id": str(req.id), "order_id": str(req.order_id),
        "return_type": req.return_type, "return_status": req.status,
        "arbitration_status": req.arbitration_status or "", "role": "BUYER",
        "return_reason": req.reason, "return_reason_text": BUYER_REASONS.get(req.reason, ""),
        "return_tracking_number": req.return_tracking_number or "",
        "return_provider_name": carrier.info.name if carrier else "",
        "return_provider_id": carrier.info.provider_id if carrier else "",
        "shipment_type": "PLATFORM" if req.return_shipment_id else "",
        "handover_method": "DROP_OFF" if req.return_shipment_id else "",
        "can_buyer_keep_item": req.return_type == "REFUND", "is_combined_return": False,
        "create_time": unix(req.created_at), "update_time": unix(req.updated_at),
        "seller_next_action_response": [] if action is None else [
            {"action": action[0], "deadline": unix(action[1])}],
        "refund_amount": refund(req.currency, req.market, req.refund_total_minor,
                                req.refund_subtotal_minor, req.refund_shipping_minor,
                                req.refund_tax_minor),
        "return_line_items": [_line_json(req, line) for line in lines],
        "discount_amount": [], "shipping_fee_amount": []}


@partner("POST", "return_refund", "returns/search", scope=SCOPE, summary="Search returns")
def search_returns(session: Session, call: Call) -> dict[str, Any]:
    body = call.json()
    query = filtered(
        select(ReturnRequest).where(ReturnRequest.shop_id == call.shop_row.id), body,
        ids=(("return_ids", ReturnRequest.id), ("order_ids", ReturnRequest.order_id),
             ("buyer_user_ids", ReturnRequest.buyer_user_id)),
        words=(("return_types", ReturnRequest.return_type, RETURN_TYPES),
               ("return_status", ReturnRequest.status, RETURN_STATUSES)))
    rows, total, token = page(session, call, query, ReturnRequest, body)
    lines = aftersales.lines_of(session, [r.id for r in rows])
    return {"return_orders": [return_json(r, lines[r.id]) for r in rows],
            "total_count": total, "next_page_token": token}


def _decided(session: Session, call: Call, choices: dict[str, tuple[str, str]]
             ) -> tuple[ReturnRequest, str, dict[str, Any]]:
    body = call.json()
    req = aftersales.shop_return(session, call.shop_row.id,
                                 an_id(call.path_params.get("return_id"), "return_id"))
    decision = body.get("decision")
    if decision not in choices:
        raise OpenError(E.INVALID_PARAMETER, f"decision is one of {', '.join(choices)}.")
    return_type, status = choices[str(decision)]
    if req.return_type != return_type:
        raise OpenError(E.INVALID_PARAMETER, f"{decision} does not fit a {req.return_type} "
                                             "request.")
    if req.status != status:
        raise OpenError(E.CONFLICT, f"The return is {req.status}; {decision} needs {status}.")
    return req, str(decision), body


@partner("POST", "return_refund", "returns/{return_id:str}/approve", scope=SCOPE,
         summary="Approve a return")
def approve_return(session: Session, call: Call) -> dict[str, Any]:
    req, decision, _body = _decided(session, call, APPROVALS)
    if decision == "APPROVE_RECEIVED_PACKAGE":
        receipts.confirm_receipt(session, req.shop_id, req.id, actor=actor_of(call),
                                 actor_user_id=call.grant.user_id if call.grant else None,
                                 restock=False)
    else:
        aftersales.approve(session, req.shop_id, req.id, actor=actor_of(call))
    return {}


@partner("POST", "return_refund", "returns/{return_id:str}/reject", scope=SCOPE,
         summary="Reject a return")
def reject_return(session: Session, call: Call) -> dict[str, Any]:
    req, decision, body = _decided(session, call, REJECTIONS)
    reason, comment = body.get("reject_reason"), body.get("comment", "")
    if not isinstance(reason, str) or not isinstance(comment, str) or len(comment) > 1000:
        raise OpenError(E.INVALID_PARAMETER, "reject_reason is one of reject_reasons' names; "
                                             "comment is up to 1000 characters.")
    reject = receipts.reject_receipt if decision == "REJECT_RECEIVED_PACKAGE" \
        else aftersales.reject
    reject(session, req.shop_id, req.id, actor=actor_of(call), reason=reason, comment=comment)
    return {}


@partner("GET", "return_refund", "reject_reasons", scope=SCOPE, summary="Get reject reasons")
def reject_reasons(session: Session, call: Call) -> dict[str, Any]:
    request_id = an_id(call.param("return_or_cancel_id"), "return_or_cancel_id")
    shop_id = call.shop_row.id
    cancellation = session.get(Cancellation, request_id)
    if cancellation is not None and cancellation.shop_id == shop_id:
        return {"reasons": []}  # a cancellation here is already decided
    req = aftersales.shop_return(session, shop_id, request_id)
    reasons = {PENDING: SELLER_REJECT_REASONS,
               BUYER_SHIPPED_ITEM: PACKAGE_REJECT_REASONS}.get(req.status, {})
    return {"reasons": [{"name": name, "text": text} for name, text in reasons.items()]}


ROUTES = [search_returns, approve_return, reject_return, reject_reasons]
