"""The provider's operations: merchants, card tokens, payments, captures, voids, refunds.

Each operation runs in the caller's transaction and returns the JSON the API answers with.
Amounts are integers in minor units, as every PSP's API has them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.config import get_settings
from clipcart.db import Database
from clipcart.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from clipcart.ids import new_id
from clipcart.money import ISO_EXPONENTS
from clipcart.payments.config import get_payment_settings
from clipcart.payments.sandbox.cards import check_card
from clipcart.payments.sandbox.models import PspCardToken, PspMerchant, PspPayment, PspRefund
from clipcart.payments.sandbox.state import (
    external_id,
    locked_payment,
    move,
    parse_external,
    payment_json,
    refund_json,
)

MAX_AMOUNT = 10**13
CHALLENGE_TTL = timedelta(minutes=30)
DECLINES = {"decline": ("card_declined", "The card was declined."),
            "insufficient_funds": ("insufficient_funds", "The card has insufficient funds.")}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# merchants ----------------------------------------------------------------------------

def _register_platform_merchant(db: Database) -> None:
    """The platform's merchant account, from its configured keys (idempotent)."""
    conf = get_payment_settings()
    digest = _digest(conf.secret_key)
    try:
        with db.transaction() as session:
            merchant = session.execute(
                select(PspMerchant).where(PspMerchant.secret_key_hash == digest)
            ).scalar_one_or_none()
            if merchant is None:
                session.add(PspMerchant(id=new_id(), name="clipcart", secret_key_hash=digest,
                                        webhook_url=conf.webhook_url,
                                        webhook_secret=conf.webhook_secret,
                                        created_at=clock.now()))
            elif (merchant.webhook_url, merchant.webhook_secret) != (conf.webhook_url,
                                                                     conf.webhook_secret):
                merchant.webhook_url = conf.webhook_url
                merchant.webhook_secret = conf.webhook_secret
    except IntegrityError:
        pass  # registered concurrently


# The platform merchant's id by key digest, with the webhook settings it was checked
# against: the settings are per process, and every use reads the row by its primary key
# in its own transaction (a row that is gone makes the caller forget and authenticate).
_authenticated: dict[str, tuple[int, str, str]] = {}


def forget_merchants() -> None:
    """Drop remembered merchants (their rows were deleted)."""
    _authenticated.clear()


def authenticate(db: Database, authorization: str | None) -> int:
    """The merchant whose secret key is the Bearer of ``authorization``."""
    scheme, _, secret = (authorization or "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise Unauthorized("Send your secret key as 'Authorization: Bearer sk_...'.",
                           code="API_KEY_REQUIRED")
    digest = _digest(secret)
    conf = get_payment_settings()
    known = _authenticated.get(digest)
    if known is not None and known[1:] == (conf.webhook_url, conf.webhook_secret):
        return known[0]
    is_platform = hmac.compare_digest(digest, _digest(conf.secret_key))
    with db.sessions() as session:
        merchant = session.execute(
            select(PspMerchant).where(PspMerchant.secret_key_hash == digest)
        ).scalar_one_or_none()
        current = merchant is not None and (merchant.webhook_url, merchant.webhook_secret) == (
            conf.webhook_url, conf.webhook_secret)
    if merchant is not None and (current or not is_platform):
        if is_platform:  # its row only changes with this process's settings: remember it
            _authenticated[digest] = (merchant.id, conf.webhook_url, conf.webhook_secret)
        return merchant.id
    if not is_platform:
        raise Unauthorized("This API key is not valid.", code="INVALID_API_KEY")
    _register_platform_merchant(db)
    return authenticate(db, authorization)


# tokens -------------------------------------------------------------------------------

def tokenize(session: Session, *, number: str, exp_month: int, exp_year: int,
             cvc: str) -> dict[str, Any]:
    card = check_card(number, exp_month, exp_year, cvc, clock.now())
    row = PspCardToken(id=new_id(), token="tok_" + secrets.token_urlsafe(18), brand=card.brand,
                       last4=card.last4, exp_month=card.exp_month, exp_year=card.exp_year,
                       behaviour=card.behaviour, created_at=clock.now())
    session.add(row)
    session.flush()
    return {"token": row.token, "object": "token",
            "card": {"brand": row.brand, "last4": row.last4, "exp_month": row.exp_month,
                     "exp_year": row.exp_year}}


