"""The catalog's routers, for the app to mount."""

from clipcart.catalog import buyer_pages, import_pages, operator_pages, seller_pages

page_routers = [seller_pages.router, operator_pages.router, buyer_pages.pages_router,
                import_pages.router]
api_router = buyer_pages.api_router
