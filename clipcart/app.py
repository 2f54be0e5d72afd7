"""The Litestar application: every context's routes, templates, static files and errors."""

from __future__ import annotations

import asyncio
import gc
import logging
from concurrent.futures import ThreadPoolExecutor
from os import PathLike
from pathlib import Path
from typing import Any

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

import clipcart.handlers
import clipcart.jobs  # noqa: F401  (commits that emit events kick the outbox)
from clipcart import __version__
from clipcart.aftersales import api as aftersales_api
from clipcart.aftersales import pages as aftersales_pages
from clipcart.carriers import api as carriers_api
from clipcart.catalog import routes as catalog_routes
from clipcart.checkout import api as checkout_api
from clipcart.checkout import pages as checkout_pages
from clipcart.config import Settings, get_settings
from clipcart.discovery import api as discovery_api
from clipcart.discovery import feed_api, feed_pages
from clipcart.discovery import pages as discovery_pages
from clipcart.finance import api as finance_api
from clipcart.finance import pages as finance_pages
from clipcart.identity import api as identity_api
from clipcart.identity import pages as identity_pages
from clipcart.inventory import api as inventory_api
from clipcart.inventory import pages as inventory_pages
from clipcart.ledger import pages as ledger_pages
from clipcart.live import api as live_api
from clipcart.live import chat_routes as live_realtime
from clipcart.live import console as live_console
from clipcart.live import pages as live_pages
from clipcart.media import media_router
from clipcart.openplatform import pages as openplatform_pages
from clipcart.openplatform import routing as openplatform_routing
from clipcart.orders import api as orders_api
from clipcart.orders import pages as orders_pages
from clipcart.orders import shipping_pages
from clipcart.payments import api as payments_api
from clipcart.payments.sandbox import api as psp_sandbox
from clipcart.realtime import channels_plugin
from clipcart.shops import pages as shops_pages
from clipcart.social import api as social_api
from clipcart.social import operator_pages as social_operator_pages
from clipcart.social import pages as social_pages
from clipcart.social import seller_pages as social_seller_pages
from clipcart.web import pages as web_pages
from clipcart.web.admission import AdmissionMiddleware
from clipcart.web.auth import AuthMiddleware
from clipcart.web.problems import EXCEPTION_HANDLERS
from clipcart.web.templating import configure_environment

PACKAGE_DIR = Path(__file__).parent
TEMPLATE_DIRS: list[Path | PathLike[Any] | str] = sorted(
    (p for p in PACKAGE_DIR.glob("*/templates") if p.is_dir()), key=str)


def _api_router() -> Router:
    return Router(path="/api/v1", route_handlers=[identity_api.router, catalog_routes.api_router,
                                                  inventory_api.router, payments_api.router,
                                                  discovery_api.router, checkout_api.router,
                                                  orders_api.router, carriers_api.router,
                                                  aftersales_api.router, finance_api.router,
                                                  social_api.router, live_api.router,
                                                  live_realtime.router, feed_api.router],
                  opt={"exclude_from_csrf": True}, security=[{"bearer": []}])


def _thread_pool_sizer(threads: int) -> Any:
    """Sync handlers run in the event loop's default executor, which asyncio sizes from the
    CPU count (6 threads on 2 cores). A payment waits on the provider, which may call the
    platform back, so a pool that small starves under a flash sale; size it from settings."""

    def size() -> None:
        executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="clipcart")
        asyncio.get_running_loop().set_default_executor(executor)

    return size


def create_app(settings: Settings | None = None, *, run_jobs: bool = False) -> Litestar:
    settings = settings or get_settings()
    on_startup: list[Any] = [_thread_pool_sizer(settings.server_threads)]
    on_shutdown: list[Any] = []
    if run_jobs:
        from clipcart.jobs import make_consumer

        consumer = make_consumer()
        on_startup.append(lambda: consumer.start())
        on_shutdown.append(lambda: consumer.stop(graceful=True))
    return Litestar(
        route_handlers=[
            _api_router(),
            identity_pages.router,
            psp_sandbox.router,
            carriers_api.sim_router,
            shops_pages.router,
            ledger_pages.router,
            inventory_pages.router,
            orders_pages.router,
            shipping_pages.router,
            *aftersales_pages.routers,
            finance_pages.router,
            checkout_pages.router,
            *catalog_routes.page_routers,
            discovery_pages.router, feed_pages.router,
            openplatform_routing.router,
            openplatform_pages.router,
            openplatform_pages.operator_router,
            social_pages.router, social_seller_pages.router, social_operator_pages.router,
            live_pages.router, live_console.router,
            web_pages.router,
            create_static_files_router(path="/static", directories=[PACKAGE_DIR / "web/static"],
                                       include_in_schema=False),
            media_router(settings.media_dir),
        ],
        middleware=[AdmissionMiddleware(settings.checkout_slots), AuthMiddleware()],
        plugins=[channels_plugin(settings)],
        csrf_config=CSRFConfig(secret=settings.secret_key, cookie_name="cc_csrf",
                               cookie_samesite="lax",
                               exclude=["/api/", "/healthz", "/readyz", "/schema"]),
        template_config=TemplateConfig(directory=TEMPLATE_DIRS, engine=JinjaTemplateEngine,
                                       engine_callback=configure_environment),
        openapi_config=OpenAPIConfig(
            title="clipcart buyer API", version=__version__, path="/schema",
            render_plugins=[ScalarRenderPlugin()],
            components=Components(security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer",
                                         description="An access token from /api/v1/auth/token")
            }),
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        debug=settings.debug,
        logging_config=None,
    )


def _freeze_startup_heap() -> None:
    """Move what startup built (modules, mappers, routes, compiled templates) out of the
    garbage collector's reach: a full collection otherwise walks all of it, a pause of
    100-350 ms measured in a flash sale, the slowest payments' whole excess."""
    gc.collect()
    gc.freeze()


def app_factory() -> Litestar:
    """The server's app (``clipcart serve``), with the server process's own tuning."""
    logging.basicConfig(level=get_settings().log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app(run_jobs=get_settings().run_jobs_in_process)
    app.on_startup.append(_freeze_startup_heap)
    return app
