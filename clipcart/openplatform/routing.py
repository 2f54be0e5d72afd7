"""The Partner API routes: one Router outside /api/v1, CSRF-exempt, answering the envelope."""

from __future__ import annotations

from litestar import Router

from clipcart.openplatform.gateway import other_method_handlers, unknown_path_handlers
from clipcart.openplatform.resources import (
    authorization,
    catalog_meta,
    orders,
    product_reads,
    products,
    webhooks,
)

GROUPS = ["authorization", "product", "order", "event", "fulfillment", "return_refund",
          "finance", "logistics", "promotion", "affiliate_seller", "customer_service"]

ROUTES = [*authorization.ROUTES, *products.ROUTES, *product_reads.ROUTES,
          *catalog_meta.ROUTES, *orders.ROUTES, *webhooks.ROUTES]

router = Router(path="/", route_handlers=[*ROUTES, *other_method_handlers(ROUTES),
                                          *unknown_path_handlers(GROUPS)],
                opt={"exclude_from_csrf": True})
