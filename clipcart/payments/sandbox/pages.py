"""The challenge page a cardholder sees for a card that needs authentication (3-D Secure).

It belongs to the provider, not to clipcart: its own look, and its own CSRF defence (a
nonce bound to a cookie it sets), since Litestar's CSRF guards clipcart's forms only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from litestar import Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, CookieParameter, FromPath, FromQuery
from litestar.response import Redirect, Template

from clipcart.config import get_settings
from clipcart.db import get_database, transaction
from clipcart.errors import DomainError
from clipcart.money import Money
from clipcart.payments.sandbox import service
from clipcart.payments.sandbox.models import PspCardToken, PspMerchant, PspPayment
from clipcart.payments.sandbox.state import external_id

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
NONCE_COOKIE = "psp_challenge"
COOKIE_PATH = "/psp-sandbox/challenge"


def _nonce(payment_ref: str, cookie: str) -> str:
    key = hashlib.sha256(f"psp-sandbox-nonce:{get_settings().secret_key}".encode()).digest()
    return hmac.new(key, f"{payment_ref}:{cookie}".encode(), hashlib.sha256).hexdigest()


def return_link(payment: PspPayment) -> str:
    """The merchant's return_url with the payment's id and status added to its query."""
    parts = urlsplit(payment.return_url)
    query = [*parse_qsl(parts.query), ("payment_id", external_id("pay", payment.id)),
             ("status", payment.status)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _page(context: dict[str, Any], status: int = 200) -> Template:
    return Template("sandbox/challenge.html", context=context, status_code=status)


def _context(payment: PspPayment, session_token: str, nonce: str) -> dict[str, Any]:
    with get_database().sessions() as session:
        card = session.get(PspCardToken, payment.token_id)
        merchant = session.get(PspMerchant, payment.merchant_id)
    money = Money(payment.amount, payment.currency)
    return {"payment": payment, "payment_ref": external_id("pay", payment.id),
            "amount": money.format("en"), "card": card,
            "merchant": merchant.name if merchant else "", "session_token": session_token,
            "nonce": nonce, "return_link": return_link(payment), "error": None}


@get("/challenge/{payment_ref:str}", sync_to_thread=True, include_in_schema=False)
def challenge(payment_ref: FromPath[str], session: FromQuery[str] = "") -> Response[Any]:
    try:
        with get_database().sessions() as db_session:
            payment = service.challenge_payment(db_session, payment_ref, session)
    except DomainError as exc:
        return _page({"payment": None, "error": exc.detail}, status=exc.status)
    cookie = secrets.token_urlsafe(24)
    response = _page(_context(payment, session, _nonce(payment_ref, cookie)))
    response.set_cookie(NONCE_COOKIE, cookie, path=COOKIE_PATH, httponly=True,
                        samesite="strict", max_age=3600)
    return response


@post("/challenge/{payment_ref:str}", sync_to_thread=True, include_in_schema=False)
def answer_challenge(payment_ref: FromPath[str], data: Form,
                     cookie: Annotated[str | None, CookieParameter(name=NONCE_COOKIE)] = None,
                     ) -> Response[Any]:
    session_token = data.get("session", "")
    expected = _nonce(payment_ref, cookie) if cookie else ""
    if not expected or not hmac.compare_digest(expected, data.get("nonce", "")):
        return _page({"payment": None, "error": "This authentication form has expired. "
                      "Go back to the shop and try the payment again."}, status=403)
    action = data.get("action")
    if action not in ("complete", "fail"):
        return _page({"payment": None, "error": "Choose whether to complete or fail the "
                      "authentication."}, status=400)
    try:
        with transaction() as db_session:
            payment = service.finish_challenge(db_session, payment_ref, session_token,
                                               succeeded=action == "complete")
            link = return_link(payment)
    except DomainError as exc:
        return _page({"payment": None, "error": exc.detail}, status=exc.status)
    response: Response[Any] = Redirect(link, status_code=303)
    response.delete_cookie(NONCE_COOKIE, path=COOKIE_PATH)
    return response


router = Router(path="/", route_handlers=[challenge, answer_challenge])