def _use_token(session: Session, token: str) -> PspCardToken:
    """Tokens are single-use: consumed by one conditional UPDATE, never read-then-write."""
    used = session.execute(
        update(PspCardToken).where(PspCardToken.token == token, PspCardToken.used_at.is_(None))
        .values(used_at=clock.now()).returning(PspCardToken.id)
    ).scalar_one_or_none()
    if used is None:
        exists = session.execute(select(PspCardToken.id).where(PspCardToken.token == token))
        if exists.first() is None:
            raise ValidationFailed("No such card token.", field="token", code="INVALID_TOKEN")
        raise Conflict("This card token was already used; tokenize the card again.",
                       code="TOKEN_ALREADY_USED")
    card = session.get(PspCardToken, used)
    assert card is not None
    return card


# payments -----------------------------------------------------------------------------

def challenge_token(payment_id: int) -> str:
    key = hashlib.sha256(f"psp-sandbox-challenge:{get_settings().secret_key}".encode()).digest()
    return hmac.new(key, str(payment_id).encode(), hashlib.sha256).hexdigest()[:40]


def _check_amount(amount: int, field: str = "amount") -> None:
    if not 0 < amount <= MAX_AMOUNT:
        raise ValidationFailed(f"The amount is a whole number of minor units, 1 to {MAX_AMOUNT}.",
                               field=field, code="INVALID_AMOUNT")


def create_payment(session: Session, merchant: PspMerchant, *, amount: int, currency: str,
                   token: str, capture: str, reference: str, return_url: str,
                   metadata: dict[str, str], public_base: str) -> dict[str, Any]:
    _check_amount(amount)
    if currency not in ISO_EXPONENTS:
        raise ValidationFailed(f"Unsupported currency {currency!r}.", field="currency",
                               code="INVALID_CURRENCY")
    if capture not in ("automatic", "manual"):
        raise ValidationFailed("capture is 'automatic' or 'manual'.", field="capture",
                               code="INVALID_CAPTURE")
    if not return_url.startswith(("http://", "https://")):
        raise ValidationFailed("return_url must be an absolute http(s) URL.",
                               field="return_url", code="INVALID_RETURN_URL")
    card = _use_token(session, token)
    now = clock.now()
    payment = PspPayment(id=new_id(), merchant_id=merchant.id, token_id=card.id, amount=amount,
                         currency=currency, capture_method=capture, reference=reference,
                         payment_metadata=metadata, return_url=return_url, status="",
                         amount_captured=0, amount_refunded=0, created_at=now, updated_at=now)
    session.add(payment)  # inserted by the first move(), with its first status
    if card.behaviour in DECLINES:
        payment.decline_code, payment.failure_message = DECLINES[card.behaviour]
        return move(session, payment, "failed", note=payment.decline_code)
    if card.behaviour == "challenge":
        payment.challenge_url = (f"{public_base.rstrip('/')}/psp-sandbox/challenge/"
                                 f"{external_id('pay', payment.id)}"
                                 f"?session={challenge_token(payment.id)}")
        return move(session, payment, "requires_action", note="3-D Secure challenge")
    return _authorize(session, payment)


def _authorize(session: Session, payment: PspPayment, note: str = "") -> dict[str, Any]:
    if payment.capture_method == "automatic":
        payment.amount_captured = payment.amount
        return move(session, payment, "succeeded", amount=payment.amount, note=note)
    return move(session, payment, "authorized", amount=payment.amount, note=note)


def get_payment(session: Session, merchant: PspMerchant, payment_ref: str) -> dict[str, Any]:
    payment_id = parse_external("pay", payment_ref)
    payment = session.get(PspPayment, payment_id) if payment_id else None
    if payment is None or payment.merchant_id != merchant.id:
        raise NotFound("No such payment.", code="PAYMENT_NOT_FOUND")
    return payment_json(session, payment)


