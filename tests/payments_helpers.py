"""Fixtures and builders for the payment tests: the sandbox provider reached over HTTP."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from clipcart.money import Money
from clipcart.payments import service
from clipcart.payments.adapters import SandboxProvider, use_provider
from clipcart.payments.config import get_payment_settings, reset_payment_settings
from clipcart.payments.intents import PaymentResult
from clipcart.payments.sandbox import webhooks as psp_webhooks

SUCCEEDS = "4242424242424242"
DECLINED = "4000000000000002"
NO_FUNDS = "4000000000009995"
CHALLENGE = "4000000000003220"
RETURN_URL = "https://shop.example/checkout/return"
TESTSERVER = "http://testserver.local"


@pytest.fixture
def psp(client: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxProvider]:
    """The platform's sandbox adapter speaking to the app through the TestClient, and the
    provider's webhooks delivered into the same app."""
    monkeypatch.setenv("CLIPCART_PSP_WEBHOOK_URL",
                       f"{TESTSERVER}/api/v1/payments/webhooks/sandbox")
    reset_payment_settings()
    provider = SandboxProvider(client, base_url=f"{TESTSERVER}/psp-sandbox/v1")
    with use_provider(provider), psp_webhooks.use_http_client(client):
        yield provider
    reset_payment_settings()


def held_webhooks() -> Any:
    """Webhooks fail to arrive (the platform answers 503) until the block ends."""
    down = httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(503)))
    return psp_webhooks.use_http_client(down)


def merchant_headers(key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {get_payment_settings().secret_key}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def tokenize(client: Any, number: str = SUCCEEDS, **overrides: Any) -> str:
    body = {"number": number, "exp_month": 12, "exp_year": 2031, "cvc": "737", **overrides}
    response = client.post("/psp-sandbox/v1/tokens", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


def pay(db: Any, client: Any, number: str = SUCCEEDS, *, amount: Money | None = None,
        capture: str = "automatic", reference: str | None = None,
        key: str | None = None) -> PaymentResult:
    return service.start_payment(
        db, reference=reference or f"checkout:{secrets.randbelow(10**9)}",
        amount=amount or Money(2599, "USD"), payment_token=tokenize(client, number),
        return_url=RETURN_URL, idempotency_key=key or secrets.token_hex(8),
        capture=capture)  # type: ignore[arg-type]


def provider_payment(client: Any, payment_id: str) -> dict[str, Any]:
    response = client.get(f"/psp-sandbox/v1/payments/{payment_id}", headers=merchant_headers())
    assert response.status_code == 200, response.text
    return dict(response.json())


def count(db: Any, model: Any, *where: Any) -> int:
    with db.sessions() as session:
        return int(session.execute(
            select(func.count()).select_from(model).where(*where)).scalar_one())


def outbox(db: Any, event_type: str) -> list[dict[str, Any]]:
    from clipcart.events import OutboxEvent

    with db.sessions() as session:
        rows = session.execute(select(OutboxEvent.payload).where(OutboxEvent.type == event_type)
                               .order_by(OutboxEvent.id)).scalars()
        return [dict(r) for r in rows]


@pytest.fixture
def live_psp(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, SandboxProvider]]:
    """The app on a real socket; the platform and the provider's webhooks go through it."""
    from tests.browser import live_server

    with live_server(app) as base:
        monkeypatch.setenv("CLIPCART_PSP_WEBHOOK_URL",
                           f"{base}/api/v1/payments/webhooks/sandbox")
        reset_payment_settings()
        http = httpx.Client(timeout=60)
        provider = SandboxProvider(http, base_url=f"{base}/psp-sandbox/v1")
        try:
            with use_provider(provider):
                yield base, provider
        finally:
            http.close()
            reset_payment_settings()
