"""The sandbox adapter re-sends a keyed call after a network failure, with the same key."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from clipcart.payments import adapters
from clipcart.payments.adapters import SandboxProvider
from clipcart.payments.provider import ProviderUnavailable

PAYMENT = {"id": "pay_1", "status": "succeeded", "amount": 999, "currency": "GBP",
           "amount_captured": 999, "amount_refunded": 0, "refunds": []}


def _adapter(answers: list[Any], seen: list[httpx.Request]) -> SandboxProvider:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = httpx.Client(transport=httpx.MockTransport(handle))
    return SandboxProvider(client, base_url="http://psp.test/v1", secret_key="sk_test",
                           webhook_secret="whsec_test")


@pytest.fixture(autouse=True)
def _no_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(adapters, "NETWORK_RETRY_PAUSES", (0.0, 0.0))


def test_a_timeout_then_an_answer_is_one_capture_under_one_key() -> None:
    seen: list[httpx.Request] = []
    answers: list[Any] = [httpx.ReadTimeout("slow"), httpx.Response(502),
                          httpx.Response(200, json=PAYMENT)]
    snap = _adapter(answers, seen).capture("pay_1", 999, idempotency_key="intent-7-capture")
    assert snap.status == "CAPTURED" and snap.amount_captured_minor == 999
    assert [r.headers["idempotency-key"] for r in seen] == ["intent-7-capture"] * 3


def test_a_provider_that_never_answers_leaves_the_outcome_unknown() -> None:
    seen: list[httpx.Request] = []
    answers: list[Any] = [httpx.ConnectError("down")] * 3
    with pytest.raises(ProviderUnavailable) as failed:
        _adapter(answers, seen).void("pay_1", idempotency_key="intent-7-void")
    assert failed.value.status == 503 and len(seen) == 3


def test_a_refusal_is_not_retried() -> None:
    seen: list[httpx.Request] = []
    answers: list[Any] = [httpx.Response(402, json={"code": "CARD_DECLINED",
                                                    "detail": "declined"})]
    with pytest.raises(Exception, match="declined"):
        _adapter(answers, seen).capture("pay_1", 999, idempotency_key="intent-7-capture")
    assert len(seen) == 1