def capture(session: Session, merchant: PspMerchant, payment_ref: str,
            amount: int | None) -> dict[str, Any]:
    payment = locked_payment(session, merchant.id, payment_ref)
    if payment.status != "authorized":
        raise Conflict(f"Only an authorized payment can be captured; this one is "
                       f"{payment.status}.", code="PAYMENT_NOT_CAPTURABLE")
    amount = payment.amount if amount is None else amount
    _check_amount(amount)
    if amount > payment.amount:
        raise ValidationFailed(f"At most {payment.amount} can be captured.", field="amount",
                               code="AMOUNT_TOO_LARGE")
    payment.amount_captured = amount
    move(session, payment, "succeeded", amount=amount,
         note="partial capture" if amount < payment.amount else "capture")
    return payment_json(session, payment)


def void(session: Session, merchant: PspMerchant, payment_ref: str) -> dict[str, Any]:
    payment = locked_payment(session, merchant.id, payment_ref)
    if payment.status not in ("authorized", "requires_action"):
        raise Conflict(f"Only an authorized payment can be voided; this one is "
                       f"{payment.status}.", code="PAYMENT_NOT_VOIDABLE")
    move(session, payment, "voided", note="void")
    return payment_json(session, payment)


def refund(session: Session, merchant: PspMerchant, payment_ref: str, amount: int | None,
           reference: str | None) -> dict[str, Any]:
    payment = locked_payment(session, merchant.id, payment_ref)
    if payment.status not in ("succeeded", "partially_refunded"):
        raise Conflict(f"Only a captured payment can be refunded; this one is "
                       f"{payment.status}.", code="PAYMENT_NOT_REFUNDABLE")
    left = payment.amount_captured - payment.amount_refunded
    amount = left if amount is None else amount
    _check_amount(amount)
    if amount > left:
        raise ValidationFailed(f"At most {left} is left to refund.", field="amount",
                               code="AMOUNT_TOO_LARGE")
    row = PspRefund(id=new_id(), payment_id=payment.id, amount=amount, reference=reference,
                    created_at=clock.now())
    session.add(row)
    payment.amount_refunded += amount
    session.flush()
    full = payment.amount_refunded == payment.amount_captured
    move(session, payment, "refunded" if full else "partially_refunded", amount=amount,
         note=f"refund {external_id('re', row.id)}", refund=row)
    return {**refund_json(row), "payment": payment_json(session, payment)}


# challenge ----------------------------------------------------------------------------

def challenge_payment(session: Session, payment_ref: str, session_token: str) -> PspPayment:
    """The payment behind a challenge link; NOT_FOUND unless the link's token matches."""
    payment_id = parse_external("pay", payment_ref)
    payment = session.get(PspPayment, payment_id) if payment_id else None
    if payment is None or not hmac.compare_digest(challenge_token(payment.id), session_token):
        raise NotFound("This authentication link is not valid.", code="CHALLENGE_NOT_FOUND")
    return payment


def finish_challenge(session: Session, payment_ref: str, session_token: str,
                     succeeded: bool) -> PspPayment:
    """The cardholder's answer; a second answer changes nothing."""
    payment = challenge_payment(session, payment_ref, session_token)
    payment = locked_payment(session, payment.merchant_id, payment_ref)
    if payment.status != "requires_action":
        return payment
    if succeeded:
        _authorize(session, payment, note="authentication completed")
    else:
        payment.decline_code = "authentication_failed"
        payment.failure_message = "The cardholder failed authentication."
        move(session, payment, "failed", note="authentication failed")
    return payment


def expire_challenges(session: Session, ttl: timedelta = CHALLENGE_TTL) -> int:
    """Challenges nobody answered in time fail, as at a real card issuer."""
    rows = session.execute(
        select(PspPayment).where(PspPayment.status == "requires_action",
                                 PspPayment.created_at <= clock.now() - ttl)
        .order_by(PspPayment.id).limit(200).with_for_update(skip_locked=True)
    ).scalars().all()
    for payment in rows:
        payment.decline_code = "authentication_expired"
        payment.failure_message = "The cardholder did not authenticate in time."
        move(session, payment, "failed", note="challenge expired")
    return len(rows)
