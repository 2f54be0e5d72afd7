"""Imports every context's event handlers so they register before the outbox drains."""

import clipcart.identity.events
import clipcart.shops.events  # noqa: F401
