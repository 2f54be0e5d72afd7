"""Provider adapters, and which one serves a payment.

``SandboxProvider`` speaks HTTP (httpx) to the sandbox provider at its configured base URL;
tests hand it a Litestar ``TestClient`` (an ``httpx.Client`` on the ASGI app) or a client
for a live server. ``get_provider`` returns the adapter for a provider name; ``use_provider``
swaps one in for a block (tests, or a second provider).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx

from clipcart import clock
from clipcart.errors import NotFound, ValidationFailed
from clipcart.payments.config import get_payment_settings
from clipcart.payments.provider import (
    CreatePayment,
    PaymentProvider,
    ProviderEvent,
    ProviderPayment,
    ProviderRefund,
    ProviderRejected,
    ProviderUnavailable,
    SnapshotStatus,
    WebhookRejected,
)

SANDBOX_STATUSES: dict[str, SnapshotStatus] = {
    "requires_action": "REQUIRES_ACTION", "authorized": "AUTHORIZED", "succeeded": "CAPTURED",
    "partially_refunded": "CAPTURED", "refunded": "CAPTURED", "failed": "FAILED",
    "voided": "VOIDED"}
SIGNATURE_HEADER = "sandbox-signature"
# A call that carries an idempotency key is safe to send again: the provider answers a
# repeat with its first answer. Network failures and 5xx are retried this many times,
# after these pauses (plus jitter), before the outcome is reported unknown (503).
NETWORK_RETRY_PAUSES = (0.5, 2.0)


def sandbox_snapshot(body: dict[str, Any]) -> ProviderPayment:
    """The platform's view of a sandbox payment object."""
    card = body.get("card") or {}
    refunds = tuple(ProviderRefund(id=str(r["id"]), amount_minor=int(r["amount"]),
                                   reference=r.get("reference"))
                    for r in body.get("refunds") or ())
    return ProviderPayment(
        id=str(body["id"]), status=SANDBOX_STATUSES[body["status"]],
        amount_minor=int(body["amount"]), currency=str(body["currency"]),
        amount_captured_minor=int(body["amount_captured"]),
        amount_refunded_minor=int(body["amount_refunded"]), refunds=refunds,
        decline_code=body.get("decline_code"), failure_message=body.get("failure_message"),
        next_action=body.get("next_action"), card_brand=card.get("brand"),
        card_last4=card.get("last4"), intent_id=(body.get("metadata") or {}).get("intent_id"))


