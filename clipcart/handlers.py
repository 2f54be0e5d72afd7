"""Imports every context's event handlers so they register before the outbox drains."""

import clipcart.catalog.events
import clipcart.identity.events  # noqa: F401
