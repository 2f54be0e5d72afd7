"""Payment intents on the platform: each card, capture, void, refunds, idempotent retries."""

from __future__ import annotations

import pytest

from clipcart.errors import Conflict, ValidationFailed
from clipcart.money import Money
from clipcart.payments import service
from clipcart.payments.models import PaymentIntent, PaymentRefund
from clipcart.payments.sandbox.models import PspPayment, PspRefund
from tests.payments_helpers import (
    CHALLENGE,
    DECLINED,
    NO_FUNDS,
    RETURN_URL,
    count,
    outbox,
    pay,
    provider_payment,
    psp,  # noqa: F401
    tokenize,
)

pytestmark = pytest.mark.usefixtures("psp")


def _history(db, intent_id: int) -> list[tuple[str | None, str, int | None]]:
    with db.sessions() as session:
        return [(h.from_status, h.to_status, h.amount_minor)
                for h in service.history_of(session, intent_id)]


def test_a_good_card_pays_at_once_and_announces_the_capture(client, db):
    result = pay(db, client, amount=Money(2599, "USD"), reference="checkout:1")
    assert (result.status, result.intent.status) == ("PAID", "CAPTURED")
    assert result.intent.captured == Money(2599, "USD")
    assert (result.intent.card_brand, result.intent.card_last4) == ("visa", "4242")
    assert _history(db, result.intent_id) == [(None, "REQUIRES_PAYMENT", 2599),
                                              ("REQUIRES_PAYMENT", "CAPTURED", 2599)]
    [captured] = outbox(db, "payments.captured")
    assert captured == {"intent_id": str(result.intent_id), "reference": "checkout:1",
                        "currency": "USD", "amount_minor": 2599, "captured_minor": 2599,
                        "refunded_minor": 0, "provider": "sandbox",
                        "provider_payment_id": result.intent.provider_payment_id}


@pytest.mark.parametrize(("number", "code"), [(DECLINED, "card_declined"),
                                              (NO_FUNDS, "insufficient_funds")])
def test_a_declined_card_fails_with_its_code_and_frees_the_reference(client, db, number, code):
    failed = pay(db, client, number, reference="checkout:2")
    assert (failed.status, failed.decline_code, failed.intent.status) == ("FAILED", code,
                                                                          "FAILED")
    assert [e["reference"] for e in outbox(db, "payments.failed")] == ["checkout:2"]
    assert outbox(db, "payments.failed")[0]["decline_code"] == code
    retry = pay(db, client, reference="checkout:2")  # another card, a new key
    assert retry.status == "PAID"


def test_a_card_that_needs_a_challenge_returns_the_redirect(client, db):
    result = pay(db, client, CHALLENGE)
    assert (result.status, result.intent.status) == ("REQUIRES_ACTION", "REQUIRES_ACTION")
    assert result.next_action is not None
    assert result.next_action["type"] == "redirect"
    assert "/psp-sandbox/challenge/pay_" in result.next_action["redirect_url"]
    assert outbox(db, "payments.captured") == []


def test_a_manual_payment_is_authorized_then_captured_in_part(client, db):
    result = pay(db, client, amount=Money(5000, "USD"), capture="manual")
    assert (result.status, result.intent.status) == ("PAID", "AUTHORIZED")
    intent = service.capture(db, result.intent_id, amount=Money(3000, "USD"))
    assert (intent.status, intent.captured) == ("CAPTURED", Money(3000, "USD"))
    assert provider_payment(client, str(intent.provider_payment_id))["amount_captured"] == 3000
    assert _history(db, result.intent_id) == [
        (None, "REQUIRES_PAYMENT", 5000), ("REQUIRES_PAYMENT", "AUTHORIZED", 5000),
        ("AUTHORIZED", "CAPTURED", 3000)]
    assert [e["amount_minor"] for e in outbox(db, "payments.authorized")] == [5000]
    assert [e["captured_minor"] for e in outbox(db, "payments.captured")] == [3000]

    again = service.capture(db, result.intent_id, amount=Money(3000, "USD"))
    assert again.captured == Money(3000, "USD")
    with pytest.raises(Conflict) as exc:
        service.capture(db, result.intent_id, amount=Money(2000, "USD"))
    assert exc.value.code == "ALREADY_CAPTURED"
    assert len(provider_payment(client, str(intent.provider_payment_id))["history"]) == 2


def test_a_capture_above_the_authorization_or_in_another_currency_is_refused(client, db):
    result = pay(db, client, amount=Money(5000, "USD"), capture="manual")
    with pytest.raises(ValidationFailed):
        service.capture(db, result.intent_id, amount=Money(5001, "USD"))
    with pytest.raises(ValidationFailed):
        service.capture(db, result.intent_id, amount=Money(100, "GBP"))
    assert service.capture(db, result.intent_id).captured == Money(5000, "USD")


def test_a_void_releases_the_authorization_and_the_reference(client, db):
    result = pay(db, client, capture="manual", reference="checkout:3")
    voided = service.void(db, result.intent_id)
    assert voided.status == "VOIDED"
    assert service.void(db, result.intent_id).status == "VOIDED"
    assert provider_payment(client, str(voided.provider_payment_id))["status"] == "voided"
    assert [e["reference"] for e in outbox(db, "payments.voided")] == ["checkout:3"]
    with pytest.raises(Conflict) as exc:
        service.capture(db, result.intent_id)
    assert exc.value.code == "PAYMENT_NOT_CAPTURABLE"
    assert pay(db, client, reference="checkout:3").status == "PAID"


