"""Packages as JSON (buyer API ``packages`` of an order; fields named as the Partner API's
fulfillment packages so the seller API can hand them out directly)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from clipcart.carriers.interface import CARRIERS
from clipcart.orders.models import OrderLine, Package, PackageHistory
from clipcart.orders.packages import history_of_packages, lines_of_packages, packages_of


def _at(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def package_json(pkg: Package, lines: list[tuple[OrderLine, int]],
                 history: list[PackageHistory]) -> dict[str, Any]:
    carrier = CARRIERS.get(pkg.carrier_code) if pkg.carrier_code else None
    return {
        "id": str(pkg.id), "order_id": str(pkg.order_id), "package_status": pkg.status,
        "tracking_status": pkg.tracking_status, "tracking_number": pkg.tracking_number,
        "shipping_provider_id": carrier.info.provider_id if carrier else None,
        "shipping_provider_name": carrier.info.name if carrier else None,
        "shipping_type": pkg.shipping_type, "handover_method": pkg.handover_method,
        "label_url": carrier.label_url(pkg.tracking_number)
        if carrier and pkg.tracking_number and pkg.shipping_type == "PLATFORM" else None,
        "lines": [{"line_id": str(line.id), "sku_id": str(line.sku_id), "title": line.title,
                   "quantity": qty} for line, qty in lines],
        "created_at": _at(pkg.created_at), "updated_at": _at(pkg.updated_at),
        "shipped_at": _at(pkg.shipped_at), "delivered_at": _at(pkg.delivered_at),
        "tracking": [{"status": h.to_status, "tracking_status": h.tracking_status,
                      "description": h.note, "at": _at(h.created_at)} for h in history],
    }


def packages_json(session: Session, order_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Every package of these orders; three queries whatever their number."""
    by_order = packages_of(session, order_ids)
    ids = [p.id for pkgs in by_order.values() for p in pkgs]
    lines = lines_of_packages(session, ids)
    history = history_of_packages(session, ids)
    return {oid: [package_json(p, lines[p.id], history[p.id]) for p in pkgs]
            for oid, pkgs in by_order.items()}
