"""Buyer pages: cart, checkout (address, then card), payment return and confirmation.

The card form never posts to the platform: a small script tokenizes the card at the
provider (``/psp-sandbox/v1/tokens``) and posts only the token.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from clipcart import idempotency
from clipcart.checkout import carts, payment, service
from clipcart.checkout.api import return_url
from clipcart.checkout.pricing import ADDRESS_FIELDS, shipping_rules
from clipcart.checkout.views import checkout_page_context, group_cart
from clipcart.config import get_settings
from clipcart.db import get_database, read_only, transaction
from clipcart.errors import DomainError, NotFound, ValidationFailed
from clipcart.ids import parse_id
from clipcart.web.auth import CurrentUser, requires_user
from clipcart.web.navigation import NavItem, register

CART_ICON = ("M7 18a2 2 0 1 0 0 4 2 2 0 0 0 0-4Zm10 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4Z"
             "M5.2 4H2V2h4.8l.9 2H21l-3.4 8.2a2 2 0 0 1-1.8 1.3H8.1l-1 1.9V16h12v2H5"
             "v-2.7l1.6-3.1L5.2 4Z")


register(NavItem("Cart", "/cart", None, CART_ICON, badge_url="/cart/badge"))

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _user(request: Request[Any, Any, Any]) -> CurrentUser | None:
    user: CurrentUser | None = request.scope.get("user")
    return user


def _guest(request: Request[Any, Any, Any]) -> str | None:
    return request.cookies.get(carts.GUEST_COOKIE) or None


def _remember_guest(response: Response[Any], token: str | None) -> Response[Any]:
    if token:
        response.set_cookie(carts.GUEST_COOKIE, token, max_age=30 * 86400, httponly=True,
                            samesite="lax", path="/",
                            secure=get_settings().base_url.startswith("https"))
    return response


def _int(raw: str | None, field: str, default: int | None = None) -> int:
    value = raw.strip() if raw else ""
    if not value and default is not None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed(f"Enter a whole number for {field}.", field=field) from None


def _cart_page(request: Request[Any, Any, Any], error: str | None = None,
               status: int = 200) -> Template:
    user = _user(request)
    with transaction() as session:
        cart_id = carts.cart_id_for(session, user_id=user.id if user else None,
                                    guest_token=None if user else _guest(request))
        cart = carts.view_cart(session, cart_id)
        groups = group_cart(session, cart)
    return Template("checkout/cart.html", status_code=status, context={
        "cart": cart, "groups": groups, "error": error, "viewer": user})


@get("/cart/badge", sync_to_thread=True, include_in_schema=False)
def cart_badge(request: Request[Any, Any, Any]) -> Response[str]:
    """The navigation's cart count, loaded by htmx so pages pay no query for it."""
    user = _user(request)
    with transaction() as session:
        count = carts.cart_count(session, user_id=user.id if user else None,
                                 guest_token=None if user else _guest(request))
    body = f'<span class="badge" data-testid="cart-count">{count}</span>' if count else ""
    return Response(body, media_type="text/html", headers={"Cache-Control": "no-store"})


@get("/cart", sync_to_thread=True, include_in_schema=False)
def cart_page(request: Request[Any, Any, Any]) -> Template:
    return _cart_page(request)


