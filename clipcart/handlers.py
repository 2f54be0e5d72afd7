"""Imports every context's event handlers so they register before the outbox drains."""

import clipcart.identity.events  # noqa: F401
import clipcart.payments.tasks  # noqa: F401  (payment jobs: reconciliation, sandbox webhooks)
