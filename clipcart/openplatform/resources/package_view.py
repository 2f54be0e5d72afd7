"""Packages as the Partner API shows them: in search results, in detail, and inside orders.

An order's line items are listed one per unit (``{line id}`` then ``{line id}-{n}``); a
package holding k units of a line holds the next k of those unit IDs, packages taken in
the order they were made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.carriers.interface import CARRIERS
from clipcart.media import media_url
from clipcart.openplatform.resources.common import unix
from clipcart.orders.models import Order, OrderLine, Package
from clipcart.orders.packages import lines_of_packages, packages_of

# clipcart's PLATFORM (a label the platform books) is TikTok's TIKTOK shipping.
SHIPPING_TYPES = {"PLATFORM": "TIKTOK", "SELLER": "SELLER"}


def unit_id(line_id: int, n: int) -> str:
    return str(line_id) if n == 0 else f"{line_id}-{n}"


@dataclass(frozen=True)
class PackageFacts:
    package: Package
    lines: list[tuple[OrderLine, int]]
    unit_ids: list[str]

    @property
    def provider(self) -> tuple[str, str]:
        carrier = CARRIERS.get(self.package.carrier_code or "")
        return (carrier.info.provider_id, carrier.info.name) if carrier else ("", "")

    @property
    def shipping_type(self) -> str:
        return SHIPPING_TYPES.get(self.package.shipping_type or "", "")


def facts_of_orders(session: Session, order_ids: Sequence[int]) -> dict[int, list[PackageFacts]]:
    """Every package of these orders with its lines and unit IDs; two queries."""
    by_order = packages_of(session, order_ids)
    lines = lines_of_packages(session, [p.id for pkgs in by_order.values() for p in pkgs])
    out: dict[int, list[PackageFacts]] = {}
    for order_id, pkgs in by_order.items():
        taken: dict[int, int] = {}
        out[order_id] = []
        for pkg in pkgs:
            ids: list[str] = []
            for line, qty in lines[pkg.id]:
                first = taken.get(line.id, 0)
                ids.extend(unit_id(line.id, n) for n in range(first, first + qty))
                taken[line.id] = first + qty
            out[order_id].append(PackageFacts(pkg, lines[pkg.id], ids))
    return out


def facts_of(session: Session, packages: Sequence[Package]) -> dict[int, PackageFacts]:
    by_order = facts_of_orders(session, sorted({p.order_id for p in packages}))
    return {f.package.id: f for facts in by_order.values() for f in facts}


def _orders_json(facts: PackageFacts) -> list[dict[str, Any]]:
    return [{"id": str(facts.package.order_id), "skus": [
        {"id": str(line.sku_id), "name": line.title, "quantity": qty,
         "image_url": media_url(line.image_key) or ""} for line, qty in facts.lines]}]


def search_json(facts: PackageFacts) -> dict[str, Any]:
    pkg = facts.package
    provider_id, provider_name = facts.provider
    return {"id": str(pkg.id), "orders": _orders_json(facts), "status": pkg.status,
            "create_time": unix(pkg.created_at), "update_time": unix(pkg.updated_at),
            "tracking_number": pkg.tracking_number or "", "shipping_provider_id": provider_id,
            "shipping_provider_name": provider_name, "order_line_item_ids": facts.unit_ids}


def detail_json(facts: PackageFacts, order: Order, address: dict[str, str]) -> dict[str, Any]:
    pkg = facts.package
    provider_id, provider_name = facts.provider
    parts = [address.get(k, "") for k in ("line1", "line2", "city", "region", "postal_code",
                                          "country")]
    return {
        "package_id": str(pkg.id), "orders": _orders_json(facts), "package_status": pkg.status,
        "package_sub_status": pkg.tracking_status or "", "ship_exception_reason": "",
        "split_and_combine_tag": "", "has_multi_skus": len(facts.lines) > 1, "note_tag": "",
        "shipping_provider_id": provider_id, "shipping_provider_name": provider_name,
        "shipping_type": facts.shipping_type, "delivery_option_id": "",
        "delivery_option_name": "Standard shipping",
        "tracking_number": pkg.tracking_number or "",
        "last_mile_tracking_number": pkg.tracking_number or "",
        "handover_method": pkg.handover_method or "", "create_time": unix(pkg.created_at),
        "update_time": unix(pkg.updated_at), "order_line_item_ids": facts.unit_ids,
        "recipient_address": {
            "name": address.get("name", ""), "phone_number": address.get("phone", ""),
            "address_line1": address.get("line1", ""), "address_line2": address.get("line2", ""),
            "postal_code": address.get("postal_code", ""),
            "region_code": address.get("country", order.market),
            "full_address": ", ".join(p for p in parts if p)},
        "biz_extension_tags": []}


def order_facts(session: Session, order_ids: Sequence[int]) -> dict[int, list[PackageFacts]]:
    return facts_of_orders(session, order_ids) if order_ids else {}


def shop_packages(session: Session, shop_id: int, ids: Sequence[int]) -> list[Package]:
    return list(session.execute(select(Package).where(
        Package.shop_id == shop_id, Package.id.in_(list(ids)))).scalars())
