"""What other contexts call. Checkout starts a payment for ``checkout:<id>``; orders and
after-sales capture, void and refund it; everyone may read intents inside their own
transaction. Functions that reach the provider take the ``Database`` (they commit before
and after the network call and must not run inside an open transaction); reads take a
``Session``. The outbox carries ``payments.authorized``, ``payments.captured``,
``payments.failed``, ``payments.voided`` and ``payments.refunded`` with the reference and
the amounts in minor units.
"""

from clipcart.payments.calls import IdempotencyKeyReused
from clipcart.payments.charges import (
    OpenedPayment,
    capture,
    open_payment,
    send_payment,
    start_payment,
    void,
)
from clipcart.payments.intents import (
    IntentView,
    PaymentResult,
    RefundView,
    TransitionView,
    get_intent,
    history_of,
    intents_for_reference,
    refunds_of,
)
from clipcart.payments.provider import (
    PaymentProvider,
    ProviderRejected,
    ProviderUnavailable,
    WebhookRejected,
)
from clipcart.payments.reconcile import reconcile, refresh
from clipcart.payments.refunds import refund
from clipcart.payments.webhooks import WebhookOutcome, handle_webhook

__all__ = [
    "IdempotencyKeyReused", "IntentView", "OpenedPayment", "PaymentProvider", "PaymentResult",
    "ProviderRejected", "ProviderUnavailable", "RefundView", "TransitionView",
    "WebhookOutcome", "WebhookRejected", "capture", "get_intent", "handle_webhook",
    "history_of", "intents_for_reference", "open_payment", "reconcile", "refresh", "refund",
    "refunds_of",
    "send_payment", "start_payment", "void",
]