class SandboxProvider:
    name = "sandbox"

    def __init__(self, client: httpx.Client | None = None, *, base_url: str | None = None,
                 secret_key: str | None = None, webhook_secret: str | None = None,
                 tolerance_seconds: int | None = None) -> None:
        conf = get_payment_settings()
        self.client = client or httpx.Client(timeout=httpx.Timeout(15.0, connect=5.0))
        self.base_url = (base_url or conf.provider_base_url).rstrip("/")
        self._secret_key = secret_key or conf.secret_key
        self._webhook_secret = webhook_secret or conf.webhook_secret
        self.tolerance_seconds = (conf.webhook_tolerance_seconds if tolerance_seconds is None
                                  else tolerance_seconds)

    # payments ---------------------------------------------------------------------------
    def _call(self, method: str, path: str, body: dict[str, Any] | None = None,
              idempotency_key: str | None = None) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {self._secret_key}"}
        if idempotency_key is not None:
            headers["idempotency-key"] = idempotency_key
        pauses = NETWORK_RETRY_PAUSES if idempotency_key is not None else ()
        for attempt in range(len(pauses) + 1):
            try:
                response = self._send(method, path, body, headers)
                break
            except ProviderUnavailable:
                if attempt == len(pauses):
                    raise
                time.sleep(pauses[attempt] * (1 + random.random() / 2))
        try:
            answer = response.json()
        except ValueError as exc:
            raise ProviderUnavailable("The payment provider answered with no JSON.") from exc
        if response.status_code >= 400:
            raise ProviderRejected(str(answer.get("detail") or answer.get("title") or "refused"),
                                   provider_code=str(answer.get("code") or "UNKNOWN"),
                                   http_status=response.status_code)
        return dict(answer)

    def _send(self, method: str, path: str, body: dict[str, Any] | None,
              headers: dict[str, str]) -> httpx.Response:
        try:
            response = self.client.request(method, f"{self.base_url}{path}", json=body,
                                           headers=headers)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"The payment provider did not answer: "
                                      f"{type(exc).__name__}.") from exc
        if response.status_code >= 500:
            raise ProviderUnavailable(f"The payment provider failed ({response.status_code}).")
        return response

    def create_payment(self, request: CreatePayment, *,
                       idempotency_key: str) -> ProviderPayment:
        body = {"amount": request.amount_minor, "currency": request.currency,
                "token": request.token, "capture": request.capture,
                "reference": request.reference, "return_url": request.return_url,
                "metadata": {"intent_id": request.intent_id}}
        return sandbox_snapshot(self._call("POST", "/payments", body, idempotency_key))

    def capture(self, payment_id: str, amount_minor: int | None, *,
                idempotency_key: str) -> ProviderPayment:
        return sandbox_snapshot(self._call("POST", f"/payments/{payment_id}/capture",
                                           {"amount": amount_minor}, idempotency_key))

    def void(self, payment_id: str, *, idempotency_key: str) -> ProviderPayment:
        return sandbox_snapshot(self._call("POST", f"/payments/{payment_id}/void", None,
                                           idempotency_key))

    def refund(self, payment_id: str, amount_minor: int, *, reference: str,
               idempotency_key: str) -> ProviderPayment:
        answer = self._call("POST", f"/payments/{payment_id}/refunds",
                            {"amount": amount_minor, "reference": reference}, idempotency_key)
        return sandbox_snapshot(answer["payment"])

    def get(self, payment_id: str) -> ProviderPayment:
        return sandbox_snapshot(self._call("GET", f"/payments/{payment_id}"))

    # webhooks ---------------------------------------------------------------------------
    def verify_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        lowered = {k.lower(): v for k, v in headers.items()}
        parts: dict[str, list[str]] = {}
        for item in lowered.get(SIGNATURE_HEADER, "").split(","):
            key, _, value = item.strip().partition("=")
            parts.setdefault(key, []).append(value)
        try:
            timestamp = int(parts["t"][0])
        except (KeyError, ValueError):
            raise WebhookRejected("The webhook has no valid Sandbox-Signature header.") from None
        expected = hmac.new(self._webhook_secret.encode(), f"{timestamp}.".encode() + raw_body,
                            hashlib.sha256).hexdigest()
        if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
            raise WebhookRejected("The webhook signature does not match.")
        if abs(clock.now().timestamp() - timestamp) > self.tolerance_seconds:
            raise WebhookRejected("The webhook's signed timestamp is too old or in the future.",
                                  code="STALE_WEBHOOK")
        try:
            body = json.loads(raw_body)
            return ProviderEvent(
                id=str(body["id"]), type=str(body["type"]),
                created_at=datetime.fromtimestamp(int(body["created"]), UTC),
                payment=sandbox_snapshot(body["data"]["object"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationFailed("The webhook body is not a payment event.",
                                   code="INVALID_WEBHOOK_BODY") from exc


_lock = threading.Lock()
_default: dict[str, PaymentProvider] = {}
_override: dict[str, PaymentProvider] = {}


def get_provider(name: str = "sandbox") -> PaymentProvider:
    if name in _override:
        return _override[name]
    with _lock:
        if name not in _default:
            if name != "sandbox":
                raise NotFound(f"No payment provider named {name!r}.",
                               code="UNKNOWN_PAYMENT_PROVIDER")
            _default[name] = SandboxProvider()
        return _default[name]


@contextmanager
def use_provider(provider: PaymentProvider) -> Iterator[PaymentProvider]:
    """Serve ``provider.name`` with this adapter inside the block."""
    previous = _override.get(provider.name)
    _override[provider.name] = provider
    try:
        yield provider
    finally:
        if previous is None:
            _override.pop(provider.name, None)
        else:
            _override[provider.name] = previous


def reset_providers() -> None:
    """Drop the cached default adapters (after configuration changes)."""
    with _lock:
        _default.clear()
