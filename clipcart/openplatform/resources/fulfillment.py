"""Fulfillment: search and read packages, ship one or many (the seller's carrier and tracking
number, or a platform label), the shipping label, and an order's tracking."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.carriers.interface import CARRIERS, carrier_by_provider_id
from clipcart.config import get_settings
from clipcart.errors import DomainError
from clipcart.openplatform import errors as E
from clipcart.openplatform.errors import OpenError
from clipcart.openplatform.gateway import Call, partner
from clipcart.openplatform.resources.common import an_id, unix
from clipcart.openplatform.resources.package_view import detail_json, facts_of, search_json
from clipcart.openplatform.resources.search import page
from clipcart.orders import packages
from clipcart.orders.models import PACKAGE_STATUSES, Order, Package
from clipcart.orders.shipping_queries import address_of

READ = WRITE = "seller.fulfillment.basic"
TRACKING_MAX = 40
DOCUMENT_TYPES = ("SHIPPING_LABEL", "PACKING_SLIP", "SHIPPING_LABEL_AND_PACKING_SLIP",
                  "SHIPPING_LABEL_PICTURE", "HAZMAT_LABEL", "INVOICE_LABEL")


def actor_of(call: Call) -> str:
    grant = call.grant
    return f"seller:{grant.user_id}" if grant and grant.user_id else f"app:{call.app.id}"


def _package_id(call: Call) -> int:
    return an_id(call.path_params.get("package_id"), "package_id")


@partner("POST", "fulfillment", "packages/search", scope=READ, summary="Search packages")
def search_packages(session: Session, call: Call) -> dict[str, Any]:
    body, shop = call.json(), call.shop_row
    query = select(Package).where(Package.shop_id == shop.id)
    status = body.get("package_status")
    if status is not None:
        status = "PROCESSING" if status == "TO_FULFILL" else status
        if status not in PACKAGE_STATUSES:
            raise OpenError(E.INVALID_PARAMETER, "package_status is one of TO_FULFILL, "
                                                 f"{', '.join(PACKAGE_STATUSES)}.")
        query = query.where(Package.status == status)
    rows, total, token = page(session, call, query, Package, body, default_size=20)
    facts = facts_of(session, rows)
    return {"packages": [search_json(facts[p.id]) for p in rows], "total_count": total,
            "next_page_token": token}


@partner("GET", "fulfillment", "packages/{package_id:str}", scope=READ,
         summary="Get package detail")
def get_package(session: Session, call: Call) -> dict[str, Any]:
    pkg = packages.shop_package(session, call.shop_row.id, _package_id(call))
    order = session.get(Order, pkg.order_id)
    assert order is not None
    return detail_json(facts_of(session, [pkg])[pkg.id], order, address_of(order))


def _self_shipment(raw: object) -> tuple[str, str] | None:
    """(carrier code, tracking number) of a self_shipment object, or None when absent."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise OpenError(E.INVALID_PARAMETER, "self_shipment is an object.")
    number, provider = raw.get("tracking_number"), raw.get("shipping_provider_id")
    if not isinstance(number, str) or not 1 <= len(number.strip()) <= TRACKING_MAX:
        raise OpenError(E.INVALID_PARAMETER, f"self_shipment.tracking_number is 1 to "
                                             f"{TRACKING_MAX} characters.")
    if not isinstance(provider, str) or not provider:
        raise OpenError(E.INVALID_PARAMETER, "self_shipment.shipping_provider_id is required.")
    return carrier_by_provider_id(provider).info.code, number.strip()


def _handover(raw: object) -> None:
    if raw is not None and raw not in ("PICKUP", "DROP_OFF"):
        raise OpenError(E.INVALID_PARAMETER, "handover_method is PICKUP or DROP_OFF.")


@partner("POST", "fulfillment", "packages/{package_id:str}/ship", scope=WRITE,
         summary="Ship a package")
def ship_package(session: Session, call: Call) -> dict[str, Any]:
    body, package_id = call.json(), _package_id(call)
    _handover(body.get("handover_method"))
    given = _self_shipment(body.get("self_shipment"))
    if given is not None:
        packages.ship_package(session, shop_id=call.shop_row.id, package_id=package_id,
                              actor=actor_of(call), carrier_code=given[0],
                              tracking_number=given[1])
    else:
        packages.buy_label(session, shop_id=call.shop_row.id, package_id=package_id,
                           actor=actor_of(call))
    return {}


