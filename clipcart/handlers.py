"""Imports every context's event handlers so they register before the outbox drains."""

import clipcart.identity.events  # noqa: F401
from clipcart.inventory import jobs as inventory_jobs  # noqa: F401  (periodic reservation expiry)
