"""Products as the Partner API shows them (202309 field names; IDs and amounts as strings)."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.catalog.categories import attributes_of
from clipcart.catalog.images import images_of
from clipcart.catalog.models import Category, CategoryAttribute, Product, ProductRevision, Sku
from clipcart.catalog.service import skus_of
from clipcart.inventory import service as inventory
from clipcart.media import media_url
from clipcart.openplatform.resources.common import amount, unix

# clipcart's audit status of the latest revision, in the Partner API's words
AUDIT_STATUS = {"IN_REVIEW": "AUDITING", "APPROVED": "APPROVED", "REJECTED": "FAILED",
                "WITHDRAWN": "AUDITING"}


def value_id(attribute_id: int, value: str) -> str:
    """A stable ID for an attribute value (clipcart keeps values as text)."""
    digest = hashlib.sha256(f"{attribute_id}:{value}".encode()).hexdigest()[:14]
    return str(int(digest, 16))


def brand_id(name: str) -> str:
    return str(int(hashlib.sha256(f"brand:{name.casefold()}".encode()).hexdigest()[:14], 16))


def _image(key: str, thumb_key: str | None, width: int, height: int) -> dict[str, Any]:
    url = media_url(key) or ""
    return {"uri": key, "urls": [url], "thumb_urls": [media_url(thumb_key) or url],
            "width": width, "height": height}


def category_specs(session: Session, product: Product) -> dict[str, CategoryAttribute]:
    return {a.name: a for a in attributes_of(session, product.category_id)} \
        if product.category_id else {}


def sales_attributes(session: Session, product: Product, sku: Sku,
                     specs: dict[str, CategoryAttribute] | None = None) -> list[dict[str, Any]]:
    specs = specs if specs is not None else category_specs(session, product)
    out = []
    for name, value in sku.attributes.items():
        spec = specs.get(name)
        attr_id = spec.id if spec is not None else int(brand_id(name))
        out.append({"id": str(attr_id), "name": name, "value_id": value_id(attr_id, value),
                    "value_name": value})
    return out


def _latest_revision(session: Session, product_id: int) -> ProductRevision | None:
    return session.execute(select(ProductRevision).where(ProductRevision.product_id == product_id)
                           .order_by(ProductRevision.number.desc()).limit(1)).scalar_one_or_none()


def audit_of(session: Session, product: Product) -> dict[str, Any]:
    revision = _latest_revision(session, product.id)
    if revision is None:
        return {"status": "NONE"}
    return {"status": AUDIT_STATUS.get(revision.audit_status, "AUDITING")}


def sku_json(session: Session, product: Product, sku: Sku, levels: dict[int, Any],
             specs: dict[str, CategoryAttribute] | None = None) -> dict[str, Any]:
    price = amount(sku.price_minor, sku.currency, product.market)
    out: dict[str, Any] = {
        "id": str(sku.id), "seller_sku": sku.seller_sku,
        "price": {"currency": sku.currency, "sale_price": price, "tax_exclusive_price": price},
        "inventory": [{"warehouse_id": str(w), "quantity": max(level.on_hand - level.reserved, 0)}
                      for w, level in sorted(levels.get(sku.id, {}).items())],
        "sales_attributes": sales_attributes(session, product, sku, specs),
        "status_info": {"status": "NORMAL"}}
    if sku.list_price_minor is not None:
        out["list_price"] = {"amount": amount(sku.list_price_minor, sku.currency, product.market),
                             "currency": sku.currency}
    if sku.weight_g is not None:
        out["sku_weight"] = {"value": str(sku.weight_g), "unit": "GRAM"}
    return out


def _category_chain(session: Session, category_id: int | None) -> list[dict[str, Any]]:
    chain: list[dict[str, Any]] = []
    current = session.get(Category, category_id) if category_id else None
    while current is not None:
        chain.insert(0, {"id": str(current.id), "local_name": current.name,
                         "is_leaf": current.is_leaf,
                         "parent_id": str(current.parent_id) if current.parent_id else "0"})
        current = session.get(Category, current.parent_id) if current.parent_id else None
    return chain


def _product_attributes(session: Session, product: Product) -> list[dict[str, Any]]:
    if not product.category_id:
        return []
    specs = {a.name: a for a in session.execute(select(CategoryAttribute).where(
        CategoryAttribute.category_id == product.category_id)).scalars()}
    out = []
    for name, value in product.attributes.items():
        spec = specs.get(name)
        if spec is not None:
            out.append({"id": str(spec.id), "name": name,
                        "values": [{"id": value_id(spec.id, str(value)), "name": str(value)}]})
    return out


def product_json(session: Session, product: Product) -> dict[str, Any]:
    skus = skus_of(session, product.id)
    levels = inventory.levels_for_skus(session, [s.id for s in skus])
    revision = _latest_revision(session, product.id)
    specs = category_specs(session, product)
    data: dict[str, Any] = {
        "id": str(product.id), "title": product.title, "description": product.description,
        "status": product.status, "create_time": unix(product.created_at),
        "update_time": unix(product.updated_at), "has_draft": product.unsubmitted_changes,
        "is_not_for_sale": False, "is_cod_allowed": False,
        "audit": audit_of(session, product),
        "category_chains": _category_chain(session, product.category_id),
        "main_images": [_image(i.key, i.thumb_key, i.width, i.height)
                        for i in images_of(session, product.id)],
        "product_attributes": _product_attributes(session, product),
        "skus": [sku_json(session, product, s, levels, specs) for s in skus],
        "listing_quality_tier": "GOOD", "integrated_platform_statuses": [
            {"platform": "TIKTOK_SHOP", "status": product.status}]}
    if product.brand:
        data["brand"] = {"id": brand_id(product.brand), "name": product.brand}
    if revision is not None and revision.audit_status == "REJECTED":
        data["audit_failed_reasons"] = [{"listing_platform": "TIKTOK_SHOP", "position": "product",
                                         "reasons": [str(r.get("message", r)) if isinstance(r, dict)
                                                     else str(r) for r in revision.reasons],
                                         "suggestions": []}]
    return data


def search_row(session: Session, product: Product) -> dict[str, Any]:
    skus = skus_of(session, product.id)
    levels = inventory.levels_for_skus(session, [s.id for s in skus])
    specs = category_specs(session, product)
    return {"id": str(product.id), "title": product.title, "status": product.status,
            "create_time": unix(product.created_at), "update_time": unix(product.updated_at),
            "sales_regions": [product.market], "has_draft": product.unsubmitted_changes,
            "audit": audit_of(session, product),
            "skus": [{k: v for k, v in sku_json(session, product, s, levels, specs).items()
                      if k in ("id", "seller_sku", "price", "inventory", "list_price",
                               "status_info")} for s in skus]}
