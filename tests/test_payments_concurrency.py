"""Retries and refunds racing each other from real threads against a live server.

On SQLite the writers queue on the database lock (BEGIN IMMEDIATE); on PostgreSQL they
really overlap, and the unique keys and row locks keep the outcome exact.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx

from clipcart.errors import Conflict
from clipcart.money import Money
from clipcart.payments import service
from clipcart.payments.models import PaymentIntent
from clipcart.payments.sandbox.models import PspPayment, PspRefund
from tests.payments_helpers import (
    RETURN_URL,
    SUCCEEDS,
    count,
    live_psp,  # noqa: F401
    merchant_headers,
    outbox,
)

THREADS = 8


def _race(work: Callable[[int], Any]) -> list[Any]:
    start = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # kept and asserted on by the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _token(http: httpx.Client, base: str) -> str:
    return str(http.post(f"{base}/psp-sandbox/v1/tokens", json={
        "number": SUCCEEDS, "exp_month": 1, "exp_year": 2033, "cvc": "111"}).json()["token"])


def test_eight_concurrent_retries_at_the_provider_create_one_payment(db, live_psp):  # noqa: F811
    base, provider = live_psp
    body = {"amount": 1999, "currency": "USD", "token": _token(provider.client, base),
            "return_url": RETURN_URL}
    answers = _race(lambda _: provider.client.post(f"{base}/psp-sandbox/v1/payments", json=body,
                                                   headers=merchant_headers("same-key")))
    assert [a.status_code for a in answers] == [201] * THREADS
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == THREADS - 1
    assert count(db, PspPayment) == 1


def test_eight_concurrent_start_payments_with_one_key_charge_once(db, live_psp):  # noqa: F811
    base, provider = live_psp
    token = _token(provider.client, base)
    results = _race(lambda _: service.start_payment(
        db, reference="checkout:race", amount=Money(1999, "USD"), payment_token=token,
        return_url=RETURN_URL, idempotency_key="race-key"))
    assert [getattr(r, "status", r) for r in results] == ["PAID"] * THREADS
    assert len({r.intent_id for r in results}) == 1
    assert (count(db, PaymentIntent), count(db, PspPayment)) == (1, 1)
    assert [e["captured_minor"] for e in outbox(db, "payments.captured")] == [1999]


def test_concurrent_refunds_never_exceed_the_captured_amount(db, live_psp):  # noqa: F811
    base, provider = live_psp
    paid = service.start_payment(db, reference="checkout:refunds", amount=Money(2000, "USD"),
                                 payment_token=_token(provider.client, base),
                                 return_url=RETURN_URL, idempotency_key="refund-race")
    results = _race(lambda i: service.refund(db, paid.intent_id, amount=Money(300, "USD"),
                                             idempotency_key=f"refund-{i}"))
    done = [r for r in results if isinstance(r, service.RefundView)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(done), len(refused)) == (6, 2), results
    assert {r.code for r in refused} == {"REFUND_EXCEEDS_CAPTURED"}
    with db.sessions() as session:
        intent = service.get_intent(session, paid.intent_id)
    assert intent is not None
    assert (intent.status, intent.refunded) == ("PARTIALLY_REFUNDED", Money(1800, "USD"))
    assert count(db, PspRefund) == 6
