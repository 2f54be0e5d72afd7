"""Provider webhooks, crashes between a provider call and its record, and reconciliation."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from clipcart import clock
from clipcart.money import Money
from clipcart.payments import calls, service
from clipcart.payments.adapters import SandboxProvider
from clipcart.payments.config import get_payment_settings
from clipcart.payments.models import PaymentIntent, PaymentIntentTransition, PaymentWebhookEvent
from clipcart.payments.sandbox import webhooks
from clipcart.payments.sandbox.models import PspEvent, PspPayment, PspRefund
from tests.payments_helpers import (
    RETURN_URL,
    count,
    held_webhooks,
    merchant_headers,
    outbox,
    pay,
    provider_payment,
    psp,  # noqa: F401
    tokenize,
)

pytestmark = pytest.mark.usefixtures("psp")
HOOK = "/api/v1/payments/webhooks/sandbox"


def _events(db) -> list[tuple[str, bytes]]:
    with db.sessions() as session:
        return [(e.type, e.body.encode()) for e in
                session.execute(select(PspEvent).order_by(PspEvent.id)).scalars()]


def _send(client: Any, body: bytes, *, timestamp: int | None = None,
          secret: str | None = None, sent_body: bytes | None = None) -> Any:
    """Sign ``body`` as the provider would; ``sent_body`` is what travels (tampering)."""
    stamp = int(clock.now().timestamp()) if timestamp is None else timestamp
    signature = webhooks.sign(secret or get_payment_settings().webhook_secret, stamp, body)
    return client.post(HOOK, content=body if sent_body is None else sent_body,
                       headers={"content-type": "application/json",
                                "Sandbox-Signature": signature})


def _intent(db, intent_id: int) -> PaymentIntent:
    with db.sessions() as session:
        intent = session.get(PaymentIntent, intent_id)
        assert intent is not None
        return intent


def _crash_after_provider_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """The platform dies right after the provider answered, before recording the answer."""
    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the process died here")

    monkeypatch.setattr(calls, "record", crash)
    import clipcart.payments.charges as charges
    import clipcart.payments.refunds as refunds

    monkeypatch.setattr(charges, "record", crash)
    monkeypatch.setattr(refunds, "record", crash)


def test_a_wrongly_signed_or_stale_webhook_is_refused_and_changes_nothing(client, db,
                                                                         frozen_clock):
    paid = pay(db, client, capture="manual")
    with held_webhooks():
        client.post(f"/psp-sandbox/v1/payments/{paid.intent.provider_payment_id}/capture",
                    json={}, headers=merchant_headers("direct-capture"))
    (_, body), = [e for e in _events(db) if e[0] == "payment.captured"]
    assert b'"amount_captured":2599' in body
    now = int(frozen_clock.current.timestamp())
    seen = count(db, PaymentWebhookEvent)  # the authorization's webhook arrived earlier
    refused = [
        client.post(HOOK, content=body, headers={"content-type": "application/json"}),
        _send(client, body, secret="whsec_someone_else"),
        _send(client, body, sent_body=body.replace(b'"amount_captured":2599',
                                                   b'"amount_captured":1')),
        _send(client, body, timestamp=now - 301),
        _send(client, body, timestamp=now + 301),
    ]
    assert [(r.status_code, r.json()["code"]) for r in refused] == [
        (400, "INVALID_WEBHOOK_SIGNATURE"), (400, "INVALID_WEBHOOK_SIGNATURE"),
        (400, "INVALID_WEBHOOK_SIGNATURE"), (400, "STALE_WEBHOOK"), (400, "STALE_WEBHOOK")]
    assert _intent(db, paid.intent_id).status == "AUTHORIZED"
    assert count(db, PaymentWebhookEvent) == seen == 1
    assert outbox(db, "payments.captured") == []

    accepted = _send(client, body, timestamp=now - 299)
    assert (accepted.status_code, accepted.json()["outcome"]) == (200, "applied")
    assert _intent(db, paid.intent_id).status == "CAPTURED"


def test_webhooks_delivered_twice_and_out_of_order_apply_once_and_never_go_back(
        client, db, monkeypatch):
    with held_webhooks():
        _crash_after_provider_call(monkeypatch)
        with pytest.raises(RuntimeError):
            pay(db, client, amount=Money(800, "USD"), capture="manual")
        monkeypatch.undo()
        [intent] = _all_intents(db)
        assert (intent.status, intent.provider_payment_id) == ("REQUIRES_PAYMENT", None)
        payment_id = provider_payment_id(db)
        client.post(f"/psp-sandbox/v1/payments/{payment_id}/capture", json={"amount": 800},
                    headers=merchant_headers("c1"))
        client.post(f"/psp-sandbox/v1/payments/{payment_id}/refunds", json={"amount": 300},
                    headers=merchant_headers("r1"))
    sent = _events(db)
    assert [t for t, _ in sent] == ["payment.authorized", "payment.captured",
                                    "payment.refunded"]
    outcomes = [_send(client, body).json()["outcome"] for _, body in reversed(sent)]
    outcomes.append(_send(client, sent[2][1]).json()["outcome"])
    outcomes.append(_send(client, sent[0][1]).json()["outcome"])
    assert outcomes == ["applied", "stale", "stale", "duplicate", "duplicate"]
    intent = _intent(db, intent.id)
    assert (intent.status, intent.provider_payment_id) == ("PARTIALLY_REFUNDED", payment_id)
    assert (intent.captured_minor, intent.refunded_minor, intent.pending_op) == (800, 300, None)
    with db.sessions() as session:
        steps = session.execute(
            select(PaymentIntentTransition.from_status, PaymentIntentTransition.to_status,
                   PaymentIntentTransition.source)
            .where(PaymentIntentTransition.intent_id == intent.id)
            .order_by(PaymentIntentTransition.id)).all()
    assert [tuple(s) for s in steps] == [
        (None, "REQUIRES_PAYMENT", "api"), ("REQUIRES_PAYMENT", "AUTHORIZED", "webhook"),
        ("AUTHORIZED", "CAPTURED", "webhook"), ("CAPTURED", "PARTIALLY_REFUNDED", "webhook")]
    assert [len(outbox(db, f"payments.{k}")) for k in ("authorized", "captured", "refunded")] \
        == [1, 1, 1]


def _all_intents(db) -> list[PaymentIntent]:
    with db.sessions() as session:
        return list(session.execute(select(PaymentIntent)).scalars())


def provider_payment_id(db) -> str:
    with db.sessions() as session:
        return f"pay_{session.execute(select(PspPayment.id)).scalar_one()}"


def _one_capture_at_the_provider(client: Any, payment_id: str, amount: int) -> None:
    remote = provider_payment(client, payment_id)
    assert remote["amount_captured"] == amount
    assert [h["to"] for h in remote["history"]] == ["authorized", "succeeded"]


def test_a_crash_after_the_provider_captured_is_repaired_by_reconciliation(
        client, db, monkeypatch, frozen_clock):
    paid = pay(db, client, amount=Money(4000, "USD"), capture="manual")
    with held_webhooks():
        _crash_after_provider_call(monkeypatch)
        with pytest.raises(RuntimeError):
            service.capture(db, paid.intent_id, amount=Money(2500, "USD"))
        monkeypatch.undo()
        intent = _intent(db, paid.intent_id)
        assert (intent.status, intent.pending_op, intent.pending_amount_minor) == (
            "AUTHORIZED", "capture", 2500)
        assert service.reconcile(db) == 0  # still within the grace period
        frozen_clock.advance(minutes=3)
        assert service.reconcile(db) == 1
    intent = _intent(db, paid.intent_id)
    assert (intent.status, intent.captured_minor, intent.pending_op) == ("CAPTURED", 2500, None)
    _one_capture_at_the_provider(client, str(paid.intent.provider_payment_id), 2500)
    frozen_clock.advance(seconds=10)
    assert webhooks.sweep(db) == 1  # the held capture webhook arrives late: nothing changes
    assert [e["captured_minor"] for e in outbox(db, "payments.captured")] == [2500]
    assert service.reconcile(db) == 0


def test_a_crash_after_the_provider_captured_is_repaired_by_the_webhook_or_a_retry(
        client, db, monkeypatch, frozen_clock):
    first = pay(db, client, amount=Money(4000, "USD"), capture="manual")
    second = pay(db, client, amount=Money(900, "USD"), capture="manual")
    with held_webhooks():
        _crash_after_provider_call(monkeypatch)
        for paid in (first, second):
            with pytest.raises(RuntimeError):
                service.capture(db, paid.intent_id)
        monkeypatch.undo()
        retried = service.capture(db, second.intent_id)  # the caller retries: same key
    assert (retried.status, retried.captured) == ("CAPTURED", Money(900, "USD"))
    frozen_clock.advance(seconds=10)
    assert webhooks.sweep(db) == 2
    intent = _intent(db, first.intent_id)
    assert (intent.status, intent.captured_minor, intent.pending_op) == ("CAPTURED", 4000, None)
    assert service.capture(db, first.intent_id).captured == Money(4000, "USD")
    _one_capture_at_the_provider(client, str(first.intent.provider_payment_id), 4000)
    _one_capture_at_the_provider(client, str(second.intent.provider_payment_id), 900)
    assert sorted(e["captured_minor"] for e in outbox(db, "payments.captured")) == [900, 4000]


def test_a_crash_after_the_provider_charged_is_finished_by_a_retry_with_the_same_key(
        client, db, monkeypatch):
    args = {"reference": "checkout:9", "amount": Money(700, "USD"),
            "payment_token": tokenize(client), "return_url": RETURN_URL,
            "idempotency_key": "pay-9"}
    with held_webhooks():
        _crash_after_provider_call(monkeypatch)
        with pytest.raises(RuntimeError):
            service.start_payment(db, **args)
        monkeypatch.undo()
        result = service.start_payment(db, **args)
    assert (result.status, result.intent.captured) == ("PAID", Money(700, "USD"))
    assert count(db, PspPayment) == 1


def test_a_crash_after_the_provider_refunded_is_repaired_by_reconciliation(
        client, db, monkeypatch, frozen_clock):
    paid = pay(db, client, amount=Money(1000, "USD"))
    with held_webhooks():
        _crash_after_provider_call(monkeypatch)
        with pytest.raises(RuntimeError):
            service.refund(db, paid.intent_id, amount=Money(400, "USD"), idempotency_key="r")
        monkeypatch.undo()
        intent = _intent(db, paid.intent_id)
        assert (intent.refunded_minor, intent.refund_pending_minor) == (0, 400)
        frozen_clock.advance(minutes=3)
        assert service.reconcile(db) == 1
    intent = _intent(db, paid.intent_id)
    assert (intent.status, intent.refunded_minor, intent.refund_pending_minor) == (
        "PARTIALLY_REFUNDED", 400, 0)
    assert count(db, PspRefund) == 1
    again = service.refund(db, paid.intent_id, amount=Money(400, "USD"), idempotency_key="r")
    assert again.status == "SUCCEEDED"
    assert count(db, PspRefund) == 1


def test_an_unreachable_provider_leaves_the_payment_pending_for_a_retry(client, db, psp):  # noqa: F811
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    down = SandboxProvider(httpx.Client(transport=httpx.MockTransport(refuse)),
                           base_url="http://127.0.0.1:9/psp-sandbox/v1")
    args = {"reference": "checkout:10", "amount": Money(500, "USD"),
            "payment_token": tokenize(client), "return_url": RETURN_URL,
            "idempotency_key": "pay-10"}
    with pytest.raises(service.ProviderUnavailable) as exc:
        service.start_payment(db, **args, provider=down)
    assert exc.value.status == 503
    [intent] = _all_intents(db)
    assert (intent.status, intent.pending_op) == ("REQUIRES_PAYMENT", "create")
    assert service.start_payment(db, **args).status == "PAID"
    assert count(db, PspPayment) == 1


def test_webhook_bodies_that_are_not_events_are_refused(client, db):
    body = json.dumps({"hello": "world"}).encode()
    response = _send(client, body)
    assert (response.status_code, response.json()["code"]) == (400, "INVALID_WEBHOOK_BODY")
    assert count(db, PaymentWebhookEvent) == 0

