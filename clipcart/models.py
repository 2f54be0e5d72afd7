"""Imports every context's tables, so ``Base.metadata`` is complete (Alembic, tests)."""

from clipcart.db import Base

metadata = Base.metadata
