"""Seller Center catalog pages: the product list and the product editor.

Routes parse, call catalog services and render. Saving happens in a savepoint, so a
refused save re-renders the editor with what the seller typed and changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

import clipcart.catalog.cards  # noqa: F401  (registers the dashboard card)
from clipcart.catalog import forms, images, submission
from clipcart.catalog.categories import attributes_of, category_tree
from clipcart.catalog.lifecycle import STATUS_LABELS, STATUS_TONES
from clipcart.catalog.seller_views import TABS, product_for_seller, seller_products
from clipcart.catalog.service import create_product, product_of_shop, update_product
from clipcart.db import transaction
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.ids import parse_id
from clipcart.inventory import service as inventory
from clipcart.markets import market
from clipcart.shops.models import Shop
from clipcart.shops.seller_center import layout_context, open_shop
from clipcart.shops.service import MANAGERS
from clipcart.web.auth import CurrentUser, requires_user

Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
DONE = {"saved": "Saved. Buyers don't see these changes until you submit them.",
        "created": "Draft saved. Add images and submit it when it is ready.",
        "submitted": "Submitted.", "deactivated": "Deactivated: buyers no longer see it.",
        "activated": "Activated.", "image": "Images updated."}


def ident(raw: str) -> int:
    found = parse_id(raw)
    if found is None:
        raise NotFound("No such page.")
    return found


def _user(request: Request[Any, Any, Any]) -> CurrentUser:
    user: CurrentUser = request.user
    return user


@get("/{shop_id:str}/products", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def product_list(request: Request[Any, Any, Any], shop_id: FromPath[str],
                 tab: FromQuery[str] = "all", q: FromQuery[str] = "",
                 category_id: FromQuery[str] = "", page_size: FromQuery[int] = 20,
                 page_token: FromQuery[str | None] = None) -> Template:
    with transaction() as session:
        shop = open_shop(session, _user(request), ident(shop_id))
        category = parse_id(category_id) if category_id else None
        listing = seller_products(session, shop.id, tab=tab if tab in TABS else "all",
                                  text=q[:200], category_id=category, page_size=page_size,
                                  page_token=page_token)
        return Template("catalog/products.html", context={
            **layout_context(session, _user(request), shop, "products"),
            "listing": listing, "tabs": TABS, "tab": tab if tab in TABS else "all",
            "q": q[:200], "category_id": category, "categories": category_tree(session),
            "page_size": page_size,
            "labels": STATUS_LABELS, "tones": STATUS_TONES, "market": market(shop.market)})


def _editor(session: Session, request: Request[Any, Any, Any], shop: Shop,
            product_id: int | None, state: forms.EditorState | None = None,
            error: Exception | None = None, done: str | None = None,
            status_code: int = 200) -> Template:
    view = product_for_seller(session, shop.id, product_id) if product_id else None
    if state is None:
        state = forms.state_from_product(view, shop.market) if view else forms.EditorState(
            rows=[forms.MatrixRow({})])
    category = parse_id(state.category_id) if state.category_id else None
    attributes = attributes_of(session, category) if category else []
    context = layout_context(session, _user(request), shop, "products")
    return Template("catalog/editor.html", status_code=status_code, context={
        **context, "view": view, "state": state, "categories": category_tree(session),
        "attributes": [a for a in attributes if not a.is_sales_option],
        "suggestions": [a for a in attributes if a.is_sales_option],
        "warehouses": inventory.warehouses_of(session, shop.id),
        "market": market(shop.market), "labels": STATUS_LABELS, "tones": STATUS_TONES,
        "error": getattr(error, "detail", None), "field": getattr(error, "extra", {}).get("field"),
        "done": DONE.get(done or ""), "can_edit": context["role"] in MANAGERS,
        "max_images": images.MAX_IMAGES})


@get("/{shop_id:str}/products/new", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def new_product(request: Request[Any, Any, Any], shop_id: FromPath[str]) -> Template:
    with transaction() as session:
        shop = open_shop(session, _user(request), ident(shop_id), MANAGERS)
        return _editor(session, request, shop, None)


@get("/{shop_id:str}/products/{product_id:str}", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def edit_product(request: Request[Any, Any, Any], shop_id: FromPath[str],
                 product_id: FromPath[str],
                 done: FromQuery[str | None] = None) -> Template:
    with transaction() as session:
        shop = open_shop(session, _user(request), ident(shop_id))
        return _editor(session, request, shop, ident(product_id), done=done)


def _uploads(value: Any) -> list[UploadFile]:
    files = value if isinstance(value, list) else [value]
    return [f for f in files if isinstance(f, UploadFile) and f.filename]


def _save(request: Request[Any, Any, Any], shop_id: str, product_id: str | None,
          data: dict[str, Any]) -> Response[Any]:
    user = _user(request)
    action = str(data.get("action", "save"))
    text = {k: v for k, v in data.items() if isinstance(v, str)}
    uploads = [f.file.read() for f in _uploads(data.get("images"))]
    with transaction() as session:
        shop = open_shop(session, user, ident(shop_id), MANAGERS)
        existing = ident(product_id) if product_id else None
        if existing is not None:
            product_of_shop(session, shop.id, existing)  # 404 before anything else
        warehouses = [w.id for w in inventory.warehouses_of(session, shop.id)]
        state = forms.state_from_form(text, warehouses)
        if action == "refresh":  # new options or category: redraw the form, save nothing
            return _editor(session, request, shop, existing, state)
        try:
            with session.begin_nested():
                data_in = forms.product_input(state)
                if existing is None:
                    product = create_product(session, shop, data_in, actor_user_id=user.id)
                else:
                    product = update_product(session, shop, existing, data_in,
                                             actor_user_id=user.id)
                for upload in uploads:
                    images.add_image(session, shop, product.id, upload)
                if action == "submit":
                    submission.submit_product(session, shop, product.id, actor_user_id=user.id)
        except (ValidationFailed, Conflict) as exc:
            return _editor(session, request, shop, existing, state, exc,
                           status_code=exc.status)
        done = "submitted" if action == "submit" else "saved" if existing else "created"
        return Redirect(f"/seller/{shop.id}/products/{product.id}?done={done}", status_code=303)


@post("/{shop_id:str}/products/new", sync_to_thread=True, guards=[requires_user],
      include_in_schema=False)
def create_submit(request: Request[Any, Any, Any], shop_id: FromPath[str],
                  data: Multipart) -> Response[Any]:
    return _save(request, shop_id, None, data)


@post("/{shop_id:str}/products/{product_id:str}", sync_to_thread=True, guards=[requires_user],
      include_in_schema=False)
def edit_submit(request: Request[Any, Any, Any], shop_id: FromPath[str],
                product_id: FromPath[str],
                data: Multipart) -> Response[Any]:
    return _save(request, shop_id, product_id, data)


def _act(request: Request[Any, Any, Any], shop_id: str, product_id: str, action: Any,
         done: str) -> Response[Any]:
    """Run one status or image action; a refusal re-renders the editor with the reason."""
    user = _user(request)
    with transaction() as session:
        shop = open_shop(session, user, ident(shop_id), MANAGERS)
        pid = ident(product_id)
        try:
            with session.begin_nested():
                action(session, shop, pid, user)
        except (ValidationFailed, Conflict) as exc:
            return _editor(session, request, shop, pid, error=exc, status_code=exc.status)
        if done == "deleted":
            return Redirect(f"/seller/{shop.id}/products", status_code=303)
        return Redirect(f"/seller/{shop.id}/products/{pid}?done={done}", status_code=303)


STATUS_ACTIONS = {
    "submit": (lambda s, shop, pid, u: submission.submit_product(s, shop, pid,
                                                                 actor_user_id=u.id),
               "submitted"),
    "deactivate": (lambda s, shop, pid, u: submission.deactivate_product(
        s, shop, pid, actor_user_id=u.id), "deactivated"),
    "activate": (lambda s, shop, pid, u: submission.activate_product(s, shop, pid,
                                                                     actor_user_id=u.id),
                 "activated"),
    "delete": (lambda s, shop, pid, u: submission.delete_product(s, shop, pid,
                                                                 actor_user_id=u.id),
               "deleted"),
}


@post("/{shop_id:str}/products/{product_id:str}/status", sync_to_thread=True,
      guards=[requires_user], include_in_schema=False)
def change_status(request: Request[Any, Any, Any], shop_id: FromPath[str],
                  product_id: FromPath[str], data: Form) -> Response[Any]:
    action, done = STATUS_ACTIONS.get(data.get("action", ""), (None, ""))
    if action is None:
        raise ValidationFailed("Unknown action.", field="action")
    return _act(request, shop_id, product_id, action, done)


@post("/{shop_id:str}/products/{product_id:str}/images/{image_id:str}", sync_to_thread=True,
      guards=[requires_user], include_in_schema=False)
def change_image(request: Request[Any, Any, Any], shop_id: FromPath[str],
                 product_id: FromPath[str],
                 image_id: FromPath[str], data: Form) -> Response[Any]:
    op, image = data.get("op", ""), ident(image_id)
    if op == "remove":
        def action(s: Session, shop: Shop, pid: int, _: CurrentUser) -> None:
            images.remove_image(s, shop, pid, image)
    elif op in ("earlier", "later"):
        def action(s: Session, shop: Shop, pid: int, _: CurrentUser) -> None:
            images.move_image(s, shop, pid, image, -1 if op == "earlier" else 1)
    else:
        raise ValidationFailed("Unknown image action.", field="op")
    return _act(request, shop_id, product_id, action, "image")


router = Router(path="/seller", route_handlers=[
    product_list, new_product, edit_product, create_submit, edit_submit, change_status,
    change_image])