@post("/cart/lines", sync_to_thread=True, include_in_schema=False)
def add_to_cart(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    user = _user(request)
    new_token = None
    try:
        sku_id = parse_id(data.get("sku_id", ""))
        if sku_id is None:
            raise NotFound("Choose a product option.", code="SKU_NOT_AVAILABLE")
        market = carts.buyer_market(user.country) if user else None
        quantity = _int(data.get("quantity"), "quantity", 1)
        with read_only() as session:
            offer = carts.offer_to_add(session, sku_id=sku_id, quantity=quantity,
                                       market=market)
        with transaction() as session:
            token = None if user else _guest(request)
            if user is None and token is None:
                token = new_token = carts.new_guest_token()
            cart_id = carts.cart_id_for(session, user_id=user.id if user else None,
                                        guest_token=token, create=True)
            assert cart_id is not None
            source_id = data.get("source_id") or None
            carts.add_line(session, cart_id, sku_id=sku_id, quantity=quantity,
                           source_type=data.get("source_type") or "direct",
                           source_id=source_id, market=market, offer=offer)
    except DomainError as exc:
        return _cart_page(request, exc.detail, exc.status)
    target = "/checkout" if data.get("action") == "buy_now" else "/cart"
    return _remember_guest(Redirect(target), new_token)


@post("/cart/lines/{line_id:str}", sync_to_thread=True, include_in_schema=False)
def change_line(request: Request[Any, Any, Any], line_id: FromPath[str],
                data: Form) -> Response[Any]:
    user = _user(request)
    try:
        with transaction() as session:
            cart_id = carts.cart_id_for(session, user_id=user.id if user else None,
                                        guest_token=None if user else _guest(request))
            parsed = parse_id(line_id)
            if cart_id is None or parsed is None:
                raise NotFound("No such line in your cart.")
            if data.get("action") == "remove":
                carts.remove_line(session, cart_id, parsed)
            else:
                carts.set_quantity(session, cart_id, parsed,
                                   _int(data.get("quantity"), "quantity"))
    except DomainError as exc:
        return _cart_page(request, exc.detail, exc.status)
    return Redirect("/cart")


def _address_page(user: CurrentUser, form: dict[str, str], error: str | None = None,
                  field: str | None = None, status: int = 200) -> Response[Any]:
    with transaction() as session:
        cart = carts.view_cart(session, carts.cart_id_for(session, user_id=user.id))
        if not cart.lines:
            return Redirect("/cart")
        groups = group_cart(session, cart)
        rules = shipping_rules(session, cart.market, [g.shop_id for g in groups]) \
            if cart.market else {}
    return Template("checkout/address.html", status_code=status, context={
        "cart": cart, "groups": groups, "rules": rules, "form": form, "error": error,
        "field": field, "form_key": form.get("form_key") or secrets.token_hex(12)})


@get("/checkout", sync_to_thread=True, guards=[requires_user], include_in_schema=False)
def checkout_page(request: Request[CurrentUser, Any, Any]) -> Response[Any]:
    user = request.user
    try:
        carts.buyer_market(user.country)
    except DomainError as exc:
        return _cart_page(request, exc.detail, exc.status)
    return _address_page(user, {"country": user.country})


@post("/checkout", sync_to_thread=True, guards=[requires_user], include_in_schema=False)
def checkout_submit(request: Request[CurrentUser, Any, Any], data: Form) -> Response[Any]:
    user = request.user
    address = {name: data.get(name, "") for name in ADDRESS_FIELDS}
    key = (data.get("form_key") or "")[:64] or secrets.token_hex(12)
    try:
        with transaction() as session:
            scope = f"checkout:{user.id}"
            stored = idempotency.claim(session, scope, f"form:{key}",
                                       {"shipping_address": address})
            if stored is not None:
                return Redirect(f"/checkout/{stored.body['id']}")
            detail = service.create_checkout(session, buyer_user_id=user.id,
                                             buyer_country=user.country,
                                             shipping_address=address)
            idempotency.remember(session, scope, f"form:{key}", 201,
                                 {"id": str(detail.checkout.id)})
    except DomainError as exc:
        return _address_page(user, {**address, "form_key": secrets.token_hex(12)}, exc.detail,
                             exc.extra.get("field"), exc.status)
    return Redirect(f"/checkout/{detail.checkout.id}")


def _pay_page(user: CurrentUser, raw_id: str, error: str | None = None,
              status: int = 200) -> Response[Any]:
    checkout_id = parse_id(raw_id)
    if checkout_id is None:
        raise NotFound("No such checkout.")
    with transaction() as session:
        detail = service.buyer_checkout(session, user.id, checkout_id)
        if detail.checkout.status == "PAID" and error is None:
            return Redirect(f"/checkout/{checkout_id}/return")
        context = checkout_page_context(session, detail)
    return Template("checkout/pay.html", status_code=status, context={
        **context, "error": error, "pay_key": secrets.token_hex(12)})


@get("/checkout/{checkout_id:str}", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def pay_page(request: Request[CurrentUser, Any, Any], checkout_id: FromPath[str]) -> Response[Any]:
    return _pay_page(request.user, checkout_id)


@post("/checkout/{checkout_id:str}/pay", sync_to_thread=True, guards=[requires_user],
      include_in_schema=False)
def pay_submit(request: Request[CurrentUser, Any, Any], checkout_id: FromPath[str],
               data: Form) -> Response[Any]:
    cid = parse_id(checkout_id)
    if cid is None:
        raise NotFound("No such checkout.")
    token = data.get("payment_token", "").strip()
    if not token:
        return _pay_page(request.user, checkout_id, "Enter your card details.", 400)
    try:
        outcome = payment.pay_checkout(
            get_database(), checkout_id=cid, buyer_user_id=request.user.id,
            payment_token=token, idempotency_key=(data.get("pay_key") or token)[:100],
            return_url=return_url(request, cid))
    except DomainError as exc:
        if exc.code == "PAYMENT_DECLINED":
            return Redirect(f"/checkout/{cid}/return")
        return _pay_page(request.user, checkout_id, exc.detail, exc.status)
    if outcome.status == "REQUIRES_ACTION" and outcome.next_action:
        return Redirect(str(outcome.next_action["redirect_url"]))
    return Redirect(f"/checkout/{cid}/return")


@get("/checkout/{checkout_id:str}/return", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def return_page(request: Request[CurrentUser, Any, Any],
                checkout_id: FromPath[str]) -> Template:
    """Where the provider sends the buyer back: ask the provider, apply, show the outcome."""
    cid = parse_id(checkout_id)
    if cid is None:
        raise NotFound("No such checkout.")
    with transaction() as session:
        status = service.buyer_checkout(session, request.user.id, cid).checkout.status
    problem = None
    if status == "OPEN":
        try:
            payment.settle(get_database(), cid)
        except DomainError as exc:
            problem = exc.detail
    with transaction() as session:
        context = checkout_page_context(session, service.buyer_checkout(
            session, request.user.id, cid))
    return Template("checkout/result.html", context={**context, "problem": problem})


router = Router(path="/", route_handlers=[cart_badge, cart_page, add_to_cart, change_line,
                                          checkout_page, checkout_submit, pay_page, pay_submit,
                                          return_page])
