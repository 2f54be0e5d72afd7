"""Imports every context's event handlers so they register before the outbox drains."""

import clipcart.identity.events  # noqa: F401
from clipcart.payments import tasks as payments_tasks  # noqa: F401  (payment jobs)
