"""The seam between the platform and a payment service provider.

``PaymentProvider`` is what the payment service needs from any PSP: the sandbox adapter
speaks HTTP to the sandbox provider; a Stripe or Adyen adapter would implement the same
methods. Adapters translate the PSP's own states into ``ProviderPayment``, a snapshot whose
status is one of the platform's intent statuses; refunds are listed with the platform's
reference, so a snapshot applied twice, or late, changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from clipcart.errors import DomainError

CaptureMode = Literal["automatic", "manual"]
# The snapshot statuses: refund states are expressed by the refunds, not the status.
SnapshotStatus = Literal["REQUIRES_ACTION", "AUTHORIZED", "CAPTURED", "FAILED", "VOIDED"]


@dataclass(frozen=True)
class ProviderRefund:
    id: str
    amount_minor: int
    reference: str | None  # the platform's refund id, when the platform asked for it


@dataclass(frozen=True)
class ProviderPayment:
    """What the provider knows about one payment, at one moment."""

    id: str
    status: SnapshotStatus
    amount_minor: int
    currency: str
    amount_captured_minor: int
    amount_refunded_minor: int
    refunds: tuple[ProviderRefund, ...] = ()
    decline_code: str | None = None
    failure_message: str | None = None
    next_action: dict[str, str] | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    intent_id: str | None = None  # the platform's intent, echoed from the create request


@dataclass(frozen=True)
class CreatePayment:
    amount_minor: int
    currency: str
    token: str
    capture: CaptureMode
    reference: str
    return_url: str
    intent_id: str


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook: the provider's event id, its type and the payment snapshot."""

    id: str
    type: str
    created_at: datetime
    payment: ProviderPayment


class ProviderUnavailable(DomainError):
    """The provider could not be reached or failed (5xx): the outcome is unknown."""

    status = 503
    code = "PAYMENT_PROVIDER_UNAVAILABLE"
    title = "Payment provider unavailable"


class ProviderRejected(DomainError):
    """The provider refused the request (4xx): nothing happened there."""

    status = 409
    code = "PAYMENT_PROVIDER_REJECTED"
    title = "Refused by the payment provider"

    def __init__(self, detail: str, *, provider_code: str, http_status: int) -> None:
        super().__init__(detail, extra={"provider_code": provider_code})
        self.provider_code = provider_code
        self.http_status = http_status


class WebhookRejected(DomainError):
    """A webhook whose signature is missing, wrong or stale."""

    status = 400
    code = "INVALID_WEBHOOK_SIGNATURE"
    title = "Webhook refused"


class PaymentProvider(Protocol):
    name: str

    def create_payment(self, request: CreatePayment, *,
                       idempotency_key: str) -> ProviderPayment: ...

    def capture(self, payment_id: str, amount_minor: int | None, *,
                idempotency_key: str) -> ProviderPayment: ...

    def void(self, payment_id: str, *, idempotency_key: str) -> ProviderPayment: ...

    def refund(self, payment_id: str, amount_minor: int, *, reference: str,
               idempotency_key: str) -> ProviderPayment: ...

    def get(self, payment_id: str) -> ProviderPayment: ...

    def verify_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> ProviderEvent: ...
