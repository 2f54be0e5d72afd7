"""Imports every context's tables, so ``Base.metadata`` is complete (Alembic, tests)."""

import clipcart.aftersales.models
import clipcart.carriers.models
import clipcart.catalog.models
import clipcart.checkout.models
import clipcart.discovery.feed_models
import clipcart.discovery.models
import clipcart.events
import clipcart.finance.models
import clipcart.idempotency
import clipcart.identity.models
import clipcart.inventory.models
import clipcart.ledger.models
import clipcart.live.chat_models
import clipcart.live.models
import clipcart.openplatform.models
import clipcart.orders.models
import clipcart.payments.models
import clipcart.payments.sandbox.models
import clipcart.shops.models
import clipcart.social.models
from clipcart.db import Base

CONTEXT_MODELS = (clipcart.catalog.models, clipcart.events, clipcart.identity.models,
                  clipcart.inventory.models, clipcart.ledger.models, clipcart.shops.models,
                  clipcart.payments.models, clipcart.payments.sandbox.models,
                  clipcart.checkout.models, clipcart.idempotency, clipcart.orders.models,
                  clipcart.discovery.models, clipcart.carriers.models,
                  clipcart.aftersales.models, clipcart.openplatform.models,
                  clipcart.finance.models, clipcart.social.models,
                  clipcart.live.models, clipcart.live.chat_models,
                  clipcart.discovery.feed_models)
metadata = Base.metadata
