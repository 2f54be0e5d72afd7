"""The sandbox provider's payment API, spoken to directly as a merchant would."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from clipcart.payments.sandbox import webhooks
from clipcart.payments.sandbox.models import PspEvent, PspPayment, PspWebhookDelivery
from tests.payments_helpers import (
    CHALLENGE,
    DECLINED,
    NO_FUNDS,
    RETURN_URL,
    SUCCEEDS,
    count,
    held_webhooks,
    merchant_headers,
    provider_payment,
    psp,  # noqa: F401
    tokenize,
)


def create(client: Any, number: str = SUCCEEDS, *, key: str | None = None,
           **body: Any) -> Any:
    payload = {"amount": 10000, "currency": "USD", "token": tokenize(client, number),
               "capture": "automatic", "reference": "order:1", "return_url": RETURN_URL,
               **body}
    return client.post("/psp-sandbox/v1/payments", json=payload,
                       headers=merchant_headers(key or secrets.token_hex(8)))


def post(client: Any, path: str, body: dict[str, Any] | None = None,
         key: str | None = None) -> Any:
    return client.post(f"/psp-sandbox/v1{path}", json=body,
                       headers=merchant_headers(key or secrets.token_hex(8)))


@pytest.mark.parametrize(("headers", "code"), [
    ({}, "API_KEY_REQUIRED"),
    ({"Authorization": "Basic abc"}, "API_KEY_REQUIRED"),
    ({"Authorization": "Bearer sk_sandbox_not_a_key"}, "INVALID_API_KEY"),
])
def test_the_payment_api_needs_a_merchant_secret_key(client, db, headers, code):
    body = {"amount": 100, "currency": "USD", "token": tokenize(client),
            "return_url": RETURN_URL}
    response = client.post("/psp-sandbox/v1/payments", json=body,
                           headers={**headers, "Idempotency-Key": "k1"})
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert count(db, PspPayment) == 0


def test_every_payment_post_needs_an_idempotency_key(client, db):
    body = {"amount": 100, "currency": "USD", "token": tokenize(client),
            "return_url": RETURN_URL}
    response = client.post("/psp-sandbox/v1/payments", json=body, headers=merchant_headers())
    assert response.status_code == 400
    assert response.json()["code"] == "IDEMPOTENCY_KEY_REQUIRED"
    assert count(db, PspPayment) == 0


@pytest.mark.parametrize(("number", "capture", "status", "decline_code"), [
    (SUCCEEDS, "automatic", "succeeded", None),
    (SUCCEEDS, "manual", "authorized", None),
    (DECLINED, "automatic", "failed", "card_declined"),
    (NO_FUNDS, "manual", "failed", "insufficient_funds"),
    (CHALLENGE, "automatic", "requires_action", None),
])
def test_each_test_card_behaves_as_documented(client, db, number, capture, status,
                                              decline_code):
    response = create(client, number, capture=capture, amount=4321)
    assert response.status_code == 201
    payment = response.json()
    assert (payment["status"], payment["decline_code"]) == (status, decline_code)
    assert payment["amount_captured"] == (4321 if status == "succeeded" else 0)
    assert payment["card"]["last4"] == number[-4:]
    if status == "requires_action":
        url = payment["next_action"]["redirect_url"]
        assert url.startswith(f"http://testserver.local/psp-sandbox/challenge/{payment['id']}")
    else:
        assert payment["next_action"] is None
    assert [(h["from"], h["to"]) for h in payment["history"]] == [(None, status)]


def test_a_retry_with_the_same_key_gets_the_first_answer_and_charges_once(client, db):
    token = tokenize(client)
    body = {"amount": 2500, "currency": "GBP", "token": token, "return_url": RETURN_URL}
    first = client.post("/psp-sandbox/v1/payments", json=body, headers=merchant_headers("k-1"))
    again = client.post("/psp-sandbox/v1/payments", json=body, headers=merchant_headers("k-1"))
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert count(db, PspPayment) == 1

    other = client.post("/psp-sandbox/v1/payments", json={**body, "amount": 2600},
                        headers=merchant_headers("k-1"))
    assert other.status_code == 422
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert count(db, PspPayment) == 1


def test_a_card_token_pays_only_once(client, db):
    token = tokenize(client)
    body = {"amount": 100, "currency": "USD", "token": token, "return_url": RETURN_URL}
    assert post(client, "/payments", body).status_code == 201
    second = post(client, "/payments", body)
    assert second.status_code == 409
    assert second.json()["code"] == "TOKEN_ALREADY_USED"
    assert count(db, PspPayment) == 1


def test_a_partial_capture_takes_that_amount_once(client, db):
    payment = create(client, capture="manual", amount=5000).json()
    too_much = post(client, f"/payments/{payment['id']}/capture", {"amount": 5001})
    assert too_much.status_code == 400
    assert too_much.json()["code"] == "AMOUNT_TOO_LARGE"
    captured = post(client, f"/payments/{payment['id']}/capture", {"amount": 3000})
    assert captured.status_code == 200
    assert (captured.json()["status"], captured.json()["amount_captured"]) == ("succeeded", 3000)
    again = post(client, f"/payments/{payment['id']}/capture", {"amount": 2000})
    assert again.status_code == 409
    assert again.json()["code"] == "PAYMENT_NOT_CAPTURABLE"
    history = provider_payment(client, payment["id"])["history"]
    assert [(h["from"], h["to"], h["amount"]) for h in history] == [
        (None, "authorized", 5000), ("authorized", "succeeded", 3000)]


def test_a_void_cancels_an_authorization_and_nothing_can_be_captured(client, db):
    payment = create(client, capture="manual").json()
    voided = post(client, f"/payments/{payment['id']}/void")
    assert voided.status_code == 200
    assert voided.json()["status"] == "voided"
    assert post(client, f"/payments/{payment['id']}/capture", {}).json()["code"] == \
        "PAYMENT_NOT_CAPTURABLE"
    assert post(client, f"/payments/{payment['id']}/void").json()["code"] == \
        "PAYMENT_NOT_VOIDABLE"


def test_partial_refunds_add_up_to_the_captured_amount_and_no_further(client, db):
    payment = create(client, amount=10000).json()
    pid = payment["id"]
    first = post(client, f"/payments/{pid}/refunds", {"amount": 2500, "reference": "r1"})
    second = post(client, f"/payments/{pid}/refunds", {"amount": 2500})
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["payment"]["status"] == "partially_refunded"
    too_much = post(client, f"/payments/{pid}/refunds", {"amount": 5001})
    assert too_much.status_code == 400
    assert too_much.json()["detail"] == "At most 5000 is left to refund."
    rest = post(client, f"/payments/{pid}/refunds", {})
    assert rest.json()["amount"] == 5000
    final = provider_payment(client, pid)
    assert (final["status"], final["amount_refunded"]) == ("refunded", 10000)
    assert [(r["amount"], r["reference"]) for r in final["refunds"]] == [
        (2500, "r1"), (2500, None), (5000, None)]
    assert post(client, f"/payments/{pid}/refunds", {"amount": 1}).json()["code"] == \
        "PAYMENT_NOT_REFUNDABLE"


def test_another_merchants_payment_is_not_found(client, db):
    response = client.get("/psp-sandbox/v1/payments/pay_12345", headers=merchant_headers())
    assert response.status_code == 404
    assert response.json()["code"] == "PAYMENT_NOT_FOUND"


def test_every_state_change_is_sent_as_a_signed_webhook_and_logged(client, db, psp):  # noqa: F811
    payment = create(client, capture="manual", amount=800).json()
    post(client, f"/payments/{payment['id']}/capture", {"amount": 800})
    post(client, f"/payments/{payment['id']}/refunds", {"amount": 300})
    with db.sessions() as session:
        sent = session.execute(select(PspEvent).order_by(PspEvent.id)).scalars().all()
        log = session.execute(select(PspWebhookDelivery).order_by(PspWebhookDelivery.id)
                              ).scalars().all()
    assert [e.type for e in sent] == ["payment.authorized", "payment.captured",
                                      "payment.refunded"]
    assert all(e.delivered_at is not None and e.attempts == 1 for e in sent)
    assert [(d.event_id, d.attempt, d.status_code) for d in log] == [
        (e.id, 1, 200) for e in sent]


def test_a_failed_webhook_is_retried_with_backoff_until_it_arrives(client, db, psp,  # noqa: F811
                                                                   frozen_clock):
    with held_webhooks():
        create(client)
        with db.sessions() as session:
            event = session.execute(select(PspEvent)).scalar_one()
        assert (event.attempts, event.delivered_at) == (1, None)
        assert event.next_attempt_at == frozen_clock.current + timedelta(seconds=10)
        frozen_clock.advance(seconds=9)
        assert webhooks.sweep(db) == 0
        assert count(db, PspWebhookDelivery) == 1  # not due yet
        frozen_clock.advance(seconds=1)
        assert webhooks.sweep(db) == 0  # due, sent, failed again
    frozen_clock.advance(seconds=29)
    assert webhooks.sweep(db) == 0
    frozen_clock.advance(seconds=1)
    assert webhooks.sweep(db) == 1
    with db.sessions() as session:
        log = session.execute(select(PspWebhookDelivery.attempt, PspWebhookDelivery.status_code)
                              .order_by(PspWebhookDelivery.attempt)).all()
        event = session.execute(select(PspEvent)).scalar_one()
    assert [tuple(r) for r in log] == [(1, 503), (2, 503), (3, 200)]
    assert (event.attempts, event.next_attempt_at) == (3, None)
    assert event.delivered_at == frozen_clock.current


@pytest.mark.parametrize("path", ["/payments", "/payments/pay_1/capture",
                                  "/payments/pay_1/refunds"])
@pytest.mark.parametrize("body", [b"", b"{", b"null", b"[]", b'"x"', b'{"amount": 1.5}',
                                  b'{"amount": -5}', b'{"amount": 100000000000000000000000}',
                                  b'{"amount": 10, "extra": true}', b"\xff\xfe"])
def test_malformed_provider_requests_get_a_4xx_problem(client, db, path, body):
    response = client.post(f"/psp-sandbox/v1{path}", content=body,
                           headers={**merchant_headers("bad"), "content-type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["code"].isupper()
    assert count(db, PspPayment) == 0


@pytest.mark.parametrize("payment_ref", ["pay_abc", "pay_99999999999999999999999", "x_1", "1"])
def test_unknown_payment_ids_are_not_found(client, payment_ref):
    response = client.get(f"/psp-sandbox/v1/payments/{payment_ref}", headers=merchant_headers())
    assert (response.status_code, response.json()["code"]) == (404, "PAYMENT_NOT_FOUND")
