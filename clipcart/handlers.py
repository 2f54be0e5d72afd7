"""Imports every context's event handlers and jobs so they register before the outbox drains."""

import clipcart.aftersales.events
import clipcart.catalog.events
import clipcart.checkout.events
import clipcart.discovery.events
import clipcart.discovery.feed_events
import clipcart.finance.events
import clipcart.identity.events
import clipcart.live.events
import clipcart.openplatform.events
import clipcart.orders.events
import clipcart.shops.events
import clipcart.social.events
from clipcart.aftersales import jobs as aftersales_jobs
from clipcart.carriers import jobs as carriers_jobs
from clipcart.checkout import jobs as checkout_jobs
from clipcart.finance import jobs as finance_jobs
from clipcart.inventory import jobs as inventory_jobs
from clipcart.live import jobs as live_jobs
from clipcart.openplatform import jobs as openplatform_jobs
from clipcart.orders import jobs as orders_jobs
from clipcart.payments import tasks as payments_tasks

REGISTERED = (clipcart.catalog.events, clipcart.identity.events, clipcart.shops.events,
              inventory_jobs, payments_tasks, clipcart.discovery.events,
              clipcart.checkout.events, checkout_jobs, orders_jobs,
              carriers_jobs, clipcart.orders.events,
              clipcart.aftersales.events, aftersales_jobs,
              clipcart.openplatform.events, openplatform_jobs,
              clipcart.finance.events, finance_jobs, clipcart.social.events,
              clipcart.live.events, live_jobs, clipcart.discovery.feed_events)
