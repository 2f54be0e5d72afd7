"""Buyer API: the cart, checkouts and their payment (API.md section 1)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from sqlalchemy.orm import Session

from clipcart import idempotency
from clipcart.checkout import carts, payment, service
from clipcart.checkout.carts import CartView
from clipcart.config import get_settings
from clipcart.db import get_database, read_only, transaction
from clipcart.errors import DomainError, NotFound, ValidationFailed
from clipcart.ids import parse_id
from clipcart.markets import market
from clipcart.money import Money
from clipcart.orders.models import OrderLine
from clipcart.web import admission
from clipcart.web.auth import CurrentUser, requires_user


class SourceIn(msgspec.Struct, forbid_unknown_fields=True):
    type: Annotated[str, msgspec.Meta(max_length=10)] = "direct"
    id: Annotated[str, msgspec.Meta(max_length=40)] | None = None


class AddLineBody(msgspec.Struct, forbid_unknown_fields=True):
    sku_id: Annotated[str, msgspec.Meta(max_length=24)]
    quantity: int = 1
    source: SourceIn | None = None


class QuantityBody(msgspec.Struct, forbid_unknown_fields=True):
    quantity: int


class AddressIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=200)]
    phone: Annotated[str, msgspec.Meta(max_length=200)]
    line1: Annotated[str, msgspec.Meta(max_length=200)]
    city: Annotated[str, msgspec.Meta(max_length=200)]
    postal_code: Annotated[str, msgspec.Meta(max_length=200)]
    country: Annotated[str, msgspec.Meta(max_length=200)]
    line2: Annotated[str, msgspec.Meta(max_length=200)] = ""
    region: Annotated[str, msgspec.Meta(max_length=200)] = ""


class CheckoutBody(msgspec.Struct, forbid_unknown_fields=True):
    shipping_address: AddressIn


class PaymentBody(msgspec.Struct, forbid_unknown_fields=True):
    payment_token: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


def money_json(money: Money | None, market_code: str | None) -> dict[str, str] | None:
    if money is None:
        return None
    return market(market_code).as_json(money) if market_code else money.as_json()


def cart_json(cart: CartView) -> dict[str, Any]:
    return {"lines": [{
        "id": str(line.id), "sku_id": str(line.sku_id),
        "product_id": str(line.offer.product_id) if line.offer else None,
        "shop_id": str(line.offer.shop_id) if line.offer else None,
        "title": line.offer.title if line.offer else None,
        "attributes": line.offer.attributes if line.offer else {},
        "quantity": line.quantity,
        "unit_price": money_json(line.offer.price, cart.market) if line.offer else None,
        "available": line.offer is not None,
        "source": {"type": line.source_type, "id": line.source_id}} for line in cart.lines],
        "subtotal": money_json(cart.subtotal, cart.market), "count": cart.count}


def line_json(line: OrderLine, currency: str, market_code: str) -> dict[str, Any]:
    def m(minor: int | None) -> dict[str, str] | None:
        return None if minor is None else money_json(Money(minor, currency), market_code)

    return {"id": str(line.id), "sku_id": str(line.sku_id), "product_id": str(line.product_id),
            "title": line.title, "attributes": dict(line.sku_attributes),
            "quantity": line.quantity, "unit_price": m(line.unit_price_minor),
            "list_price": m(line.list_price_minor), "discount": m(line.discount_minor),
            "tax": m(line.tax_minor), "total": m(line.total_minor),
            "source": {"type": line.source_type, "id": line.source_id}}


def checkout_json(detail: service.CheckoutDetail) -> dict[str, Any]:
    c = detail.checkout

    def m(minor: int) -> dict[str, str] | None:
        return money_json(Money(minor, c.currency), c.market)

    return {"id": str(c.id), "status": c.status, "market": c.market,
            "orders": [{"id": str(o.id), "shop_id": str(o.shop_id), "status": o.status,
                        "lines": [line_json(li, c.currency, c.market)
                                  for li in detail.lines.get(o.id, [])],
                        "subtotal": m(o.subtotal_minor), "shipping": m(o.shipping_minor),
                        "tax": m(o.tax_minor), "tax_mode": o.tax_mode, "total": m(o.total_minor)}
                       for o in detail.orders],
            "subtotal": m(c.subtotal_minor), "shipping": m(c.shipping_minor),
            "tax": m(c.tax_minor), "total": m(c.total_minor),
            "expires_at": c.expires_at.isoformat().replace("+00:00", "Z")}


def _cart_of(user: CurrentUser) -> dict[str, Any]:
    with transaction() as session:
        return cart_json(carts.view_cart(session, carts.cart_id_for(session, user_id=user.id)))


def _id(raw: str, what: str) -> int:
    value = parse_id(raw)
    if value is None:
        raise NotFound(f"No such {what}.")
    return value


@get("/cart", sync_to_thread=True, guards=[requires_user], tags=["cart"],
     summary="The buyer's cart")
def get_cart(request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    carts.buyer_market(request.user.country)
    return _cart_of(request.user)


@post("/cart/lines", status_code=200, sync_to_thread=True, guards=[requires_user],
      tags=["cart"], summary="Add a SKU to the cart", opt={admission.OPT: admission.START},
      description="409 OUT_OF_STOCK (naming the SKU, what is available and what was asked) "
                  "when fewer units are left than asked; the cart is then unchanged.")
def add_cart_line(data: JSONBody[AddLineBody],
                  request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    user = request.user
    where = carts.buyer_market(user.country)
    sku_id = parse_id(data.sku_id)
    if sku_id is None:
        raise ValidationFailed("sku_id is not an id.", field="sku_id")
    source = data.source or SourceIn()
    with read_only() as session:  # a sold-out SKU is turned away before any write
        offer = carts.offer_to_add(session, sku_id=sku_id, quantity=data.quantity,
                                   market=where)
    with transaction() as session:
        cart_id = carts.cart_id_for(session, user_id=user.id, create=True)
        assert cart_id is not None
        carts.add_line(session, cart_id, sku_id=sku_id, quantity=data.quantity,
                       source_type=source.type, source_id=source.id, market=where, offer=offer)
        return cart_json(carts.view_cart(session, cart_id, {sku_id: offer}))


@patch("/cart/lines/{line_id:str}", sync_to_thread=True, guards=[requires_user],
       tags=["cart"], summary="Change a cart line's quantity")
def update_cart_line(line_id: FromPath[str], data: JSONBody[QuantityBody],
                     request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        cart_id = carts.cart_id_for(session, user_id=request.user.id)
        if cart_id is None:
            raise NotFound("No such line in your cart.")
        carts.set_quantity(session, cart_id, _id(line_id, "cart line"), data.quantity)
    return _cart_of(request.user)


@delete("/cart/lines/{line_id:str}", status_code=200, sync_to_thread=True,
        guards=[requires_user], tags=["cart"], summary="Remove a cart line")
def delete_cart_line(line_id: FromPath[str],
                     request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        cart_id = carts.cart_id_for(session, user_id=request.user.id)
        if cart_id is None:
            raise NotFound("No such line in your cart.")
        carts.remove_line(session, cart_id, _id(line_id, "cart line"))
    return _cart_of(request.user)


@post("/checkouts", status_code=201, sync_to_thread=True, guards=[requires_user],
      tags=["checkout"], summary="Check out the cart", opt={admission.OPT: admission.START},
      description="Prices the cart once, creates one UNPAID order per shop and reserves "
                  "their stock until expires_at. 409 OUT_OF_STOCK names the SKU. Send an "
                  "Idempotency-Key: a retry returns the first answer.")
def create_checkout(data: JSONBody[CheckoutBody],
                    request: Request[CurrentUser, Any, Any]) -> Response[dict[str, Any]]:
    user = request.user
    key = idempotency.check_key(request.headers.get("idempotency-key"))
    body = msgspec.to_builtins(data)
    with transaction() as session:
        scope = f"checkout:{user.id}"
        if key is not None:
            stored = idempotency.claim(session, scope, key, body)
            if stored is not None:
                return Response(stored.body, status_code=stored.status_code,
                                headers={"Idempotent-Replayed": "true"})
        answers: list[dict[str, Any]] = []

        def answer(detail: service.CheckoutDetail) -> None:  # before the stock rows
            answers.append(checkout_json(detail))
            if key is not None:
                idempotency.remember(session, scope, key, 201, answers[0])

        service.create_checkout(session, buyer_user_id=user.id, buyer_country=user.country,
                                shipping_address=body["shipping_address"], before_hold=answer)
    return Response(answers[0], status_code=201)


@get("/checkouts/{checkout_id:str}", sync_to_thread=True, guards=[requires_user],
     tags=["checkout"], summary="A checkout with its orders")
def get_checkout(checkout_id: FromPath[str],
                 request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        return checkout_json(service.buyer_checkout(session, request.user.id,
                                                    _id(checkout_id, "checkout")))


def return_url(request: Request[Any, Any, Any], checkout_id: int) -> str:
    """The return page on the host the buyer uses (proxy headers give the public one)."""
    base = str(request.base_url).rstrip("/") or get_settings().base_url.rstrip("/")
    return f"{base}/checkout/{checkout_id}/return"


@post("/checkouts/{checkout_id:str}/payment", status_code=200, sync_to_thread=True,
      guards=[requires_user], tags=["checkout"], summary="Pay a checkout",
      opt={admission.OPT: admission.FINISH},
      description="Charges the checkout's total with a token from the provider. PAID, "
                  "REQUIRES_ACTION (open next_action.redirect_url) or 402 PAYMENT_DECLINED. "
                  "A retry with the same Idempotency-Key never charges twice.")
def pay_checkout(checkout_id: FromPath[str], data: JSONBody[PaymentBody],
                 request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    cid = _id(checkout_id, "checkout")
    key = idempotency.check_key(request.headers.get("idempotency-key"))
    if key is not None and len(key) > 200:
        raise ValidationFailed("Idempotency-Key is at most 200 characters here.",
                               field="Idempotency-Key")
    scope, body = f"checkout-payment:{request.user.id}", {"checkout_id": str(cid),
                                                          "payment_token": data.payment_token}
    db = get_database()
    with db.transaction() as session:  # the key, the checkout and the intent: one commit
        if key is not None:
            try:
                stored = idempotency.claim(session, scope, key, body)
            except DomainError as exc:  # the first request did not finish: safe to repeat
                if exc.code != "IDEMPOTENCY_IN_PROGRESS":
                    raise
                stored = None
            if stored is not None:
                return stored.body
        prepared = payment.prepare_payment(
            session, checkout_id=cid, buyer_user_id=request.user.id,
            payment_token=data.payment_token,
            idempotency_key=key or f"token:{data.payment_token}",
            return_url=return_url(request, cid))

    def remember(session: Session, outcome: payment.PayOutcome) -> None:
        if key is not None:  # stored with the capture it answers for
            idempotency.remember(session, scope, key, 200, _payment_json(outcome))

    return _payment_json(payment.finish_payment(db, prepared, on_paid=remember))


def _payment_json(outcome: payment.PayOutcome) -> dict[str, Any]:
    return {"checkout_id": str(outcome.checkout_id), "status": outcome.status,
            "order_ids": [str(i) for i in outcome.order_ids],
            "next_action": outcome.next_action}


router = Router(path="/", route_handlers=[get_cart, add_cart_line, update_cart_line,
                                          delete_cart_line, create_checkout, get_checkout,
                                          pay_checkout])
