"""The provider's HTTP API, ``/psp-sandbox/v1``: tokens and payments, JSON, minor units.

Merchants authenticate with ``Authorization: Bearer <secret key>``; every payment POST
needs an ``Idempotency-Key`` and a retry gets the first answer (``Idempotent-Replayed``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, JSONBody

from clipcart.db import get_database, transaction
from clipcart.errors import NotFound
from clipcart.payments.sandbox import idempotency, pages, service
from clipcart.payments.sandbox.idempotency import Answer
from clipcart.payments.sandbox.models import PspMerchant

Req = Request[Any, Any, Any]


class TokenBody(msgspec.Struct, forbid_unknown_fields=True):
    number: Annotated[str, msgspec.Meta(max_length=40)]
    exp_month: int
    exp_year: int
    cvc: Annotated[str, msgspec.Meta(max_length=8)]


class CreatePaymentBody(msgspec.Struct, forbid_unknown_fields=True):
    amount: int
    currency: Annotated[str, msgspec.Meta(min_length=3, max_length=3)]
    token: Annotated[str, msgspec.Meta(max_length=64)]
    return_url: Annotated[str, msgspec.Meta(max_length=2000)]
    capture: Literal["automatic", "manual"] = "automatic"
    reference: Annotated[str, msgspec.Meta(max_length=120)] = ""
    metadata: dict[Annotated[str, msgspec.Meta(max_length=40)],
                   Annotated[str, msgspec.Meta(max_length=500)]] = msgspec.field(
        default_factory=dict)


class CaptureBody(msgspec.Struct, forbid_unknown_fields=True):
    amount: int | None = None


class RefundBody(msgspec.Struct, forbid_unknown_fields=True):
    amount: int | None = None
    reference: Annotated[str, msgspec.Meta(max_length=120)] | None = None


def _answer(answer: Answer) -> Response[dict[str, Any]]:
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    return Response(answer.body, status_code=answer.status_code, headers=headers)


def _idempotent(request: Req, body: msgspec.Struct | None, status_code: int,
                work: Any) -> Response[dict[str, Any]]:
    db = get_database()
    raw = msgspec.json.encode(body) if body is not None else b""
    print_ = idempotency.fingerprint(request.method, request.url.path, raw)
    for _ in range(2):
        merchant_id = service.authenticate(db, request.headers.get("authorization"))
        try:
            answer = idempotency.run(db, merchant_id, request.headers.get("idempotency-key"),
                                     print_, lambda session, merchant: Answer(
                                         status_code, work(session, merchant)))
        except idempotency.UnknownMerchant:
            service.forget_merchants()
            continue
        return _answer(answer)
    raise NotFound("No such merchant.")


@post("/tokens", status_code=201, sync_to_thread=True, summary="Tokenize a card")
def create_token(data: JSONBody[TokenBody]) -> dict[str, Any]:
    with transaction() as session:
        return service.tokenize(session, number=data.number, exp_month=data.exp_month,
                                exp_year=data.exp_year, cvc=data.cvc)


@post("/payments", sync_to_thread=True, summary="Create a payment")
def create_payment(data: JSONBody[CreatePaymentBody],
                   request: Req) -> Response[dict[str, Any]]:
    public_base = str(request.base_url).rstrip("/")
    return _idempotent(request, data, 201, lambda session, merchant: service.create_payment(
        session, merchant, amount=data.amount, currency=data.currency, token=data.token,
        capture=data.capture, reference=data.reference, return_url=data.return_url,
        metadata=dict(data.metadata), public_base=public_base))


@get("/payments/{payment_id:str}", sync_to_thread=True, summary="Get a payment")
def get_payment(payment_id: FromPath[str], request: Req) -> dict[str, Any]:
    db = get_database()
    for _ in range(2):
        merchant_id = service.authenticate(db, request.headers.get("authorization"))
        with db.sessions() as session:
            merchant = session.get(PspMerchant, merchant_id)
            if merchant is not None:
                return service.get_payment(session, merchant, payment_id)
        service.forget_merchants()  # remembered, but gone: authenticate again
    raise NotFound("No such merchant.")


@post("/payments/{payment_id:str}/capture", sync_to_thread=True,
      summary="Capture an authorized payment, in full or in part")
def capture_payment(payment_id: FromPath[str], request: Req,
                    data: JSONBody[CaptureBody]) -> Response[dict[str, Any]]:
    return _idempotent(request, data, 200, lambda session, merchant: service.capture(
        session, merchant, payment_id, data.amount))


@post("/payments/{payment_id:str}/void", sync_to_thread=True,
      summary="Cancel an authorization")
def void_payment(payment_id: FromPath[str], request: Req) -> Response[dict[str, Any]]:
    return _idempotent(request, None, 200, lambda session, merchant: service.void(
        session, merchant, payment_id))


@post("/payments/{payment_id:str}/refunds", sync_to_thread=True,
      summary="Refund a captured payment, in full or in part")
def refund_payment(payment_id: FromPath[str], request: Req,
                   data: JSONBody[RefundBody]) -> Response[dict[str, Any]]:
    return _idempotent(request, data, 201, lambda session, merchant: service.refund(
        session, merchant, payment_id, data.amount, data.reference))


api_router = Router(path="/v1", route_handlers=[create_token, create_payment, get_payment,
                                                capture_payment, void_payment, refund_payment])
router = Router(path="/psp-sandbox", route_handlers=[api_router, pages.router],
                opt={"exclude_from_csrf": True}, tags=["sandbox payment provider"])
