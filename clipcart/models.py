"""Imports every context's tables, so ``Base.metadata`` is complete (Alembic, tests)."""

import clipcart.events
import clipcart.identity.models  # noqa: F401
from clipcart.db import Base

metadata = Base.metadata
