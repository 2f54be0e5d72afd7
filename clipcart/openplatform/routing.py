"""The Partner API routes: one Router outside /api/v1, CSRF-exempt, answering the envelope."""

from __future__ import annotations

from litestar import Router

from clipcart.openplatform.gateway import unknown_path_handlers
from clipcart.openplatform.resources import authorization

GROUPS = ["authorization", "product", "order", "event", "fulfillment", "return_refund",
          "finance", "logistics", "promotion", "affiliate_seller", "customer_service"]

router = Router(path="/", route_handlers=[*authorization.ROUTES,
                                          *unknown_path_handlers(GROUPS)],
                opt={"exclude_from_csrf": True}, security=[{"tts_access_token": []}])
