"""After-sales page routers: the buyer's, Seller Center's and the operator's."""

from __future__ import annotations

from clipcart.aftersales import buyer_pages, operator_pages, seller_pages

routers = (buyer_pages.router, seller_pages.router, operator_pages.router)