def test_partial_refunds_are_exact_and_never_exceed_the_capture(client, db):
    paid = pay(db, client, amount=Money(10000, "USD"))
    usd = lambda minor: Money(minor, "USD")  # noqa: E731
    first = service.refund(db, paid.intent_id, amount=usd(2500), idempotency_key="r1")
    second = service.refund(db, paid.intent_id, amount=usd(2500), idempotency_key="r2")
    assert (first.status, second.status) == ("SUCCEEDED", "SUCCEEDED")
    assert service.refund(db, paid.intent_id, amount=usd(2500), idempotency_key="r1") == first
    with pytest.raises(service.IdempotencyKeyReused):
        service.refund(db, paid.intent_id, amount=usd(2600), idempotency_key="r1")
    with pytest.raises(Conflict) as exc:
        service.refund(db, paid.intent_id, amount=usd(5001), idempotency_key="r3")
    assert exc.value.code == "REFUND_EXCEEDS_CAPTURED"
    last = service.refund(db, paid.intent_id, amount=usd(5000), idempotency_key="r4")
    assert last.status == "SUCCEEDED"
    with db.sessions() as session:
        intent = service.get_intent(session, paid.intent_id)
        refunds = service.refunds_of(session, paid.intent_id)
    assert intent is not None
    assert (intent.status, intent.refunded) == ("REFUNDED", usd(10000))
    assert [(r.amount, r.status) for r in refunds] == [
        (usd(2500), "SUCCEEDED"), (usd(2500), "SUCCEEDED"), (usd(5000), "SUCCEEDED")]
    assert [(e["refund_minor"], e["refunded_minor"], e["fully_refunded"])
            for e in outbox(db, "payments.refunded")] == [
        (2500, 2500, False), (2500, 5000, False), (5000, 10000, True)]
    remote = provider_payment(client, str(intent.provider_payment_id))
    assert (remote["amount_refunded"], len(remote["refunds"])) == (10000, 3)
    assert count(db, PspRefund) == 3
    assert _history(db, paid.intent_id)[-3:] == [
        ("CAPTURED", "PARTIALLY_REFUNDED", 2500),
        ("PARTIALLY_REFUNDED", "PARTIALLY_REFUNDED", 2500),
        ("PARTIALLY_REFUNDED", "REFUNDED", 5000)]
    with pytest.raises(Conflict) as exc:
        service.refund(db, paid.intent_id, amount=usd(1), idempotency_key="r5")
    assert exc.value.code == "PAYMENT_NOT_REFUNDABLE"


def test_a_retry_with_the_same_key_returns_the_first_result_and_charges_once(client, db):
    token = tokenize(client)
    args = {"reference": "checkout:4", "amount": Money(1234, "SGD"), "payment_token": token,
            "return_url": RETURN_URL, "idempotency_key": "pay-4"}
    first = service.start_payment(db, **args)
    again = service.start_payment(db, **args)
    assert again == first
    with pytest.raises(service.IdempotencyKeyReused) as exc:
        service.start_payment(db, **{**args, "amount": Money(1235, "SGD")})
    assert exc.value.status == 422
    assert (count(db, PaymentIntent), count(db, PspPayment)) == (1, 1)
    assert len(outbox(db, "payments.captured")) == 1


def test_a_paid_reference_cannot_be_charged_again_under_another_key(client, db):
    pay(db, client, reference="checkout:5", key="a")
    with pytest.raises(Conflict) as exc:
        pay(db, client, reference="checkout:5", key="b")
    assert exc.value.code == "PAYMENT_ALREADY_EXISTS"
    assert (count(db, PaymentIntent), count(db, PspPayment)) == (1, 1)


def test_a_used_token_fails_the_payment_without_charging(client, db):
    token = tokenize(client)
    service.start_payment(db, reference="checkout:6", amount=Money(100, "USD"),
                          payment_token=token, return_url=RETURN_URL, idempotency_key="x1")
    reused = service.start_payment(db, reference="checkout:7", amount=Money(100, "USD"),
                                   payment_token=token, return_url=RETURN_URL,
                                   idempotency_key="x2")
    assert (reused.status, reused.decline_code) == ("FAILED", "token_already_used")
    assert count(db, PspPayment) == 1
    assert count(db, PaymentRefund) == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"reference": ""}, "reference"), ({"amount": Money(0, "USD")}, "amount"),
    ({"payment_token": ""}, "payment_token"), ({"return_url": "/relative"}, "return_url"),
    ({"idempotency_key": ""}, "idempotency_key"), ({"capture": "later"}, "capture"),
])
def test_bad_payment_requests_are_refused_before_anything_is_recorded(client, db, change,
                                                                      field):
    args = {"reference": "checkout:8", "amount": Money(100, "USD"), "payment_token": "tok_x",
            "return_url": RETURN_URL, "idempotency_key": "k", **change}
    with pytest.raises(ValidationFailed) as exc:
        service.start_payment(db, **args)
    assert exc.value.field == field
    assert count(db, PaymentIntent) == 0