def _error_code(exc_code: str) -> int:
    return {"NOT_FOUND": E.NOT_FOUND, "VALIDATION_ERROR": E.INVALID_PARAMETER,
            "UNKNOWN_CARRIER": E.INVALID_PARAMETER}.get(exc_code, E.CONFLICT)


@partner("POST", "fulfillment", "packages/ship", scope=WRITE, summary="Batch ship packages")
def batch_ship(session: Session, call: Call) -> dict[str, Any]:
    items = call.json().get("packages")
    if not isinstance(items, list) or not 1 <= len(items) <= packages.BATCH_MAX:
        raise OpenError(E.INVALID_PARAMETER, f"packages lists 1 to {packages.BATCH_MAX} "
                                             "packages.")
    order: list[int] = []
    tracking: dict[int, tuple[str, str]] = {}
    errors: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            raise OpenError(E.INVALID_PARAMETER, "Each package is an object with an id.")
        package_id = an_id(item.get("id"), "packages.id")
        _handover(item.get("handover_method"))
        try:
            given = _self_shipment(item.get("self_shipment"))
        except DomainError as exc:
            errors.append({"code": _error_code(exc.code), "message": exc.detail,
                           "detail": {"package_id": str(package_id)}})
            continue
        if given is not None:
            tracking[package_id] = given
        order.append(package_id)
    result = packages.batch_ship(session, shop_id=call.shop_row.id, package_ids=order,
                                 actor=actor_of(call), tracking=tracking)
    errors += [{"code": _error_code(code), "message": why, "detail": {"package_id": str(pid)}}
               for pid, code, why in result.failed]
    return {"errors": errors}


@partner("GET", "fulfillment", "packages/{package_id:str}/shipping_documents", scope=READ,
         summary="Get a package's shipping documents")
def shipping_documents(session: Session, call: Call) -> dict[str, Any]:
    kind = call.param("document_type")
    if kind not in DOCUMENT_TYPES:
        raise OpenError(E.INVALID_PARAMETER, f"document_type is one of "
                                             f"{', '.join(DOCUMENT_TYPES)}.")
    if (call.param("document_format") or "PDF") != "PDF":
        raise OpenError(E.INVALID_PARAMETER, "document_format is PDF.")
    shop_id = call.shop_row.id
    [(pkg, _order, _lines)] = packages.label_document(session, shop_id=shop_id,
                                                      package_ids=[_package_id(call)])
    base = get_settings().base_url.rstrip("/")
    carrier = CARRIERS.get(pkg.carrier_code or "")
    if pkg.shipping_type == "PLATFORM" and carrier and kind.startswith("SHIPPING_LABEL"):
        url = base + carrier.label_url(pkg.tracking_number or "")
    else:
        url = f"{base}/seller/{shop_id}/shipping/labels?ids={pkg.id}"
    return {"doc_url": url, "tracking_number": pkg.tracking_number or ""}


@partner("GET", "fulfillment", "orders/{order_id:str}/tracking", scope=READ,
         summary="Get an order's tracking")
def order_tracking(session: Session, call: Call) -> dict[str, Any]:
    order_id = an_id(call.path_params.get("order_id"), "order_id")
    order = session.get(Order, order_id)
    if order is None or order.shop_id != call.shop_row.id:
        raise OpenError(E.NOT_FOUND, "No such order.")
    pkgs = packages.packages_of(session, [order.id])[order.id]
    history = packages.history_of_packages(session, [p.id for p in pkgs])
    steps = sorted((h for p in pkgs for h in history[p.id]), key=lambda h: (h.created_at, h.id),
                   reverse=True)
    return {"tracking": [{"description": h.note or (h.tracking_status or h.to_status),
                          "update_time_millis": unix(h.created_at) * 1000} for h in steps]}


ROUTES = [search_packages, get_package, ship_package, batch_ship, shipping_documents,
          order_tracking]
