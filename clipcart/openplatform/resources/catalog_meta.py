"""Categories with their attributes and rules, brands, image upload and warehouses."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from clipcart.catalog.categories import attributes_of, category_tree, get_category
from clipcart.errors import NotFound
from clipcart.inventory import service as inventory
from clipcart.media import media_url, store_image
from clipcart.openplatform import errors as E
from clipcart.openplatform.errors import OpenError
from clipcart.openplatform.gateway import Call, partner
from clipcart.openplatform.resources.common import an_id
from clipcart.openplatform.resources.product_input import shop_brands
from clipcart.openplatform.resources.product_view import brand_id, value_id
from clipcart.openplatform.resources.products import upload_prefix

READ, WRITE = "seller.product.basic", "seller.product.write"


@partner("GET", "product", "categories", scope=READ, summary="Get categories")
def get_categories(session: Session, call: Call) -> dict[str, Any]:
    keyword = (call.param("keyword") or "").casefold()
    by_path = {node.path: node for node in category_tree(session)}
    out = []
    for node in by_path.values():
        if node.prohibited or (keyword and keyword not in node.path.casefold()):
            continue
        parent = by_path.get(node.path.rsplit("/", 1)[0]) if "/" in node.path else None
        out.append({"id": str(node.id), "parent_id": str(parent.id) if parent else "0",
                    "local_name": node.name, "is_leaf": node.is_leaf,
                    "permission_statuses": ["AVAILABLE"]})
    return {"categories": out}


def _category(session: Session, call: Call) -> int:
    category_id = an_id(call.path_params.get("category_id"), "category_id")
    try:
        get_category(session, category_id)
    except NotFound:
        raise OpenError(E.NOT_FOUND, "No such category.") from None
    return category_id


@partner("GET", "product", "categories/{category_id:str}/attributes", scope=READ,
         summary="Get category attributes")
def get_attributes(session: Session, call: Call) -> dict[str, Any]:
    out = []
    for spec in attributes_of(session, _category(session, call)):
        out.append({"id": str(spec.id), "name": spec.name,
                    "type": "SALES_PROPERTY" if spec.is_sales_option else "PRODUCT_PROPERTY",
                    "is_requried": spec.required, "is_customizable": not spec.values,
                    "is_multiple_selection": False,
                    "values": [{"id": value_id(spec.id, v), "name": v} for v in spec.values]})
    return {"attributes": out}


@partner("GET", "product", "categories/{category_id:str}/rules", scope=READ,
         summary="Get category rules")
def get_rules(session: Session, call: Call) -> dict[str, Any]:
    _category(session, call)
    return {"product_certifications": [],
            "size_chart": {"is_supported": False, "is_required": False},
            "cod": {"is_supported": False}, "package_dimension": {"is_required": False},
            "epr": {"is_required": False}, "responsible_person": {"is_required": False},
            "manufacturer": {"is_required": False}, "seller_sku": {"is_required": False}}


@partner("GET", "product", "brands", scope=READ, summary="Get brands")
def get_brands(session: Session, call: Call) -> dict[str, Any]:
    name = (call.param("brand_name") or "").casefold()
    brands = [b for b in shop_brands(session, call.shop_row.id) if name in b.casefold()]
    return {"brands": [{"id": brand_id(b), "name": b, "authorized_status": "AUTHORIZED",
                        "brand_status": "AVAILABLE", "is_t1_brand": False} for b in brands],
            "total_count": len(brands), "next_page_token": ""}


@partner("POST", "product", "images/upload", scope=WRITE, shop=False,
         summary="Upload a product image")
def upload_image(session: Session, call: Call) -> dict[str, Any]:
    assert call.grant is not None
    upload = call.files.get("data")
    if upload is None or not upload[0]:
        raise OpenError(E.INVALID_PARAMETER, "Send the image as the multipart field data.")
    stored = store_image(upload[1], upload_prefix(call.grant.shop_id))
    return {"uri": stored.key, "url": media_url(stored.key) or "", "width": stored.width,
            "height": stored.height, "use_case": call.form_value("use_case") or "MAIN_IMAGE"}


@partner("GET", "logistics", "warehouses", scope=READ, summary="Get warehouses")
def get_warehouses(session: Session, call: Call) -> dict[str, Any]:
    shop = call.shop_row
    inventory.ensure_default_warehouse(session, shop.id)
    return {"warehouses": [{"id": str(w.id), "name": w.name, "is_default": w.is_default,
                            "effect_status": "ENABLED", "type": "SALES_WAREHOUSE",
                            "address": {"region_code": shop.market}}
                           for w in inventory.warehouses_of(session, shop.id)]}


ROUTES = [get_categories, get_attributes, get_rules, get_brands, upload_image, get_warehouses]
